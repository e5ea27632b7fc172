// The bare limits the gateway is compared with, each a process of its own:
// - `origin`: a bare Fastify route answering check_token's success body (document 004's shape);
// - `proxy`: @fastify/http-proxy (reply-from, the gateway's proxy engine) in front of `origin`.
// No request ids, metrics, logs or token checks: what Fastify and the proxy cost by themselves.
// Usage: node --import tsx bench/bare.ts origin <port> | proxy <port> <origin-url>
import Fastify from 'fastify';
import httpProxy from '@fastify/http-proxy';

/** The path check_token has at the gateway (document 004), so requests are byte for byte alike. */
const BARE_PATH = '/api/v1/check_token/';

async function main(): Promise<void> {
  const [mode, port, upstream] = process.argv.slice(2);
  const app = Fastify({ logger: false });
  if (mode === 'origin') {
    app.post(BARE_PATH, async (req) => ({
      result: { status: 200, message: 'Токен валиден и принадлежит пользователю' },
      data: { username: (req.body as { username?: string } | undefined)?.username },
    }));
  } else if (mode === 'proxy' && upstream) {
    await app.register(httpProxy, { upstream, prefix: '/', rewritePrefix: '/' });
  } else {
    throw new Error('usage: bare.ts origin <port> | proxy <port> <origin-url>');
  }
  app.get('/readyz', async () => ({ status: 'ready' }));
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
