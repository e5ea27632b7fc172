import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small load balancer for tests (node:http), as an Ingress or a cloud load balancer stands in
 * front of several gateways: round-robin over its targets, `X-Forwarded-For` set to the client's
 * address (the gateways trust it with TRUSTED_PROXIES=127.0.0.1), and a request taken to the next
 * target only when the one tried gave no answer at all: the connection was refused, or reset
 * before any response (a gateway killed with the request in it, or a kept-alive connection to it
 * found dead). An answer, whatever its status, goes back as it came.
 *
 * A test names the client it plays in CLIENT_HEADER (a made-up address per simulated user, so
 * per-IP budgets count each one); the header goes no further. A request that was retried comes
 * back with RETRIED_HEADER naming what the first target did (`ECONNRESET`, …): a reset request
 * may have been acted on before the target died, so the retry may meet its own effect.
 */
export const CLIENT_HEADER = 'x-test-client-ip';
export const RETRIED_HEADER = 'x-proxy-retried';

/** Failures of a target that answered nothing. */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export interface ProxyRetry {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly target: string;
  readonly code: string;
  readonly method: string;
  readonly path: string;
}

export interface XffProxy {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The gateways' base URLs (http://127.0.0.1:<port>); may be set after the proxy listens. */
  setTargets(urls: readonly string[]): void;
  /** Every request taken to another target, and why. */
  readonly retries: readonly ProxyRetry[];
  close(): Promise<void>;
}

function forwarded(headers: IncomingHttpHeaders, client: string, host: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers, host };
  delete out[CLIENT_HEADER];
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  return out;
}

/** Starts the proxy on a free loopback port (or `port`). */
export async function startXffProxy(
  opts: { port?: number; targets?: readonly string[] } = {},
): Promise<XffProxy> {
  let targets: URL[] = (opts.targets ?? []).map((u) => new URL(u));
  let next = 0;
  const retries: ProxyRetry[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const given = req.headers[CLIENT_HEADER];
      const client = typeof given === 'string' && given ? given : (req.socket.remoteAddress ?? '127.0.0.1');
      const order = targets.map((_, i) => targets[(next + i) % targets.length] as URL);
      next = (next + 1) % Math.max(1, targets.length);
      let retriedBecause: string | undefined;

      const attempt = (i: number): void => {
        const target = order[i];
        if (!target) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'bad_gateway', detail: retriedBecause ?? 'no target' }));
          return;
        }
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: forwarded(req.headers, client, target.host),
            agent,
          },
          (answer) => {
            const headers = { ...answer.headers };
            if (retriedBecause) headers[RETRIED_HEADER] = retriedBecause;
            res.writeHead(answer.statusCode ?? 502, headers);
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        upstream.on('error', (err: Error & { code?: string }) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          const code = err.code ?? err.message;
          if (NO_ANSWER.has(code) && i + 1 < order.length) {
            retriedBecause ??= code;
            retries.push({
              at: Date.now(),
              target: target.host,
              code,
              method: req.method ?? '',
              path: req.url ?? '',
            });
            attempt(i + 1);
            return;
          }
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'bad_gateway', detail: code }));
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setTargets(urls) {
      targets = urls.map((u) => new URL(u));
    },
    retries,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
