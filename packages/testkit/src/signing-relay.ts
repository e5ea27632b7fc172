import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedHeaders } from '@propusk/kit';

/** Fields of a connection, not of a message (RFC 9110 §7.6.1), and what fetch sets itself. */
const NOT_RELAYED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export interface SigningRelay {
  /** Its base URL: a request to `${url}/path` reaches `${target}/path`, signed. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A stand-in for the gateway in front of one service, for a test in which an outside caller
 * (the Telegram stand-in delivering webhook updates) must reach the service as production's
 * callers do, through something that signs (kit's internal-auth.ts). It relays method, target,
 * headers and body as they came, adds the signature, and answers what the service answered.
 */
export async function startSigningRelay(target: string, secret: string): Promise<SigningRelay> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !NOT_RELAYED.has(name)) headers[name] = value;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${path}`, { method, headers: signedHeaders(secret, method, path, headers), body })
        .then(async (answer) => {
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (!NOT_RELAYED.has(name)) out[name] = value;
          });
          res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
