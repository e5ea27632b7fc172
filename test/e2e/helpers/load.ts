import { jsonOf } from './http.js';
import { randomUUID } from 'node:crypto';
import type { Suite } from '@propusk/testkit';
import { newPerson, registrationBody, V2, type Person } from './v2.js';

/**
 * A steady stream of logins and code requests through the gateway, for the fault tests
 * (test/e2e/faults/faults-*): every request is recorded with when it started and ended and
 * what came back, so a test can say which requests were answered 2xx (their effect must
 * exist, once) and that every other one got a clean answer, never a hang.
 *
 * - `registrations` workers each loop: register a new person (document 003 registration),
 *   then ask for a sign-in code by SMS to that person's phone (loginByPhone; Twilio stand-in)
 *   when the registration was answered 200, or 5xx (an outage: code requests go on during it;
 *   the account may or may not exist). Every destination is asked once, so the messages a
 *   phone received count exactly what was sent for its one request.
 * - `drfLogins` workers each loop: a document 004 login with one of the given users.
 */
export type Kind = 'registration' | 'code' | 'drf-login';

export interface Attempt {
  readonly kind: Kind;
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly end: number;
  /** The HTTP status; 0 when nothing was answered (`error` says why). */
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
  /** Without an answer: the connection error code, or `timeout` (a hang). */
  readonly error?: string;
  /** The request's `x-request-id`: every process logs its part of the work with it. */
  readonly requestId: string;
  /** Registrations and code requests: who. */
  readonly person?: Person;
  /** Code requests: the phone (E.164) the code was to be texted to. */
  readonly destination?: string;
}

export interface LoadOptions {
  registrations?: number;
  drfLogins?: { workers: number; users: ReadonlyArray<{ username: string; password: string }> };
  /** Pause of each worker between two requests. */
  pauseMs?: number;
  /** A request not answered within this is a hang (recorded with error `timeout`). */
  hangMs?: number;
}

export interface Load {
  readonly attempts: readonly Attempt[];
  /** Stops starting requests; resolves with every attempt once those in flight ended. */
  stop(): Promise<Attempt[]>;
  /**
   * Registration workers stop asking for codes (they keep registering) until `resumeCodes`;
   * resolves once no code request is in flight.
   */
  pauseCodes(): Promise<void>;
  resumeCodes(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export function startLoad(suite: Pick<Suite, 'url'>, opts: LoadOptions): Load {
  const attempts: Attempt[] = [];
  const hangMs = opts.hangMs ?? 15_000;
  const pauseMs = opts.pauseMs ?? 50;
  let running = true;
  let codesPaused = false;
  const codesInFlight = new Set<Promise<Attempt>>();

  async function send(
    kind: Kind,
    path: string,
    json: unknown,
    extra: Pick<Attempt, 'person' | 'destination'> = {},
  ): Promise<Attempt> {
    const start = Date.now();
    const requestId = `load-${randomUUID()}`;
    let attempt: Attempt;
    try {
      const res = await fetch(`${suite.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify(json),
        signal: AbortSignal.timeout(hangMs),
      });
      const text = await res.text();
      const body = jsonOf(text);
      attempt = { kind, start, end: Date.now(), status: res.status, body, text, requestId, ...extra };
    } catch (err) {
      attempt = {
        kind,
        start,
        end: Date.now(),
        status: 0,
        body: undefined,
        text: '',
        error: errorOf(err),
        requestId,
        ...extra,
      };
    }
    attempts.push(attempt);
    // Nobody listening (the gateway is down): wait a little rather than spin on refusals.
    if (attempt.status === 0) await sleep(250);
    return attempt;
  }

  async function registrationWorker(): Promise<void> {
    while (running) {
      const person = newPerson();
      const reg = await send('registration', V2.registration, registrationBody(person), { person });
      const askCode = reg.status === 200 || reg.status >= 500;
      if (askCode && running && !codesPaused) {
        const extra = { person, destination: person.e164 };
        const code = send('code', V2.loginByPhone, { phone_number: person.phone_number }, extra);
        codesInFlight.add(code);
        await code.finally(() => codesInFlight.delete(code));
      }
      await sleep(pauseMs);
    }
  }

  async function drfWorker(users: ReadonlyArray<{ username: string; password: string }>): Promise<void> {
    for (let i = 0; running; i++) {
      const user = users[i % users.length] as { username: string; password: string };
      await send('drf-login', '/api/v1/login/', { username: user.username, password: user.password });
      await sleep(pauseMs);
    }
  }

  const workers: Promise<void>[] = [];
  for (let i = 0; i < (opts.registrations ?? 0); i++) workers.push(registrationWorker());
  const drf = opts.drfLogins;
  if (drf) for (let i = 0; i < drf.workers; i++) workers.push(drfWorker(drf.users));

  return {
    attempts,
    async pauseCodes() {
      codesPaused = true;
      await Promise.all([...codesInFlight]);
    },
    resumeCodes() {
      codesPaused = false;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
      return attempts;
    },
  };
}

export const isSuccess = (a: Attempt) => a.status >= 200 && a.status < 300;

/**
 * Whether a refusal is clean: an HTTP answer (4xx or 5xx) in its profile's shape. Document
 * 003: exactly `{"code": <number>, "message": <text>}`; document 004: `{"result": {"status":
 * <the HTTP status>, "message": <text>}, "data": {}}`.
 */
export function cleanRefusal(a: Attempt): boolean {
  if (a.status < 400 || a.status > 599) return false;
  const body = a.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return false;
  if (a.kind === 'drf-login') {
    const result = body.result as { status?: unknown; message?: unknown } | undefined;
    return (
      Object.keys(body).sort().join() === 'data,result' &&
      result?.status === a.status &&
      typeof result.message === 'string' &&
      result.message.length > 0
    );
  }
  return (
    Object.keys(body).sort().join() === 'code,message' &&
    typeof body.code === 'number' &&
    typeof body.message === 'string' &&
    body.message.length > 0
  );
}

/** `registration 200×31 503×2 | code 200×30 …`: what came back, for the test's comments. */
export function summary(attempts: readonly Attempt[]): string {
  const byKind = new Map<string, Map<string, number>>();
  for (const a of attempts) {
    const kind = byKind.get(a.kind) ?? new Map<string, number>();
    const key = a.status === 0 ? (a.error ?? 'none') : String(a.status);
    kind.set(key, (kind.get(key) ?? 0) + 1);
    byKind.set(a.kind, kind);
  }
  return [...byKind]
    .map(([kind, counts]) => `${kind} ${[...counts].map(([k, n]) => `${k}×${n}`).join(' ')}`)
    .join(' | ');
}

/** The attempts that overlap [from, to] (milliseconds since the epoch). */
export const during = (attempts: readonly Attempt[], from: number, to: number) =>
  attempts.filter((a) => a.start <= to && a.end >= from);

/**
 * Settings for a suite under load: the per-IP code budget fits a test's stream of code requests
 * (all from 127.0.0.1), and a delivery a crash left unacknowledged comes back within seconds
 * (JetStream's ack_wait at its 5 s minimum) so a test can wait for deliveries to settle.
 */
export const LOAD_ENV: Readonly<Record<string, string>> = {
  CODE_SENDS_PER_IP_PER_HOUR: '100000',
  NOTIFY_ACK_WAIT_MS: '5000',
  NOTIFY_SEND_TIMEOUT_MS: '3000',
  NOTIFY_BACKOFF_BASE_MS: '200',
  NOTIFY_BACKOFF_MAX_MS: '1000',
};

/** The log lines of a request, every process's, in order (kit logs the request id as `reqId`). */
export function linesOf(logs: readonly string[], requestId: string): string[] {
  return logs.filter((line) => line.includes(requestId));
}
