// FORWARDED_HEADER=forwarded: trusted proxies that speak RFC 7239 name the client with `for=`,
// and the client is picked by the same rule as with X-Forwarded-For (Fastify's trustProxy).
import t from 'tap';
import Fastify from 'fastify';
import { forwardedFor, registerForwardedHeader, type ForwardedHeader } from '../src/forwarded.js';

t.test('for= hops as X-Forwarded-For lists them', async (t) => {
  t.same(forwardedFor('for=192.0.2.43'), ['192.0.2.43']);
  t.same(forwardedFor('for=192.0.2.43, for=198.51.100.17'), ['192.0.2.43', '198.51.100.17']);
  t.same(forwardedFor('for="[2001:db8:cafe::17]:4711";proto=https'), ['2001:db8:cafe::17'], 'IPv6, port');
  t.same(forwardedFor('for="192.0.2.43:47011", for=10.0.0.1'), ['192.0.2.43', '10.0.0.1'], 'IPv4, port');
  t.same(forwardedFor('For=192.0.2.60;Proto=http;By=203.0.113.43'), ['192.0.2.60'], 'names in any case');
  t.same(forwardedFor('for=192.0.2.1, for=unknown, for=10.0.0.1'), ['10.0.0.1'], 'unknown ends the list');
  t.same(
    forwardedFor('for=192.0.2.1, for=_hidden, for=10.0.0.1'),
    ['10.0.0.1'],
    'so does an obfuscated node',
  );
  t.same(forwardedFor('proto=https'), [], 'no for=: no hop');
  t.same(forwardedFor('for=192.0.2.1;;'), [], 'not RFC 7239: no hop');
  t.same(forwardedFor('for="[not-an-ip]"'), []);
});

async function appFor(header: ForwardedHeader) {
  const app = Fastify({ trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
  registerForwardedHeader(app, header);
  app.get('/ip', async (req) => ({ ip: req.ip }));
  await app.ready();
  return app;
}

async function ipOf(
  app: Awaited<ReturnType<typeof appFor>>,
  remoteAddress: string,
  headers: Record<string, string>,
): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/ip', remoteAddress, headers });
  return (res.json() as { ip: string }).ip;
}

t.test('forwarded: the right-most for= hop no trusted proxy added is the client', async (t) => {
  const app = await appFor('forwarded');
  t.teardown(() => app.close());
  t.equal(await ipOf(app, '127.0.0.1', { forwarded: 'for=198.51.100.7' }), '198.51.100.7');
  t.equal(
    await ipOf(app, '127.0.0.1', { forwarded: 'for=203.0.113.9, for=198.51.100.7, for=10.1.2.3' }),
    '198.51.100.7',
    'a hop the client wrote itself is left of the one the proxy appended',
  );
  t.equal(
    await ipOf(app, '127.0.0.1', { forwarded: 'for=198.51.100.7', 'x-forwarded-for': '192.0.2.99' }),
    '198.51.100.7',
    'X-Forwarded-For, passed through untouched by such a proxy, is not read',
  );
  t.equal(
    await ipOf(app, '127.0.0.1', { 'x-forwarded-for': '192.0.2.99' }),
    '127.0.0.1',
    'without Forwarded the proxy itself is the client',
  );
  t.equal(
    await ipOf(app, '127.0.0.1', { forwarded: 'for=unknown' }),
    '127.0.0.1',
    'a hop the proxy could not name: the proxy is the client',
  );
  t.equal(
    await ipOf(app, '192.0.2.50', { forwarded: 'for=198.51.100.7' }),
    '192.0.2.50',
    'a peer not trusted is its own client, whatever it sends',
  );
});

t.test('x-forwarded-for (the default): Forwarded is not read', async (t) => {
  const app = await appFor('x-forwarded-for');
  t.teardown(() => app.close());
  t.equal(await ipOf(app, '127.0.0.1', { forwarded: 'for=198.51.100.7' }), '127.0.0.1');
  t.equal(
    await ipOf(app, '127.0.0.1', { forwarded: 'for=198.51.100.7', 'x-forwarded-for': '192.0.2.99' }),
    '192.0.2.99',
  );
});
