import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { IDENTITY_HEADER_NAMES, type ServiceName } from '@propusk/contracts';
import { SIGNATURE_HEADER, type Logger } from '@propusk/kit';
import type { Authenticator, AuthOutcome } from './auth/authenticator.js';
import { identityHeaders } from './auth/identity.js';
import { tokenChecks } from './auth/metrics.js';
import { failureAnswer, type AnswerOptions, type GatewayFailure } from './profiles/answers.js';
import type { RouteEntry } from './routes/table.js';
import { createUpstreamBalancer } from './upstreams.js';

/** Headers only the gateway may set (see contracts): a client's copies are dropped before proxying. */
export const IDENTITY_HEADERS = IDENTITY_HEADER_NAMES;

/**
 * Forwarding headers never reach a service as the client sent them: the gateway reads
 * X-Forwarded-For only from TRUSTED_PROXIES (Fastify's `trustProxy` makes `req.ip` of it) and
 * hands on that one address, signed. `Forwarded` (RFC 7239) and `X-Real-IP` are not read at all.
 * A client's copy of the signature header goes too: only the gateway's own may arrive.
 */
const CLIENT_FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', SIGNATURE_HEADER];

/** Auth payloads are small (kit's bodyLimit); a larger body is refused with 413. */
export const PROXY_BODY_LIMIT = 16 * 1024;

/** How long a service may take to answer (headers, then between body chunks) before a 504. */
const UPSTREAM_TIMEOUT_MS = 30_000;

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1) of a service's answer concern the gateway's connection to
 * it (a closing replica's `Connection: close`), not the client's: never passed on.
 */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

export function withoutHopByHop<H extends Record<string, unknown>>(headers: H): H {
  const out: Record<string, unknown> = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out as H;
}

export function withoutIdentityHeaders(
  headers: FastifyRequest['headers'],
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = { ...headers };
  for (const h of IDENTITY_HEADERS) delete out[h];
  return out;
}

type Verified = Extract<AuthOutcome, { kind: 'verified' }>;

/**
 * What the service receives: the client's headers without identity or forwarding headers,
 * then the gateway's own: request id, the client address (`x-forwarded-for`: `req.ip`, for
 * per-IP throttling and logs) and, after a verified token, contracts' identity headers. The
 * balancer signs the last two with the exact target it sends (upstreams.ts).
 */
export function forwardHeaders(
  headers: FastifyRequest['headers'],
  req: FastifyRequest,
  verified: Verified | undefined,
): Record<string, string | string[] | undefined> {
  const out = withoutIdentityHeaders(headers);
  for (const h of CLIENT_FORWARDING_HEADERS) delete out[h];
  return {
    ...out,
    'x-request-id': req.id,
    'x-forwarded-for': req.ip,
    ...(verified ? identityHeaders(verified.identity, verified.token) : {}),
  };
}

/** The gateway's own answer on `route`, in its profile's shape (profiles/answers.ts). */
export function sendFailure(
  reply: FastifyReply,
  route: Pick<RouteEntry, 'profile' | 'errorCode'>,
  failure: GatewayFailure,
  options: Omit<AnswerOptions, 'code'> = {},
): FastifyReply {
  const answer = failureAnswer(route.profile, failure, { ...options, code: route.errorCode });
  return reply
    .code(answer.status)
    .headers(answer.headers)
    .type('application/json; charset=utf-8')
    .send(answer.body);
}

/** RFC 3986 §2.1: every byte of `c` (UTF-8) as `%XX`. */
function percentEncode(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

const NOT_VISIBLE_ASCII = /[^\x21-\x7e]/gu;

/**
 * The request target as the service receives it: the path as the client spelled it (the router
 * has matched it to this route, decoded) and the query byte for byte — document 002 carries
 * tokens, codes and states there, and reply-from's own URL handling would decode it (failing on
 * a stray `%`) and refuse a `..` inside a value. Characters outside visible ASCII can only come
 * from an in-process request (Node's parser refuses them on the wire); they are percent-encoded
 * as UTF-8, as a client would have sent them (document 003's Cyrillic `/v2/auth/сode`).
 */
export function upstreamTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  return {
    path: path.replace(NOT_VISIBLE_ASCII, percentEncode),
    query: query.replace(NOT_VISIBLE_ASCII, percentEncode),
  };
}

/** Fastify's status for what it refused (413 too large, 400 unreadable), else internal. */
function failureOf(err: { statusCode?: number }): GatewayFailure {
  if (err.statusCode === 413) return 'payload_too_large';
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return 'bad_request';
  return 'internal';
}

type CodedError = Error & { code?: string; cause?: unknown };

/** What a log line says of an upstream failure: codes and messages, never the request target. */
function upstreamErrorFields(error: CodedError): Record<string, string | undefined> {
  const cause = error.cause instanceof Error ? (error.cause as CodedError) : undefined;
  return { code: error.code, reason: error.message, cause: cause?.code ?? cause?.message };
}

/** reply-from's upstream errors: a timeout is 504, any other transport failure 503. */
function upstreamFailure(err: Error & { statusCode?: number }): GatewayFailure {
  return err.statusCode === 504 ? 'timeout' : 'unavailable';
}

/** No token is routine on optional routes; a refused one is worth a line; a failed check a warning. */
const LOG_LEVEL = { missing: 'debug', invalid: 'info', unavailable: 'warn' } as const;

export interface ProxyDeps {
  /** Each service's base URL, or one per replica (upstreams.ts spreads the load over them). */
  upstreams: Readonly<Record<ServiceName, string | readonly string[]>>;
  auth: Authenticator;
  bodyLimit?: number;
  /** Signs every forwarded request (kit's internal-auth.ts); the services refuse unsigned ones. */
  internalSecret?: string;
}

/**
 * One exact route per table entry, forwarded with @fastify/reply-from (the engine under
 * @fastify/http-proxy): http-proxy mounts whole prefixes, and the gateway must answer its
 * own 404 for any path outside the documented space and run per-route token checks.
 *
 * Bodies are never parsed: inside this encapsulated scope every content type is read as raw
 * bytes (bounded by `bodyLimit`) and sent on unchanged, so a malformed body reaches the owning
 * service, which answers it in its profile's shape. Tokens are checked in `onRequest`, before
 * any body is read. Only the documented methods are routed: no implicit HEAD twin of a GET
 * route (a HEAD on a logout or sign-in would act like the GET).
 *
 * Nothing here logs the request target: queries carry tokens (document 002's
 * `/validate/jwt/access?access=`), and kit's request line logs the path alone.
 */
export async function registerProxies(
  app: FastifyInstance,
  routes: readonly RouteEntry[],
  { upstreams, auth, bodyLimit = PROXY_BODY_LIMIT, internalSecret }: ProxyDeps,
): Promise<void> {
  for (const route of routes) {
    if (route.auth !== 'none' && !auth.supports(route.profile)) {
      throw new Error(`route ${route.path}: no token strategy for profile ${route.profile}`);
    }
  }
  const verifiedOf = new WeakMap<FastifyRequest, Verified>();
  const balancer = createUpstreamBalancer({ upstreams, log: app.log as unknown as Logger, internalSecret });

  await app.register(async (scope) => {
    scope.addHook('onClose', () => balancer.close());
    await scope.register(replyFrom, {
      // reply-from takes any object with a Dispatcher's `request`: the balancer picks the replica.
      undici: balancer as unknown as { request: Dispatcher['request'] },
      // Never re-sent by reply-from (its default re-sends a GET answered 503, or reset): a
      // request the service may have received is not sent twice; the balancer retries only
      // what reached no service.
      retryMethods: [],
      // reply-from's own "response received" line would repeat kit's request line.
      disableRequestLogging: true,
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

    for (const route of routes) {
      const origin = balancer.originOf(route.upstream);
      scope.route({
        method: [...route.methods],
        url: route.path,
        exposeHeadRoute: false,
        bodyLimit,
        // Body-parsing failures (Fastify's FST_ERR_CTP_*: 413, 400) and anything thrown here.
        errorHandler(err: Error & { statusCode?: number }, req, reply) {
          const failure = failureOf(err);
          if (failure === 'internal') req.log.error({ err }, 'proxy failed');
          return sendFailure(reply, route, failure);
        },
        async onRequest(req, reply) {
          if (route.auth === 'none') return;
          const outcome = await auth.authenticate(route.profile, req.headers.authorization);
          tokenChecks.inc({
            profile: route.profile,
            outcome: outcome.kind === 'verified' ? 'verified' : outcome.reason,
          });
          if (outcome.kind === 'verified') {
            verifiedOf.set(req, outcome);
            return;
          }
          req.log[LOG_LEVEL[outcome.reason]](
            { reason: outcome.reason, detail: outcome.detail },
            'access token not accepted',
          );
          if (outcome.reason === 'unavailable') return sendFailure(reply, route, 'unavailable');
          if (route.auth === 'optional') return;
          return sendFailure(
            reply,
            route,
            outcome.reason === 'missing' ? 'missing_credentials' : 'invalid_token',
          );
        },
        handler(req, reply) {
          const verified = verifiedOf.get(req);
          const body = req.body;
          const withBody = Buffer.isBuffer(body) && req.method !== 'GET' && req.method !== 'HEAD';
          const { path, query } = upstreamTarget(req.url);
          return reply.from(`${origin}${path}`, {
            queryString: () => query,
            timeout: UPSTREAM_TIMEOUT_MS,
            ...(withBody
              ? { body, contentType: req.headers['content-type'] ?? 'application/octet-stream' }
              : {}),
            rewriteRequestHeaders: (_r, headers) => forwardHeaders(headers, req, verified),
            rewriteHeaders: (headers) => withoutHopByHop(headers),
            onError: (r, { error }) => {
              req.log.warn({ ...upstreamErrorFields(error), upstream: route.upstream }, 'upstream failed');
              sendFailure(r as FastifyReply, route, upstreamFailure(error));
            },
            ...(route.revokes && verified
              ? {
                  // The service has answered (and written its revocation record): forget the
                  // cached verification so the very next request with this token re-checks.
                  onResponse: (_r, r, res) => {
                    auth.forget(verified.identity.tokenId);
                    r.send(res.stream);
                  },
                }
              : {}),
          });
        },
      });
    }
  });
}
