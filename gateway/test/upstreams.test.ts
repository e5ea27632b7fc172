import t from 'tap';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { CLOSING_HEADER, createHttpServer } from '@propusk/kit';
import { SERVICE_NAMES, type ServiceName } from '@propusk/contracts';
import { registerProxies } from '../src/proxy.js';
import type { Authenticator } from '../src/auth/authenticator.js';
import { ROUTES } from '../src/routes/table.js';
import { silentLog } from './fixtures/jwt.js';

// Replicas behind the gateway (upstreams.ts): round-robin, and a request goes to another
// replica only when it reached none: connection refused, or kit's closing notice. A request a
// replica received is never sent again, whatever happened to it.

/** A port nothing listens on (the OS picked it, then it was let go). */
async function freePort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

interface Replica {
  url: string;
  seen: number;
  server: Server;
}

async function replica(t: Tap, name: string, behave?: Behaviour): Promise<Replica> {
  const r: Replica = { url: '', seen: 0, server: undefined as unknown as Server };
  r.server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      r.seen++;
      if (behave) return behave(req, res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ from: name }));
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
  t.teardown(() => {
    r.server.closeAllConnections();
    return new Promise((resolve) => r.server.close(resolve));
  });
  return r;
}

const allowAll: Authenticator = {
  supports: () => true,
  authenticate: async () => ({ kind: 'rejected', reason: 'missing', detail: '' }),
  forget: () => {},
  revoked: () => {},
  reset: () => {},
};

type Tap = { teardown(fn: () => unknown): void };

/** A gateway whose identity upstream is `urls` (the other services: the first of them). */
async function gateway(t: Tap, urls: string[]): Promise<string> {
  const app = createHttpServer({ log: silentLog, readiness: {} });
  const upstreams = Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, s === 'identity' ? urls : (urls[0] as string)]),
  ) as Record<ServiceName, string | string[]>;
  await registerProxies(app, ROUTES, { upstreams, auth: allowAll });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function login(url: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${url}/api/v1/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"username":"staff1","password":"qwerty123"}',
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const closingNotice: Behaviour = (_req, res) =>
  res.writeHead(503, { [CLOSING_HEADER]: '1', connection: 'close' }).end('{"status":"closing"}');

t.test('requests go round-robin over the replicas', async (t) => {
  const a = await replica(t, 'a');
  const b = await replica(t, 'b');
  const url = await gateway(t, [a.url, b.url]);
  const from: string[] = [];
  for (let i = 0; i < 6; i++) from.push(((await login(url)).body as { from: string }).from);
  t.same(from.sort(), ['a', 'a', 'a', 'b', 'b', 'b']);
});

t.test('a replica refusing connections is passed over: every request is answered', async (t) => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const b = await replica(t, 'b');
  const url = await gateway(t, [dead, b.url]);
  for (let i = 0; i < 4; i++) {
    const res = await login(url);
    t.equal(res.status, 200);
    t.same(res.body, { from: 'b' });
  }
  t.equal(b.seen, 4);
});

t.test(
  'a closing notice sends the request to another replica, and the notice never reaches the client',
  async (t) => {
    const a = await replica(t, 'a', closingNotice);
    const b = await replica(t, 'b');
    const url = await gateway(t, [a.url, b.url]);
    for (let i = 0; i < 4; i++) {
      const res = await login(url);
      t.equal(res.status, 200);
      t.same(res.body, { from: 'b' });
      t.equal(res.headers.get(CLOSING_HEADER), null);
    }
    t.equal(a.seen, 1, 'the closing replica is passed over for a while after its notice');
  },
);

t.test('a request a replica received is never sent again', async (t) => {
  t.test('the replica drops the connection without answering: 503, nothing re-sent', async (t) => {
    const a = await replica(t, 'a', (req) => req.socket.destroy());
    const b = await replica(t, 'b');
    const url = await gateway(t, [a.url, b.url]);
    // The first request goes to a (round-robin starts at the first replica).
    const res = await login(url);
    t.equal(res.status, 503);
    t.match(res.body, { result: { status: 503 }, data: {} }, "in the route's profile shape");
    t.equal(a.seen, 1);
    t.equal(b.seen, 0, 'not sent to the other replica');
  });

  t.test("the replica's own 503 goes to the client as it is", async (t) => {
    const a = await replica(t, 'a', (_req, res) =>
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"own":"answer"}'),
    );
    const b = await replica(t, 'b');
    const url = await gateway(t, [a.url, b.url]);
    const res = await login(url);
    t.equal(res.status, 503);
    t.same(res.body, { own: 'answer' });
    t.equal(b.seen, 0, 'not sent to the other replica');
  });
});

t.test('no replica can take it: 503 in the profile shape', async (t) => {
  t.test('all refuse connections', async (t) => {
    const url = await gateway(t, [
      `http://127.0.0.1:${await freePort()}`,
      `http://127.0.0.1:${await freePort()}`,
    ]);
    const res = await login(url);
    t.equal(res.status, 503);
    t.match(res.body, { result: { status: 503 }, data: {} });
  });
  t.test('all are closing', async (t) => {
    const a = await replica(t, 'a', closingNotice);
    const b = await replica(t, 'b', closingNotice);
    const url = await gateway(t, [a.url, b.url]);
    const res = await login(url);
    t.equal(res.status, 503);
    t.match(res.body, { result: { status: 503 }, data: {} });
    t.equal(a.seen + b.seen, 2, 'each tried once');
  });
});

t.test("hop-by-hop fields of a replica's answer stay between it and the gateway", async (t) => {
  const a = await replica(t, 'a', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"ok":1}'),
  );
  const url = await gateway(t, [a.url]);
  const res = await login(url);
  t.equal(res.status, 200);
  t.not(res.headers.get('connection'), 'close', "the client's connection stays open");
});
