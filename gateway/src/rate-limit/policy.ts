import { AUTHORIZATION_PROVIDER_PATHS, V2_CYRILLIC_CODE_PATH, type RouteEntry } from '../routes/table.js';

/**
 * Which request budget a route spends (DESIGN, "Shape": the gateway rate-limits). Every routed
 * request counts against the client address's general budget; the routes where a request is a
 * guess at a secret or costs a password hash or a message — logins, registrations, code requests
 * and code submissions, refreshes — also count against the much smaller credentials budget.
 * Registration on documents 002 and 003 would otherwise be bounded only by the argon2 cost.
 */
export type LimitClass = 'credentials' | 'general';

/**
 * Routes no address budget applies to: RFC 7662 introspection and RFC 7009 revocation serve
 * internal resource servers, which may ask many times a second from one address (a per-IP budget
 * sized for browsers and apps would refuse them). Their callers authenticate with a client secret
 * of at least 128 bits (the token service's INTROSPECTION_CLIENTS, checked at its start), and the
 * token service throttles failed client authentications per client id and client address itself
 * (services/token/src/oauth-clients/throttle.ts), so a right secret is never spent on a budget.
 */
export const UNCOUNTED_PATHS: ReadonlySet<string> = new Set(['/oauth2/introspect', '/oauth2/revoke']);

/** The credential routes, by their route-table path (the router matches them with or without a trailing slash). */
export const CREDENTIAL_PATHS: ReadonlySet<string> = new Set([
  // Document 004: the password login, both spellings.
  '/api/v1/login/',
  '/api/v1/accounts/login/',
  // Document 001: both logins.
  '/api/v1/auth/admin/',
  '/api/v1/auth/user/',
  // Document 000: code request (checks the password), code submission, login and refresh.
  '/api/v1/admin/registration/code',
  '/api/v1/admin/registration',
  '/api/v1/admin/auth',
  // Document 003: registration, logins, every code request and submission, the new password.
  '/v2/auth/registration',
  '/v2/auth/verification',
  '/v2/auth/loginByPassword',
  '/v2/auth/loginByPhone',
  '/v2/auth/passwordRecovery',
  '/v2/auth/code',
  V2_CYRILLIC_CODE_PATH,
  '/v2/auth/password',
  // Document 002: registration, the password logins, provider sign-in, the refresh.
  '/authorization/registration',
  '/authorization/login/email',
  '/authorization/login/phone/number',
  ...AUTHORIZATION_PROVIDER_PATHS.flatMap((p) => [`/${p}/get/token`, `/${p}/registration`, `/${p}/login`]),
  '/validate/jwt/refresh',
]);

/** The budget a route spends, or `undefined` for the internal callers' routes (UNCOUNTED_PATHS). */
export function limitClassOf(route: Pick<RouteEntry, 'path'>): LimitClass | undefined {
  if (UNCOUNTED_PATHS.has(route.path)) return undefined;
  return CREDENTIAL_PATHS.has(route.path) ? 'credentials' : 'general';
}
