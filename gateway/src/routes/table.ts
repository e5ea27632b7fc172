import type { Profile, ServiceName } from '@propusk/contracts';

/**
 * What the gateway does with the access token of a route before proxying it:
 * - `none`: nothing (login); a client's identity headers are still stripped;
 * - `optional`: a valid token adds the identity headers, a missing or invalid one is
 *   proxied without them (the service answers in its own terms: drf logout is 200 anyway,
 *   envelope logout answers its 3002 failure);
 * - `required`: a missing or invalid token is answered by the gateway in the profile's shape.
 */
export type AuthPolicy = 'required' | 'optional' | 'none';

/**
 * The gateway's one route table: documented path → the service that owns the operation.
 * Profiles add their paths here as they land (DESIGN: "Profiles").
 */
export interface RouteEntry {
  /** Exact path as documented; served with and without a trailing slash. */
  readonly path: string;
  readonly methods: readonly ('GET' | 'POST')[];
  readonly upstream: ServiceName;
  /** The documented API whose shapes the gateway's own answers on this route take. */
  readonly profile: Profile;
  readonly auth: AuthPolicy;
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

export const ROUTES: readonly RouteEntry[] = [...DRF_ROUTES, ...ENVELOPE_ROUTES];
