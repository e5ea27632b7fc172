import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { CLIENT_ADDRESS_HEADER } from './internal-auth.js';

/**
 * A service's client address for per-address budgets (identity's login throttle, the token
 * service's client authentication): the one address the gateway hands on in `x-forwarded-for`
 * (its `req.ip`: the socket's, or behind TRUSTED_PROXIES the right-most hop they did not add).
 * The HTTP bootstrap has already refused any request whose header the gateway did not sign
 * (internal-auth.ts), so the value is the gateway's. Should it ever hold a list, only the last
 * entry counts; a last entry that is not an address falls back to the socket peer (the
 * gateway), which counts every such request together: stricter, never looser.
 */
export function clientIp(req: FastifyRequest): string | undefined {
  const header = req.headers[CLIENT_ADDRESS_HEADER];
  // Repeated headers: Node joins x-forwarded-for with ", ", so the last entry is the last hop's.
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').at(-1)?.trim();
  if (last && isIP(last)) return last;
  return req.socket.remoteAddress;
}
