import type { Test } from 'tap';
import type { Suite } from '@propusk/testkit';
import { bearer, post, type Answer } from './http.js';

/**
 * Document 003 (profile v2) helpers for the end-to-end tests: its paths, unique people, the
 * codes as the user reads them from the SMS (Twilio stand-in) or the e-mail (SMTP sink), and
 * the answers' shapes (DESIGN, 003: `422:7` is HTTP 422 with `{"code": 7, "message": "..."}`).
 */
export const V2 = Object.freeze({
  registration: '/v2/auth/registration',
  verification: '/v2/auth/verification',
  loginByPassword: '/v2/auth/loginByPassword',
  loginByPhone: '/v2/auth/loginByPhone',
  passwordRecovery: '/v2/auth/passwordRecovery',
  /** The document's spelling, with a Cyrillic `с` (U+0441), as it travels on the wire. */
  codeCyrillic: '/v2/auth/%D1%81ode',
  code: '/v2/auth/code',
  signout: '/v2/auth/signout',
  /** Beyond the document: the new password at the end of a recovery. */
  password: '/v2/auth/password',
});

export interface Person {
  name: string;
  surname: string;
  patronymic: string | null;
  email_address: string;
  /** As the user typed it (`8 (916) …`); `e164` is how it is stored and texted. */
  phone_number: string;
  e164: string;
  password: string;
}

let serial = 0;

/**
 * A person nobody registered yet: a unique e-mail and a Moscow mobile number (+7 916, a range
 * libphonenumber knows as mobile), the phone written the way Russians often write it. Tests
 * use +7 926 for numbers nobody has.
 */
export function newPerson(over: Partial<Person> = {}): Person {
  serial += 1;
  const tail = String((process.pid * 1000 + serial) % 10_000_000).padStart(7, '0');
  const e164 = `+7916${tail}`;
  return {
    name: 'Иван',
    surname: 'Петров',
    patronymic: 'Сергеевич',
    email_address: `ivan.${serial}.${process.pid}@example.ru`,
    phone_number: `8 (916) ${tail.slice(0, 3)}-${tail.slice(3, 5)}-${tail.slice(5)}`,
    e164,
    password: `Secret-pass-${serial}-${process.pid}`,
    ...over,
  };
}

/** The registration body of a person (without the test's own `e164`). */
export function registrationBody(p: Person): Record<string, unknown> {
  const { e164: _e164, ...body } = p;
  return body;
}

/** The 6-digit code in a message's text. */
export const codeIn = (text: string): string | undefined => /\b(\d{6})\b/.exec(text)?.[1];

/** A different code of the same form. */
export const wrongCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

export interface Delivered {
  res: Answer;
  code: string;
  text: string;
}

export interface V2Client {
  register(p: Person): Promise<string>;
  loginByPassword(email: string, password: string): Promise<string>;
  /**
   * Sends a request that should text a code to `phone` (E.164) and waits for that SMS; only
   * messages that arrive after the request count.
   */
  smsCode(phone: string, request: () => Promise<Answer>): Promise<Delivered>;
  /** The same for a code sent by e-mail to `email`. */
  mailCode(email: string, request: () => Promise<Answer>): Promise<Delivered>;
  /** POST /v2/auth/code (Latin spelling) with `{login, code}`; answers the token or throws. */
  signInWithCode(login: string, code: string): Promise<string>;
  /**
   * Whether the gateway lets the token through to a protected v2 route: `verification` with an
   * empty body answers 422:7 to a live token (and sends nothing), 401 to a dead one.
   */
  accepted(token: string): Promise<Answer>;
}

const DELIVERY_TIMEOUT_MS = 20_000;

function ensure200(res: Answer, what: string): void {
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${res.text}`);
}

export function v2Client(suite: Suite): V2Client {
  const { url } = suite;
  const { twilio, smtp } = suite.standIns;

  async function delivered<M>(
    messages: readonly M[],
    matches: (m: M) => boolean,
    wait: (predicate: (m: M) => boolean, timeoutMs: number) => Promise<M>,
    textOf: (m: M) => string,
    request: () => Promise<Answer>,
  ): Promise<Delivered> {
    const before = new Set(messages);
    const res = await request();
    ensure200(res, 'code request');
    const message = await wait((m) => !before.has(m) && matches(m), DELIVERY_TIMEOUT_MS);
    const text = textOf(message);
    const code = codeIn(text);
    if (!code) throw new Error(`no 6-digit code in the message: ${text}`);
    return { res, code, text };
  }

  return {
    async register(p) {
      const res = await post(url, V2.registration, { json: registrationBody(p) });
      ensure200(res, `registration of ${p.email_address}`);
      return (res.body as { data: { token: string } }).data.token;
    },
    async loginByPassword(email, password) {
      const res = await post(url, V2.loginByPassword, { json: { email_address: email, password } });
      ensure200(res, `loginByPassword ${email}`);
      return (res.body as { data: { token: string } }).data.token;
    },
    smsCode: (phone, request) =>
      delivered(
        twilio.messages,
        (m) => m.to === phone,
        (predicate, timeoutMs) => twilio.waitForMessage(predicate, timeoutMs),
        (m) => m.body,
        request,
      ),
    mailCode: (email, request) =>
      delivered(
        smtp.messages,
        (m) => m.envelopeTo.some((to) => to.toLowerCase() === email.toLowerCase()),
        (predicate, timeoutMs) => smtp.waitForMessage(predicate, timeoutMs),
        (m) => m.text,
        request,
      ),
    async signInWithCode(login, code) {
      const res = await post(url, V2.code, { json: { login, code } });
      ensure200(res, `code for ${login}`);
      return (res.body as { data: { token: string } }).data.token;
    },
    accepted: (token) => post(url, V2.verification, { json: {}, headers: bearer(token) }),
  };
}

/**
 * Document 003's failure: HTTP `status` with exactly `{"code": code, "message": <text>}`; a 429
 * also says in Retry-After how long to wait (RFC 9110 §10.2.3).
 */
export function fails(t: Test, res: Answer, status: number, code: number, what = ''): void {
  const label = `${what} → ${status}:${code}`.trim();
  t.equal(res.status, status, res.status === status ? label : `${label}; got ${res.status} ${res.text}`);
  const body = (res.body ?? {}) as { code?: unknown; message?: unknown };
  t.same(Object.keys(body).sort(), ['code', 'message'], `${label}: only code and message`);
  t.equal(body.code, code, `${label}: code`);
  t.ok(typeof body.message === 'string' && body.message.length > 0, `${label}: a message`);
  if (status === 429) t.ok(Number(res.headers.get('retry-after')) > 0, `${label}: Retry-After`);
}

/** Document 003's success: 200 with exactly `{"message": <text>, "data": {<keys>}}`; answers data. */
export function succeeds(
  t: Test,
  res: Answer,
  dataKeys: readonly string[],
  what = '',
): Record<string, unknown> {
  t.equal(
    res.status,
    200,
    res.status === 200 ? `${what} → 200` : `${what} → 200; got ${res.status} ${res.text}`,
  );
  const body = (res.body ?? {}) as { message?: unknown; data?: unknown };
  t.same(Object.keys(body).sort(), ['data', 'message'], `${what}: message and data`);
  t.ok(typeof body.message === 'string' && body.message.length > 0, `${what}: a message`);
  const data = (body.data ?? {}) as Record<string, unknown>;
  t.same(Object.keys(data).sort(), [...dataKeys].sort(), `${what}: data holds ${dataKeys.join(', ')}`);
  return data;
}
