import { jsonOf } from './http.js';
import { randomUUID } from 'node:crypto';
import { CLIENT_HEADER, RETRIED_HEADER, type StandIns } from '@propusk/testkit';
import { ADMIN, type AdminPair } from './admin-telegram.js';
import { codeIn, newPerson, registrationBody, V2, type Person } from './v2.js';

/**
 * The topology test's load (test/e2e/topology.test.ts): simulated users, each with a made-up
 * address the proxy forwards in X-Forwarded-For, going through whole sessions of every document
 * at once, every request recorded with when it started and ended and what came back:
 *
 * - admin-telegram (000): login, refresh, logout;
 * - envelope (001): admin login, logout;
 * - authorization (002): login by e-mail, refresh, access check;
 * - v2 (003): registration, login by password, an SMS code request, login with the code the
 *   Twilio stand-in received, signout;
 * - drf (004): login, check_token, RFC 7662 introspection of the token (client credentials,
 *   through the gateway), logout.
 *
 * A session that meets a failure is dropped and a new one begun (a client that lost its answer
 * does not know what the server did: a refresh token may have rotated). Tokens whose logout was
 * answered 2xx are kept (`revoked`) for the test to show they stay refused.
 */
export type Profile = 'admin-telegram' | 'envelope' | 'authorization' | 'v2' | 'drf' | 'standard';

export const PROFILES: readonly Profile[] = [
  'admin-telegram',
  'envelope',
  'authorization',
  'v2',
  'drf',
  'standard',
];

export interface Attempt {
  readonly kind: string;
  readonly profile: Profile;
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly end: number;
  /** The HTTP status; 0 when nothing was answered (`error` says why). */
  readonly status: number;
  /** 2xx and the answer says what the step expects. */
  readonly ok: boolean;
  readonly body: unknown;
  readonly text: string;
  readonly error?: string;
  readonly requestId: string;
  /** The proxy took it to the other gateway after the first gave no answer (why). */
  readonly retried?: string;
  readonly client: string;
  /** v2 registrations and code requests: who. */
  readonly person?: Person;
  /** Code requests: the phone (E.164) the code was to be texted to. */
  readonly destination?: string;
}

export interface RevokedToken {
  readonly profile: 'admin-telegram' | 'envelope' | 'v2' | 'drf';
  readonly token: string;
  /** When its logout was answered. */
  readonly at: number;
}

export interface TopologyUsers {
  admin: { username: string; password: string };
  envelope: { username: string; password: string };
  authorization: { email: string; password: string };
  drf: { username: string; password: string };
  introspection: { id: string; secret: string };
}

export interface TopologyLoadOptions {
  /** The proxy's base URL. */
  url: string;
  standIns: StandIns;
  users: TopologyUsers;
  v2Workers?: number;
  pauseMs?: number;
  hangMs?: number;
  /** How long a v2 session waits for its SMS before giving up on it. */
  smsWaitMs?: number;
}

export interface TopologyLoad {
  readonly attempts: readonly Attempt[];
  readonly revoked: readonly RevokedToken[];
  /** Requests started and not yet answered. */
  inFlight(): ReadonlyArray<{ kind: string; start: number }>;
  stop(): Promise<Attempt[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** A failed step: the session is dropped. */
class Dropped extends Error {}

let clientSerial = 0;

export function startTopologyLoad(opts: TopologyLoadOptions): TopologyLoad {
  const attempts: Attempt[] = [];
  const revoked: RevokedToken[] = [];
  const flying = new Map<string, { kind: string; start: number }>();
  const hangMs = opts.hangMs ?? 15_000;
  const pauseMs = opts.pauseMs ?? 100;
  const smsWaitMs = opts.smsWaitMs ?? 30_000;
  const { twilio } = opts.standIns;
  const { users } = opts;
  let running = true;

  interface Step {
    kind: string;
    profile: Profile;
    method?: 'GET' | 'POST';
    path: string;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
    expect?: (status: number, body: unknown) => boolean;
    extra?: Pick<Attempt, 'person' | 'destination'>;
  }

  function clientOf(): string {
    clientSerial += 1;
    return `198.51.${100 + Math.floor(clientSerial / 250)}.${(clientSerial % 250) + 1}`;
  }

  /** One request; answers the attempt, or throws Dropped when it failed. */
  async function step(client: string, s: Step): Promise<Attempt> {
    const start = Date.now();
    const requestId = `topology-${randomUUID()}`;
    flying.set(requestId, { kind: s.kind, start });
    const headers: Record<string, string> = {
      'x-request-id': requestId,
      [CLIENT_HEADER]: client,
      ...s.headers,
    };
    let body: string | undefined;
    if (s.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(s.json);
    } else if (s.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(s.form).toString();
    }
    const base = { kind: s.kind, profile: s.profile, start, requestId, client, ...s.extra };
    let attempt: Attempt;
    try {
      const res = await fetch(`${opts.url}${s.path}`, {
        method: s.method ?? 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(hangMs),
      });
      const text = await res.text();
      const parsed = jsonOf(text);
      const retried = res.headers.get(RETRIED_HEADER) ?? undefined;
      const ok = res.status >= 200 && res.status < 300 && (s.expect?.(res.status, parsed) ?? true);
      attempt = {
        ...base,
        end: Date.now(),
        status: res.status,
        ok,
        body: parsed,
        text,
        ...(retried ? { retried } : {}),
      };
    } catch (err) {
      attempt = {
        ...base,
        end: Date.now(),
        status: 0,
        ok: false,
        body: undefined,
        text: '',
        error: errorOf(err),
      };
    } finally {
      flying.delete(requestId);
    }
    attempts.push(attempt);
    if (!attempt.ok) throw new Dropped(attempt.kind);
    await sleep(pauseMs);
    return attempt;
  }

  /** The first SMS to `phone`, waited for until smsWaitMs passed or the load stops. */
  async function smsTo(phone: string): Promise<{ body: string } | undefined> {
    const until = Date.now() + smsWaitMs;
    while (running && Date.now() < until) {
      const found = twilio.messages.find((m) => m.to === phone);
      if (found) return found;
      await sleep(100);
    }
    return undefined;
  }

  /** Runs sessions until stopped; a failed step drops the session and a new one begins. */
  async function loop(session: (client: string) => Promise<void>): Promise<void> {
    const client = clientOf();
    while (running) {
      try {
        await session(client);
      } catch (err) {
        if (!(err instanceof Dropped)) throw err;
        await sleep(250);
      }
    }
  }

  const field = <T>(a: Attempt, ...path: string[]): T =>
    path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], a.body) as T;
  const hasString =
    (...path: string[]) =>
    (_: number, body: unknown) =>
      typeof path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], body) ===
      'string';

  async function adminTelegram(client: string): Promise<void> {
    const login = await step(client, {
      kind: 'admin-login',
      profile: 'admin-telegram',
      path: ADMIN.auth,
      json: users.admin,
      expect: hasString('refresh_token'),
    });
    const refreshed = await step(client, {
      kind: 'admin-refresh',
      profile: 'admin-telegram',
      path: ADMIN.auth,
      json: { refresh_token: field<string>(login, 'refresh_token') },
      expect: hasString('access_token'),
    });
    const pair = refreshed.body as AdminPair;
    const out = await step(client, {
      kind: 'admin-logout',
      profile: 'admin-telegram',
      path: ADMIN.logout,
      json: {},
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    revoked.push({ profile: 'admin-telegram', token: pair.access_token, at: out.end });
  }

  async function envelope(client: string): Promise<void> {
    // Document 001's tokens have no jti: the same claims in the same second sign to the same
    // JWT, which the last logout revoked. A new session starts in a new second.
    await sleep(1000 - (Date.now() % 1000) + 20);
    const login = await step(client, {
      kind: 'envelope-login',
      profile: 'envelope',
      path: '/api/v1/auth/admin/',
      json: users.envelope,
      expect: hasString('data', 'token'),
    });
    const token = field<string>(login, 'data', 'token');
    const out = await step(client, {
      kind: 'envelope-logout',
      profile: 'envelope',
      method: 'GET',
      path: '/api/v1/auth/logout/',
      headers: { authorization: `Bearer ${token}` },
    });
    revoked.push({ profile: 'envelope', token, at: out.end });
  }

  async function authorization(client: string): Promise<void> {
    const login = await step(client, {
      kind: 'authz-login',
      profile: 'authorization',
      path: '/authorization/login/email',
      json: { email: users.authorization.email, hash_password: users.authorization.password },
      expect: hasString('refresh'),
    });
    const refreshed = await step(client, {
      kind: 'authz-refresh',
      profile: 'authorization',
      method: 'GET',
      path: `/validate/jwt/refresh?${new URLSearchParams({ refresh: field<string>(login, 'refresh') })}`,
      expect: hasString('access'),
    });
    await step(client, {
      kind: 'authz-validate',
      profile: 'authorization',
      method: 'GET',
      path: `/validate/jwt/access?${new URLSearchParams({ access: field<string>(refreshed, 'access') })}`,
      expect: (_, body) => body === true,
    });
  }

  async function v2(client: string): Promise<void> {
    const person = newPerson();
    await step(client, {
      kind: 'v2-registration',
      profile: 'v2',
      path: V2.registration,
      json: registrationBody(person),
      extra: { person },
      expect: hasString('data', 'token'),
    });
    await step(client, {
      kind: 'v2-login',
      profile: 'v2',
      path: V2.loginByPassword,
      json: { email_address: person.email_address, password: person.password },
      expect: hasString('data', 'token'),
    });
    await step(client, {
      kind: 'code',
      profile: 'v2',
      path: V2.loginByPhone,
      json: { phone_number: person.phone_number },
      extra: { person, destination: person.e164 },
    });
    const message = await smsTo(person.e164);
    const code = message ? codeIn(message.body) : undefined;
    if (!code || !running) return;
    const signedIn = await step(client, {
      kind: 'code-login',
      profile: 'v2',
      path: V2.code,
      json: { login: person.e164, code },
      expect: hasString('data', 'token'),
    });
    const token = field<string>(signedIn, 'data', 'token');
    const out = await step(client, {
      kind: 'v2-signout',
      profile: 'v2',
      path: V2.signout,
      json: {},
      headers: { authorization: token },
    });
    revoked.push({ profile: 'v2', token, at: out.end });
  }

  async function drf(client: string): Promise<void> {
    const login = await step(client, {
      kind: 'drf-login',
      profile: 'drf',
      path: '/api/v1/login/',
      json: users.drf,
      expect: hasString('data', 'token'),
    });
    const token = field<string>(login, 'data', 'token');
    const auth = { authorization: `Token ${token}` };
    await step(client, {
      kind: 'check-token',
      profile: 'drf',
      path: '/api/v1/check_token/',
      json: { username: users.drf.username },
      headers: auth,
    });
    const basic = Buffer.from(`${users.introspection.id}:${users.introspection.secret}`).toString('base64');
    await step(client, {
      kind: 'introspect',
      profile: 'standard',
      path: '/oauth2/introspect',
      form: { token },
      headers: { authorization: `Basic ${basic}` },
      expect: (_, body) => (body as { active?: unknown } | undefined)?.active === true,
    });
    const out = await step(client, {
      kind: 'drf-logout',
      profile: 'drf',
      path: '/api/v1/logout/',
      headers: auth,
    });
    revoked.push({ profile: 'drf', token, at: out.end });
  }

  const workers = [
    loop(adminTelegram),
    loop(envelope),
    loop(authorization),
    loop(drf),
    ...Array.from({ length: opts.v2Workers ?? 2 }, () => loop(v2)),
  ];

  return {
    attempts,
    revoked,
    inFlight: () => [...flying.values()],
    async stop() {
      running = false;
      await Promise.all(workers);
      return attempts;
    },
  };
}

/**
 * Whether a failure is clean: an answer of 503 or 429 in its profile's shape (`alsoAllowed`:
 * further statuses, for a request the proxy retried). Document 000 `{"message"}`, 001
 * `{"data", "errors": [{"code", "message"}]}`, 002 `{"detail"}`, 003 `{"code", "message"}`, 004
 * `{"result": {"status", "message"}, "data": {}}`, the standard endpoints RFC 6749 §5.2's
 * `{"error", "error_description"}`.
 */
export function cleanFailure(a: Attempt, allowed: readonly number[] = [503, 429]): boolean {
  if (!allowed.includes(a.status)) return false;
  const body = a.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return false;
  const keys = Object.keys(body).sort().join();
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  switch (a.profile) {
    case 'admin-telegram':
      return keys === 'message' && text(body.message);
    case 'envelope': {
      const errors = body.errors as Array<{ code?: unknown; message?: unknown }> | undefined;
      return (
        Array.isArray(errors) &&
        errors.length > 0 &&
        errors.every((e) => typeof e.code === 'number' && text(e.message)) &&
        keys.split(',').every((k) => k === 'data' || k === 'errors')
      );
    }
    case 'authorization':
      return keys === 'detail' && text(body.detail);
    case 'v2':
      return keys === 'code,message' && typeof body.code === 'number' && text(body.message);
    case 'drf': {
      const result = body.result as { status?: unknown; message?: unknown } | undefined;
      return keys === 'data,result' && result?.status === a.status && text(result.message);
    }
    case 'standard':
      return keys === 'error,error_description' && text(body.error) && text(body.error_description);
  }
}

/** `drf-login 200×31 503×2 | code …`: what came back, for the test's comments. */
export function summary(attempts: readonly Attempt[]): string {
  const byKind = new Map<string, Map<string, number>>();
  for (const a of attempts) {
    const kind = byKind.get(a.kind) ?? new Map<string, number>();
    const key = a.status === 0 ? (a.error ?? 'none') : a.ok ? String(a.status) : `${a.status}!`;
    kind.set(key, (kind.get(key) ?? 0) + 1);
    byKind.set(a.kind, kind);
  }
  return [...byKind]
    .map(([kind, counts]) => `${kind} ${[...counts].map(([k, n]) => `${k}×${n}`).join(' ')}`)
    .join(' | ');
}
