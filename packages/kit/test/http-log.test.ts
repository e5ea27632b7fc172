import t from 'tap';
import { Writable } from 'node:stream';
import { createHttpServer, createLogger } from '../src/index.js';

t.test('request lines carry the path and route, never the query (codes, states, tokens)', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const app = createHttpServer({ log: createLogger({ service: 'test', destination }), readiness: {} });
  app.get('/vk/callback', async () => ({ ok: true }));
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/vk/callback?code=SECRETCODE&state=SECRETSTATE' });
  t.equal(res.statusCode, 200);
  const request = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
  t.match(request, { path: '/vk/callback', route: '/vk/callback', status: 200 });
  t.notMatch(lines.join(''), /SECRET/, 'no query value in any log line');
});
