import t from 'tap';
import { CLOSING_HEADER, createHttpServer, createLogger, type ClosingMode } from '../src/index.js';

const log = createLogger({ service: 'test', level: 'silent' });

function server(mode: ClosingMode) {
  let closing = false;
  let served = 0;
  const app = createHttpServer({ log, readiness: {}, isClosing: () => closing, closingMode: mode });
  app.post('/work', async () => {
    served++;
    return { done: true };
  });
  return { app, close: () => void (closing = true), served: () => served };
}

t.test('a service shutting down answers new requests with the closing notice, doing nothing', async (t) => {
  const s = server('notice');
  t.teardown(() => s.app.close());
  const before = await s.app.inject({ method: 'POST', url: '/work' });
  t.equal(before.statusCode, 200);
  t.not(before.headers.connection, 'close', 'no Connection: close while running');
  s.close();
  const after = await s.app.inject({ method: 'POST', url: '/work' });
  t.equal(after.statusCode, 503);
  t.equal(after.headers[CLOSING_HEADER], '1', 'marked as a closing notice');
  t.equal(after.headers.connection, 'close', 'the connection is not reused');
  t.ok(after.headers['x-request-id'], 'with its request id');
  t.equal(s.served(), 1, 'the handler did not run');
});

t.test('the gateway shutting down serves what reaches it, closing each connection after', async (t) => {
  const s = server('serve');
  t.teardown(() => s.app.close());
  s.close();
  const res = await s.app.inject({ method: 'POST', url: '/work' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers[CLOSING_HEADER], undefined);
  t.equal(res.headers.connection, 'close');
  t.equal(s.served(), 1);
});

t.test('a request in flight when shutdown begins is answered, with Connection: close', async (t) => {
  let closing = false;
  const app = createHttpServer({ log, readiness: {}, isClosing: () => closing });
  app.post('/slow', async () => {
    closing = true;
    return { done: true };
  });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/slow' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { done: true });
  t.equal(res.headers.connection, 'close');
});
