import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../src/index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

t.test('passwords, codes, tokens and secrets never reach a log line, at any depth', async (t) => {
  const { lines, destination } = capture();
  const log = createLogger({ service: 'test', destination });
  log.info(
    {
      body: { username: 'staff1', password: 'hunter2hunter2', code: '588227' },
      nested: {
        deeper: { refresh_token: 'eyJ.refresh', client_secret: 's3cr3t', code_verifier: 'v3rifier' },
      },
      headers: { authorization: 'Bearer abc.def', 'x-request-id': 'req-12345678' },
      list: [{ hash_password: 'pw-in-list' }],
      access_token: 'at-123',
    },
    'login attempt',
  );
  const out = lines.join('');
  for (const secret of [
    'hunter2hunter2',
    '588227',
    'eyJ.refresh',
    's3cr3t',
    'v3rifier',
    'abc.def',
    'pw-in-list',
    'at-123',
  ]) {
    t.notOk(out.includes(secret), `${secret} is redacted`);
  }
  t.match(out, /staff1/);
  t.match(out, /req-12345678/);
  t.match(out, /"service":"test"/);
});
