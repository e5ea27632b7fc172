import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HeldRequests, isValidVerifier, randomToken, s256, stringFields } from './util.js';

/**
 * What the three OAuth stand-ins (VK ID, Yandex, Mail.ru) share: registered clients,
 * single-use codes bound to client/redirect/PKCE, access tokens bound to a client, outages,
 * a request log and user denials. Each provider file adds its own routes and error shapes.
 */

export type OutageMode = '5xx' | 'timeout' | 'error-body';

export interface OAuthClient {
  clientId: string;
  clientSecret?: string;
  /** When given, authorize refuses other redirect URIs; when empty, any URI is accepted. */
  redirectUris?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

export interface CodeGrant<U> {
  code: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  deviceId?: string;
  user: U;
  expiresAt: number;
  used: boolean;
}

export interface AccessGrant<U> {
  accessToken: string;
  refreshToken: string;
  clientId: string;
  scope: string;
  user: U;
  expiresAt: number;
}

/** Test controls every OAuth stand-in exposes. */
export interface OAuthControls<U> {
  url: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  /** Codes handed out by authorize, newest last. */
  codes: CodeGrant<U>[];
  readonly user: U;
  /** Replaces the signed-in user; fields not given take the stand-in's defaults. */
  setUser(user: Partial<U>): U;
  addClient(client: OAuthClient): void;
  /** Mints an access token directly, e.g. one issued to ANOTHER client. */
  issueToken(options?: { clientId?: string; user?: Partial<U>; scope?: string }): AccessGrant<U>;
  /** null ends the outage; `paths` limits it to some endpoints (e.g. ['/token']). */
  setOutage(mode: OutageMode | null, paths?: string[]): void;
  /** The next n authorize calls redirect with error=access_denied (the user said no). */
  denyNext(n?: number): void;
  /** Makes every outstanding code / token expired. */
  expireCodes(): void;
  expireTokens(): void;
  close(): Promise<void>;
}

interface ControlsSetup {
  app: FastifyInstance;
  url: string;
  clientId: string;
  clientSecret: string;
  tokenPrefix?: string;
  /** Scope of tokens minted with issueToken() when the test gives none. */
  defaultScope?: string;
}

export class OAuthCore<U> {
  readonly clients = new Map<string, OAuthClient>();
  readonly codes = new Map<string, CodeGrant<U>>();
  readonly tokens = new Map<string, AccessGrant<U>>();
  readonly requests: RecordedRequest[] = [];
  readonly held = new HeldRequests();
  outage: { mode: OutageMode; paths?: string[] } | null = null;
  denials = 0;
  user: U;

  constructor(
    private readonly defaults: () => U,
    readonly codeTtlSeconds: number,
    readonly tokenTtlSeconds: number,
    /** Provider-specific touch-up of a user set by a test (derived fields). */
    private readonly normalise: (user: U, given: Partial<U>) => U = (user) => user,
  ) {
    this.user = defaults();
  }

  setUser(user: Partial<U>): U {
    this.user = this.normalise({ ...this.defaults(), ...user }, user);
    return this.user;
  }

  addClient(client: OAuthClient): void {
    this.clients.set(client.clientId, client);
  }

  redirectAllowed(client: OAuthClient, redirectUri: string): boolean {
    return !client.redirectUris?.length || client.redirectUris.includes(redirectUri);
  }

  /** Consumes one pending denial, if the test asked for one. */
  takeDenial(): boolean {
    if (this.denials <= 0) return false;
    this.denials -= 1;
    return true;
  }

  issueCode(
    grant: Omit<CodeGrant<U>, 'code' | 'user' | 'expiresAt' | 'used'>,
    code = randomToken(24),
  ): CodeGrant<U> {
    const record: CodeGrant<U> = {
      ...grant,
      code,
      user: this.user,
      expiresAt: Date.now() + this.codeTtlSeconds * 1000,
      used: false,
    };
    this.codes.set(code, record);
    return record;
  }

  /**
   * Finds a code that can still be redeemed by this client, or says why not. The code is
   * consumed only by a successful exchange (see markUsed), as the checks below run first.
   */
  findCode(code: string | undefined, clientId: string): { grant: CodeGrant<U> } | { reason: string } {
    if (!code) return { reason: 'code is required' };
    const grant = this.codes.get(code);
    if (!grant) return { reason: 'code is invalid' };
    if (grant.used) return { reason: 'code has already been used' };
    if (grant.expiresAt <= Date.now()) return { reason: 'code has expired' };
    if (grant.clientId !== clientId) return { reason: 'code was issued to another client' };
    return { grant };
  }

  /** Checks the PKCE verifier against the stored challenge; undefined means it passes. */
  pkceProblem(grant: CodeGrant<U>, verifier: string | undefined): string | undefined {
    if (!grant.codeChallenge) return undefined;
    if (!verifier) return 'code_verifier is required';
    if (!isValidVerifier(verifier)) return 'code_verifier is malformed';
    const method = (grant.codeChallengeMethod ?? 'plain').toLowerCase();
    const derived = method === 's256' ? s256(verifier) : verifier;
    return derived === grant.codeChallenge ? undefined : 'code_verifier does not match code_challenge';
  }

  issueToken(clientId: string, user: U, scope: string, prefix = ''): AccessGrant<U> {
    const grant: AccessGrant<U> = {
      accessToken: prefix + randomToken(32),
      refreshToken: prefix + randomToken(32),
      clientId,
      scope,
      user,
      expiresAt: Date.now() + this.tokenTtlSeconds * 1000,
    };
    this.tokens.set(grant.accessToken, grant);
    return grant;
  }

  findToken(token: string | undefined): AccessGrant<U> | undefined {
    if (!token) return undefined;
    const grant = this.tokens.get(token);
    return grant && grant.expiresAt > Date.now() ? grant : undefined;
  }

  expireCodes(): void {
    for (const grant of this.codes.values()) grant.expiresAt = 0;
  }

  expireTokens(): void {
    for (const grant of this.tokens.values()) grant.expiresAt = 0;
  }

  /**
   * Records every request and applies the outage. `errorBody` gives the provider's own
   * error answer for the 'error-body' mode on a path.
   */
  installHooks(app: FastifyInstance, errorBody: (path: string) => { status: number; body: unknown }): void {
    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? request.url;
      this.requests.push({
        method: request.method,
        path,
        query: stringFields(request.query),
        body: stringFields(request.body),
        headers: { ...request.headers },
      });
      const outage = this.outage;
      if (!outage || (outage.paths && !outage.paths.includes(path))) return;
      if (outage.mode === 'timeout') return this.held.hold(reply);
      if (outage.mode === '5xx') {
        return reply
          .code(503)
          .send({ error: 'temporarily_unavailable', error_description: 'Service Unavailable' });
      }
      const answer = errorBody(path);
      return reply.code(answer.status).send(answer.body);
    });
  }

  /** Controls shared by every provider, bound to this core. */
  controls(setup: ControlsSetup): OAuthControls<U> {
    const { app, url, clientId, clientSecret, tokenPrefix = '', defaultScope = '' } = setup;
    const readUser = (): U => this.user;
    const readCodes = (): CodeGrant<U>[] => [...this.codes.values()];
    return {
      url,
      clientId,
      clientSecret,
      requests: this.requests,
      get codes() {
        return readCodes();
      },
      get user() {
        return readUser();
      },
      setUser: (user) => this.setUser(user),
      addClient: (client) => this.addClient(client),
      issueToken: (options = {}) =>
        this.issueToken(
          options.clientId ?? clientId,
          options.user ? { ...this.user, ...options.user } : this.user,
          options.scope ?? defaultScope,
          tokenPrefix,
        ),
      setOutage: (mode, paths) => {
        this.outage = mode === null ? null : paths ? { mode, paths } : { mode };
      },
      denyNext: (n = 1) => {
        this.denials += n;
      },
      expireCodes: () => this.expireCodes(),
      expireTokens: () => this.expireTokens(),
      close: async () => {
        this.held.releaseAll();
        await app.close();
      },
    };
  }
}

/** Builds `redirectUri` with extra query parameters, keeping any it already has. */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) target.searchParams.set(key, value);
  }
  return target.toString();
}

export function isAbsoluteUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Bearer/OAuth token from an Authorization header, if present. */
export function tokenFromHeader(header: string | undefined, schemes: string[]): string | undefined {
  if (!header) return undefined;
  const [scheme, token] = header.split(/\s+/, 2);
  if (!scheme || !token) return undefined;
  return schemes.some((s) => s.toLowerCase() === scheme.toLowerCase()) ? token : undefined;
}
