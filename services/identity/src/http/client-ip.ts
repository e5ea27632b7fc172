import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The client address for per-IP throttling. Identity is reached only through the gateway,
 * which appends the address of the peer it accepted the connection from to `x-forwarded-for`
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For). Entries before
 * the last one came from the client or proxies we do not run and can be forged, so only the
 * last entry is trusted. Without a usable header the socket peer is the client. A last entry
 * that is not an address falls back to the socket peer (the gateway), which throttles every such
 * request together: stricter, never looser.
 */
export function clientIp(req: FastifyRequest): string | undefined {
  const header = req.headers['x-forwarded-for'];
  // Repeated headers: Node joins x-forwarded-for with ", ", so the last entry is the last hop's.
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').at(-1)?.trim();
  if (last && isIP(last)) return last;
  return req.socket.remoteAddress;
}
