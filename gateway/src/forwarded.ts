import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import parseForwarded from 'forwarded-parse';

/**
 * Which header the trusted proxies name the client in. Fastify's `trustProxy` (proxy-addr) reads
 * only X-Forwarded-For; proxies that speak RFC 7239 (`Forwarded: for=…`) are read by turning
 * their `for=` hops into the X-Forwarded-For list proxy-addr walks, so one rule picks the client
 * either way: the right-most hop a trusted proxy did not add.
 *
 * It is one header or the other, never both: a proxy appends to the header it speaks and passes
 * the other through as the client sent it, so reading both would let a client name itself.
 */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/**
 * The `for=` hops of a Forwarded header as X-Forwarded-For would list them, left to right. An
 * address loses its brackets and port (RFC 7239 §6). A hop that is not an address (`unknown`, an
 * obfuscated `_name`, §6.2–6.3) ends the list there: only the hops to its right are kept, so the
 * client is the proxy that could not name it, never something the client wrote. A header that
 * does not parse gives no hops (the peer is the client).
 */
export function forwardedFor(header: string): string[] {
  let elements: Record<string, string>[];
  try {
    elements = parseForwarded(header);
  } catch {
    return [];
  }
  const hops = elements.map((e) => addressOf(e.for ?? ''));
  const cut = hops.lastIndexOf(undefined);
  return hops.slice(cut + 1) as string[];
}

function addressOf(node: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? bracketed[1] : undefined;
  if (isIP(node) !== 0) return node;
  const withPort = /^([\d.]+):\d+$/.exec(node);
  return withPort && isIP(withPort[1]!) === 4 ? withPort[1] : undefined;
}

/**
 * With FORWARDED_HEADER=forwarded, the first root-level onRequest hook rewrites the request's
 * X-Forwarded-For from its Forwarded header (dropping whatever X-Forwarded-For the client sent),
 * before anything reads `req.ip`: Fastify computes `req.ip` from the raw headers on each read.
 */
export function registerForwardedHeader(app: FastifyInstance, header: string): void {
  if (header !== 'forwarded') return;
  app.addHook('onRequest', async function forwardedToXff(req: FastifyRequest) {
    const headers = req.raw.headers;
    delete headers['x-forwarded-for'];
    const forwarded = headers.forwarded;
    if (forwarded === undefined) return;
    const hops = forwardedFor(Array.isArray(forwarded) ? forwarded.join(',') : forwarded);
    if (hops.length > 0) headers['x-forwarded-for'] = hops.join(', ');
  });
}
