import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { IDENTITY_HEADER_NAMES } from '@propusk/contracts';
import { requiredInProduction } from './config.js';

/**
 * The sealed inside: the gateway signs what it vouches for in each request it forwards, and
 * every service refuses a request that does not carry a fresh signature (kit's HTTP bootstrap,
 * before any handler). A request that skips the gateway, from anything that reaches a
 * service's port without INTERNAL_SECRET, cannot forge an identity or a client address.
 *
 * The signature is HMAC-SHA256 (RFC 2104) under INTERNAL_SECRET over a canonical string:
 *
 *   propusk-internal-v1 \n <t> \n <METHOD> \n <path?query> \n <name>:<value> … (one line each)
 *
 * `t` is the time of signing in Unix milliseconds, the target is the request target exactly as
 * the service receives it, and the lines are every SIGNED_HEADERS name the request carries, in
 * that fixed order (absent headers have no line, so one added later breaks the signature).
 * It travels as `x-propusk-signature: t=<ms>,v1=<hex>`. The body is not covered: it carries
 * nothing the gateway vouches for, and the services check it themselves.
 */
export const SIGNATURE_HEADER = 'x-propusk-signature';

/** The header in which the gateway hands the client address on (one address, signed). */
export const CLIENT_ADDRESS_HEADER = 'x-forwarded-for';

/** What the signature covers besides method, target and time: identity and client address. */
export const SIGNED_HEADERS: readonly string[] = Object.freeze(
  [...IDENTITY_HEADER_NAMES, CLIENT_ADDRESS_HEADER].map((h) => h.toLowerCase()).sort(),
);

/**
 * How old (or, with clocks apart, how far ahead) a signature may be. A request is signed as the
 * gateway sends it, so a few seconds cover clock skew between hosts; a captured request cannot
 * be replayed later than this.
 */
export const SIGNATURE_MAX_AGE_MS = 30_000;

const VERSION = 'propusk-internal-v1';
const SIGNATURE = /^t=(\d{1,15}),v1=([0-9a-f]{64})$/;

type HeaderValue = string | readonly string[] | number | undefined;
export type HeaderBag = Readonly<Record<string, HeaderValue>>;

export interface SignableRequest {
  readonly method: string;
  /** The request target as the service receives it: path and query (`/a/b?c=d`). */
  readonly target: string;
  readonly headers: HeaderBag;
}

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/** A header's value as one string (Node joins repeated custom headers with ", " too). */
function valueOf(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The signed headers the request carries, by lower-cased name. */
function signedValues(headers: HeaderBag): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const v = valueOf(value);
    if (v !== undefined && SIGNED_HEADERS.includes(lower)) out.set(lower, v);
  }
  return out;
}

function digest(secret: string, req: SignableRequest, t: number): Buffer {
  const values = signedValues(req.headers);
  const lines = [VERSION, String(t), req.method.toUpperCase(), req.target];
  for (const name of SIGNED_HEADERS) {
    const value = values.get(name);
    if (value !== undefined) lines.push(`${name}:${value}`);
  }
  return createHmac('sha256', secret).update(lines.join('\n')).digest();
}

/** The `x-propusk-signature` value for `req`, signed now (or at `now`). */
export function signRequest(secret: string, req: SignableRequest, now = Date.now()): string {
  return `t=${now},v1=${digest(secret, req, now).toString('hex')}`;
}

/** Checks the request's `x-propusk-signature`: present, well formed, fresh, and ours. */
export function verifyRequest(secret: string, req: SignableRequest, now = Date.now()): SignatureCheck {
  const header = valueOf(req.headers[SIGNATURE_HEADER]);
  if (header === undefined) return { ok: false, reason: 'missing' };
  const m = SIGNATURE.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  if (Math.abs(now - t) > SIGNATURE_MAX_AGE_MS) return { ok: false, reason: 'stale' };
  const expected = digest(secret, req, t);
  const given = Buffer.from(m[2] as string, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/**
 * `headers` with the signature added, for a request to `url` (a path, or an absolute URL):
 * what the tests send to a service directly, as the gateway would. The target is the one a
 * WHATWG URL parser makes of it (fetch and Fastify's inject both do), non-ASCII encoded.
 */
export function signedHeaders<H extends Record<string, string>>(
  secret: string,
  method: string,
  url: string,
  headers: H = {} as H,
  now = Date.now(),
): H & Record<typeof SIGNATURE_HEADER, string> {
  const parsed = new URL(url, 'http://localhost');
  const target = `${parsed.pathname}${parsed.search}`;
  return { ...headers, [SIGNATURE_HEADER]: signRequest(secret, { method, target, headers }, now) };
}

/**
 * Fastify `inject` options (or any request description with `method`, `url` and `headers`)
 * with the signature added: a test's request to a service's own process, as the gateway signs.
 */
export function signedInjection<O extends { method: string; url: string; headers?: Record<string, string> }>(
  secret: string,
  opts: O,
): O {
  return { ...opts, headers: signedHeaders(secret, opts.method, opts.url, opts.headers ?? {}) };
}

/** Compares two secrets in time independent of where they differ (and of their lengths). */
export function secretsEqual(a: string, b: string): boolean {
  const hash = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(hash(a), hash(b));
}

export interface InternalSecret {
  readonly key: string;
  /** True when the development default stands in for an unset INTERNAL_SECRET (log a warning). */
  readonly development: boolean;
}

/**
 * INTERNAL_SECRET, or outside production a development default derived from the namespace (so
 * every process of one suite agrees, and suites sharing a host do not); production without it
 * stops the start. Anyone with the source can compute the default: never use it in production.
 */
export function resolveInternalSecret(config: {
  readonly INTERNAL_SECRET?: string | undefined;
  readonly NODE_ENV: string;
  readonly PROPUSK_NAMESPACE: string;
}): InternalSecret {
  if (config.INTERNAL_SECRET) return { key: config.INTERNAL_SECRET, development: false };
  if (config.NODE_ENV === 'production') {
    throw requiredInProduction('INTERNAL_SECRET');
  }
  const key = createHash('sha256')
    .update(`propusk-development-internal-secret:${config.PROPUSK_NAMESPACE}`)
    .digest('hex');
  return { key, development: true };
}
