import type tap from 'tap';
import { get, type Answer } from './http.js';
import { decodePart } from './jws.js';

/** Document 002's shapes, as a client of the profile reads them. */

type Tap = Pick<typeof tap, 'equal' | 'match' | 'same' | 'ok' | 'type'>;

export interface Pair {
  access: string;
  refresh: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Document 002's example: the refresh token expires 10800 s after its access token.
const EXAMPLE_REFRESH_MINUS_ACCESS_S = 1739240994 - 1739230194;

/** A failure: `{"detail": "..."}` (a non-empty string, nothing else) with the status given. */
export function isDetail(t: Tap, res: Answer, status: number, what: string): void {
  // A detail carries no secret: shown either way, so the log reads as the user would.
  t.equal(res.status, status, `${what}: HTTP ${status} ${res.text}`);
  t.match(res.headers.get('content-type'), /^application\/json/, `${what}: JSON`);
  t.same(Object.keys((res.body ?? {}) as object), ['detail'], `${what}: only a detail`);
  t.match(res.body, { detail: /\S/ }, `${what}: the detail says something`);
}

/**
 * 200 `{access, refresh}`: exactly those fields, HS256 JWTs with the document's claim set
 * `user_name, header{alg, typ, uuid}, exp, mode`, for `userName`. Answers the pair.
 */
export function isPair(t: Tap, res: Answer, userName: string, what: string): Pair {
  t.equal(res.status, 200, res.status === 200 ? `${what}: 200` : `${what}: ${res.text}`);
  t.same(Object.keys((res.body ?? {}) as object).sort(), ['access', 'refresh'], `${what}: {access, refresh}`);
  const pair = res.body as Pair;
  const now = Math.floor(Date.now() / 1000);
  const exps: number[] = [];
  for (const [kind, mode] of [
    ['access', 'access_token'],
    ['refresh', 'refresh_token'],
  ] as const) {
    const token = pair[kind];
    t.match(decodePart(token, 0), { alg: 'HS256', typ: 'JWT' }, `${what}: ${kind} is an HS256 JWT`);
    const claims = decodePart(token, 1);
    t.same(Object.keys(claims).sort(), ['exp', 'header', 'mode', 'user_name'], `${what}: ${kind} claim set`);
    t.equal(claims.user_name, userName, `${what}: ${kind} user_name`);
    t.equal(claims.mode, mode, `${what}: ${kind} mode`);
    const header = claims.header as Record<string, unknown>;
    t.same(Object.keys(header).sort(), ['alg', 'typ', 'uuid'], `${what}: ${kind} header claim`);
    t.match(header, { alg: 'HS256', typ: 'JWT', uuid: UUID }, `${what}: ${kind} header claim values`);
    t.ok((claims.exp as number) > now, `${what}: ${kind} not expired`);
    exps.push(claims.exp as number);
  }
  const [accessExp = 0, refreshExp = 0] = exps;
  t.ok(
    Math.abs(refreshExp - accessExp - EXAMPLE_REFRESH_MINUS_ACCESS_S) <= 5,
    `${what}: the refresh token outlives the access token by 3 hours (got ${refreshExp - accessExp} s)`,
  );
  const uuids = [pair.access, pair.refresh].map((x) => (decodePart(x, 1).header as { uuid: string }).uuid);
  t.ok(uuids[0] !== uuids[1], `${what}: each token has its own uuid`);
  return pair;
}

/** GET /validate/jwt/access?access=… : the JSON literal it answered (true or false), status 200 checked. */
export async function validAccess(t: Tap, base: string, token: string, what: string): Promise<unknown> {
  const res = await get(base, `/validate/jwt/access?${new URLSearchParams({ access: token })}`);
  t.equal(res.status, 200, `${what}: /validate/jwt/access answers 200`);
  t.match(res.headers.get('content-type'), /^application\/json/, `${what}: JSON`);
  return res.body;
}
