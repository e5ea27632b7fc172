import t from 'tap';
import { Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { defineRpc, namespace, PropuskError } from '@propusk/contracts';
import {
  connectNats,
  createLogger,
  createRpcClient,
  createRpcServer,
  currentRequestId,
  withRequestId,
} from '../src/index.js';

const log = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});
const ns = namespace(`t${process.pid}`);
const echo = defineRpc(
  'identity',
  'echo',
  Type.Object({ text: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ text: Type.String(), requestId: Type.String() }),
);
const fails = defineRpc('identity', 'fails', Type.Object({}), Type.Object({}));
const lies = defineRpc('identity', 'lies', Type.Object({}), Type.Object({ n: Type.Number() }));
const crashes = defineRpc('identity', 'crashes', Type.Object({}), Type.Object({}));
const slow = defineRpc('identity', 'slow', Type.Object({}), Type.Object({}));
const nobody = defineRpc('token', 'nobody', Type.Object({}), Type.Object({}));
/** A handler that calls on: its own call must carry the id of the request it serves. */
const relay = defineRpc('identity', 'relay', Type.Object({}), Type.Object({ seen: Type.String() }));

t.test('request/reply over real NATS', async (t) => {
  const server = await connectNats('nats://127.0.0.1:4222', 'server', log);
  const clientConn = await connectNats('nats://127.0.0.1:4222', 'client', log);
  t.teardown(async () => {
    await server.drain();
    await clientConn.drain();
  });
  const rpc = createRpcServer(server.nc, ns, log);
  rpc.handle(echo, async (req, ctx) => ({ text: req.text, requestId: ctx.requestId }));
  rpc.handle(fails, async () => {
    throw new PropuskError('unavailable', 'postgres is down');
  });
  rpc.handle(lies, async () => ({ n: 'not a number' }) as unknown as { n: number });
  rpc.handle(crashes, async () => {
    throw new TypeError('secret internals');
  });
  rpc.handle(slow, () => new Promise((r) => setTimeout(() => r({}), 400)));
  const onward = createRpcClient(server.nc, ns, { timeoutMs: 2000 });
  rpc.handle(relay, async () => {
    await new Promise((r) => setTimeout(r, 5));
    const { requestId } = await onward.call(echo, { text: 'on' });
    return { seen: requestId };
  });
  await server.nc.flush();
  const client = createRpcClient(clientConn.nc, ns, { timeoutMs: 2000 });

  t.test('a call made while serving a request carries that request id, with no one passing it', async (t) => {
    t.same(await client.call(relay, {}, { requestId: 'req-relay-0001' }), { seen: 'req-relay-0001' });
    const inScope = await withRequestId('req-scope-0002', () => client.call(echo, { text: 'x' }));
    t.equal(inScope.requestId, 'req-scope-0002', 'an HTTP request scope is carried the same way');
    const explicit = await withRequestId('req-scope-0003', () =>
      client.call(echo, { text: 'x' }, { requestId: 'req-explicit-4' }),
    );
    t.equal(explicit.requestId, 'req-explicit-4', 'an explicit id wins');
    t.equal(currentRequestId(), undefined, 'no scope leaks out');
    const outside = await client.call(echo, { text: 'x' });
    t.match(outside.requestId, /^[0-9a-f-]{36}$/, 'outside any request: a fresh id');
  });

  t.test('answers and carries the request id', async (t) => {
    const r = await client.call(echo, { text: 'hi' }, { requestId: 'req-abcdef12' });
    t.same(r, { text: 'hi', requestId: 'req-abcdef12' });
  });

  t.test('a remote error comes back typed, code and status included', async (t) => {
    await t.rejects(client.call(fails, {}), {
      name: 'PropuskError',
      code: 'unavailable',
      status: 503,
      message: 'postgres is down',
    });
  });

  t.test('the server refuses a request that does not match its schema', async (t) => {
    const raw = await clientConn.nc.request(
      `${ns.prefix}propusk.rpc.identity.echo`,
      JSON.stringify({ text: 1 }),
      { timeout: 2000 },
    );
    const reply = raw.json<{ ok: boolean; error: { code: string } }>();
    t.equal(reply.ok, false);
    t.equal(reply.error.code, 'invalid_request');
  });

  t.test('the client refuses to send a request that does not match its schema', async (t) => {
    await t.rejects(client.call(echo, { text: '' }), { code: 'invalid_request' });
  });

  t.test('a reply that does not match its schema is refused', async (t) => {
    await t.rejects(client.call(lies, {}), { code: 'invalid_reply', status: 502 });
  });

  t.test('an unexpected exception is hidden behind internal', async (t) => {
    const err = await client.call(crashes, {}).catch((e: unknown) => e);
    t.type(err, PropuskError);
    t.equal((err as PropuskError).code, 'internal');
    t.notMatch((err as PropuskError).message, /secret internals/);
  });

  t.test('no service answering is unavailable, not a hang', async (t) => {
    await t.rejects(client.call(nobody, {}), { code: 'unavailable', message: /no token service/ });
  });

  t.test('a slow service times out as a typed error', async (t) => {
    await t.rejects(client.call(slow, {}, { timeoutMs: 100 }), { code: 'timeout', status: 504 });
  });

  t.test('drain waits for requests in flight', async (t) => {
    const pending = client.call(slow, {});
    await new Promise((r) => setTimeout(r, 100));
    t.ok(rpc.inFlight() >= 1, 'a request is in flight');
    await rpc.drain();
    t.equal(rpc.inFlight(), 0);
    t.same(await pending, {});
  });
});
