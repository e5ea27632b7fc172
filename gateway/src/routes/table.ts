import { TELEGRAM_WEBHOOK_PATH, type Profile, type ServiceName } from '@propusk/contracts';

/**
 * What the gateway does with the access token of a route before proxying it:
 * - `none`: nothing (login); a client's identity headers are still stripped;
 * - `optional`: a valid token adds the identity headers, a missing or invalid one is
 *   proxied without them (the service answers in its own terms: drf logout is 200 anyway,
 *   envelope logout answers its 3002 failure);
 * - `required`: a missing or invalid token is answered by the gateway in the profile's shape.
 */
export type AuthPolicy = 'required' | 'optional' | 'none';

/** What every route of the table holds. */
interface RouteBase {
  /** Exact path as documented; served with and without a trailing slash. */
  readonly path: string;
  readonly methods: readonly ('GET' | 'POST')[];
  readonly upstream: ServiceName;
  /**
   * The route revokes the presented token (logout): once the service answered, the
   * gateway forgets the token's cached verification so the very next request re-checks.
   */
  readonly revokes?: boolean;
  /**
   * The operation's documented error code, carried by the gateway's own answers on this route
   * (document 001: 3001 for login, 3002 for logout; see profiles/answers.ts).
   */
  readonly errorCode?: number;
}

/** A route of one of the five documented APIs. */
export interface ProfileRoute extends RouteBase {
  /** The documented API whose shapes the gateway's own answers on this route take. */
  readonly profile: Profile;
  readonly auth: AuthPolicy;
}

/**
 * A standard endpoint (DESIGN: "Beyond the documents"): discovery, JWKS, RFC 7662 and RFC 7009.
 * No access token is checked here: the callers of introspection and revocation authenticate to
 * the token service with their client credentials (the Authorization header goes on as sent).
 * The gateway's own answers take RFC 6749 §5.2's `{"error", "error_description"}`.
 */
export interface StandardRoute extends RouteBase {
  readonly profile: 'standard';
  readonly auth: 'none';
}

/**
 * The gateway's one route table: documented path → the service that owns the operation.
 * Profiles add their paths here as they land (DESIGN: "Profiles").
 */
export type RouteEntry = ProfileRoute | StandardRoute;

/** Document 004 (drf): the `/api/v1/…` and `/api/v1/accounts/…` spellings of the same document. */
const DRF_ROUTES: readonly RouteEntry[] = ['/api/v1', '/api/v1/accounts'].flatMap((base) => [
  { path: `${base}/login/`, methods: ['POST'], upstream: 'identity', profile: 'drf', auth: 'none' },
  {
    path: `${base}/logout/`,
    methods: ['POST'],
    upstream: 'token',
    profile: 'drf',
    auth: 'optional',
    revokes: true,
  },
  { path: `${base}/check_token/`, methods: ['POST'], upstream: 'token', profile: 'drf', auth: 'required' },
]);

/** Document 001 (envelope). */
const ENVELOPE_ROUTES: readonly RouteEntry[] = [
  ...['/api/v1/auth/admin/', '/api/v1/auth/user/'].map((path): RouteEntry => ({
    path,
    methods: ['POST'],
    upstream: 'identity',
    profile: 'envelope',
    auth: 'none',
    errorCode: 3001,
  })),
  // The token service answers the documented 3002 failure itself when no verified token arrives.
  {
    path: '/api/v1/auth/logout/',
    methods: ['GET'],
    upstream: 'token',
    profile: 'envelope',
    auth: 'optional',
    revokes: true,
    errorCode: 3002,
  },
];

/**
 * Document 000 (admin-telegram): registration and auth are identity's; logout is the token
 * service's and needs the access token (DESIGN, 000: the same token is refused afterwards).
 */
const ADMIN_TELEGRAM_ROUTES: readonly RouteEntry[] = [
  ...['/api/v1/admin/registration/code', '/api/v1/admin/registration', '/api/v1/admin/auth'].map(
    (path): RouteEntry => ({
      path,
      methods: ['POST'],
      upstream: 'identity',
      profile: 'admin-telegram',
      auth: 'none',
    }),
  ),
  {
    path: '/api/v1/admin/logout',
    methods: ['POST'],
    upstream: 'token',
    profile: 'admin-telegram',
    auth: 'required',
    revokes: true,
  },
];

/**
 * Telegram's webhook calls (when TELEGRAM_WEBHOOK_URL is set) reach the bot in the notification
 * service, which checks Telegram's X-Telegram-Bot-Api-Secret-Token header itself. The bot records
 * the chats of document 000, so the gateway's own failures there take that profile's shape.
 */
const TELEGRAM_ROUTES: readonly RouteEntry[] = [
  {
    path: TELEGRAM_WEBHOOK_PATH,
    methods: ['POST'],
    upstream: 'notification',
    profile: 'admin-telegram',
    auth: 'none',
  },
];

/**
 * Document 003's code endpoint is spelled with a Cyrillic `с` (U+0441): `/v2/auth/%D1%81ode`.
 * The router matches decoded paths, so this one entry serves the percent-encoded spelling in
 * any hex case; DESIGN adds the Latin `/v2/auth/code` as a second entry.
 */
export const V2_CYRILLIC_CODE_PATH = '/v2/auth/\u0441ode';

const v2 = (path: string, upstream: ServiceName, auth: AuthPolicy): RouteEntry => ({
  path,
  methods: ['POST'],
  upstream,
  profile: 'v2',
  auth,
});

/**
 * Document 003 (v2): identity owns the account flows; `verification` and `password` act on the
 * signed-in account, so the token (verified here) proves which; signout is the token service's
 * and kills the token (DESIGN, 003). `password` (a new password after a recovery code signed
 * the user in) is beyond the document.
 */
const V2_ROUTES: readonly RouteEntry[] = [
  v2('/v2/auth/registration', 'identity', 'none'),
  v2('/v2/auth/verification', 'identity', 'required'),
  v2('/v2/auth/loginByPassword', 'identity', 'none'),
  v2('/v2/auth/loginByPhone', 'identity', 'none'),
  v2('/v2/auth/passwordRecovery', 'identity', 'none'),
  v2('/v2/auth/code', 'identity', 'none'),
  v2(V2_CYRILLIC_CODE_PATH, 'identity', 'none'),
  v2('/v2/auth/password', 'identity', 'required'),
  { ...v2('/v2/auth/signout', 'token', 'required'), revokes: true },
];

/** Document 002's providers as their paths spell them. */
export const AUTHORIZATION_PROVIDER_PATHS = ['vk', 'mail.ru', 'yandex'] as const;

const authorization = (path: string, method: 'GET' | 'POST', upstream: ServiceName): RouteEntry => ({
  path,
  methods: [method],
  upstream,
  profile: 'authorization',
  auth: 'none',
});

/**
 * Document 002 (authorization): no route takes an access token at the gateway. Sign-in is
 * identity's; the provider flows (and DESIGN's callback) are federation's; `/validate/jwt/*`
 * carry the token in the query (`?access=`, `?refresh=`) and the token service judges it,
 * answering `true`/`false` or a new access token in the document's shapes.
 */
const AUTHORIZATION_ROUTES: readonly RouteEntry[] = [
  ...['/authorization/registration', '/authorization/login/email', '/authorization/login/phone/number'].map(
    (path) => authorization(path, 'POST', 'identity'),
  ),
  ...AUTHORIZATION_PROVIDER_PATHS.flatMap((provider) =>
    ['link', 'callback', 'get/token', 'registration', 'login'].map((op) =>
      authorization(`/${provider}/${op}`, 'GET', 'federation'),
    ),
  ),
  authorization('/validate/jwt/access', 'GET', 'token'),
  authorization('/validate/jwt/refresh', 'GET', 'token'),
];

const standard = (path: string, method: 'GET' | 'POST'): StandardRoute => ({
  path,
  methods: [method],
  upstream: 'token',
  profile: 'standard',
  auth: 'none',
});

/** The token service serves all four (its README: "Standard endpoints"). */
const STANDARD_ROUTES: readonly RouteEntry[] = [
  standard('/.well-known/openid-configuration', 'GET'),
  standard('/.well-known/jwks.json', 'GET'),
  standard('/oauth2/introspect', 'POST'),
  standard('/oauth2/revoke', 'POST'),
];

export const ROUTES: readonly RouteEntry[] = [
  ...DRF_ROUTES,
  ...ENVELOPE_ROUTES,
  ...ADMIN_TELEGRAM_ROUTES,
  ...TELEGRAM_ROUTES,
  ...V2_ROUTES,
  ...AUTHORIZATION_ROUTES,
  ...STANDARD_ROUTES,
];

/**
 * Path prefixes owned by one profile: an unknown path under one is answered 404, a wrong method
 * on a known path 405, in that profile's shape (not-found.ts). The longest prefix wins:
 * `/api/v1/admin/` is document 000's and `/api/v1/auth/` document 001's inside document 004's
 * `/api/v1/` (DESIGN, "Profiles"). Elsewhere the gateway's generic 404 applies.
 */
const PROFILE_PREFIXES: ReadonlyArray<{ readonly prefix: string; readonly profile: Profile }> = [
  { prefix: '/api/v1/', profile: 'drf' as const },
  { prefix: '/api/v1/admin/', profile: 'admin-telegram' as const },
  { prefix: '/api/v1/auth/', profile: 'envelope' as const },
  { prefix: '/v2/', profile: 'v2' as const },
  ...['/authorization/', ...AUTHORIZATION_PROVIDER_PATHS.map((p) => `/${p}/`), '/validate/jwt/'].map(
    (prefix) => ({ prefix, profile: 'authorization' as const }),
  ),
].sort((a, b) => b.prefix.length - a.prefix.length);

/** The profile whose URL space holds `path` (no query string), if one does. */
export function profileOfPath(path: string): Profile | undefined {
  const withSlash = path.endsWith('/') ? path : `${path}/`;
  return PROFILE_PREFIXES.find(({ prefix }) => withSlash.startsWith(prefix))?.profile;
}
