import { isIP } from 'node:net';
import { ConfigError } from '@propusk/kit';

/**
 * TRUSTED_PROXIES as the list Fastify's `trustProxy` hands to proxy-addr: the load balancers or
 * ingress controllers in front of the gateway, each an address or a CIDR. A request whose peer is
 * one of them takes as its client the right-most X-Forwarded-For hop that is not (every proxy
 * appends the address it accepted the connection from); any other peer is the client itself,
 * whatever it sends. Unset: no proxy is trusted, every client is its socket's address.
 */
export function trustedProxies(raw: string | undefined): readonly string[] {
  if (raw === undefined) return Object.freeze([]);
  const items = raw.split(',').map((item) => item.trim());
  for (const item of items) {
    const problem = problemOf(item);
    if (problem) throw new ConfigError('TRUSTED_PROXIES', `${problem}: ${JSON.stringify(item)}`);
  }
  return Object.freeze(items);
}

function problemOf(item: string): string | undefined {
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 'must be IP addresses or CIDRs separated by commas';
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  if (bits < 0 || bits > (family === 4 ? 32 : 128)) return 'has a CIDR prefix out of range';
  // A /0 trusts every peer: any client could then name its own address and dodge its budgets.
  if (bits === 0) return 'must not trust every address (/0)';
  return undefined;
}
