import t from 'tap';
import { randomBytes } from 'node:crypto';
import { bootSuite } from '@propusk/testkit';
import { TOKEN_SETTINGS } from '../../../services/token/src/settings.js';
import { createUsers } from '../helpers/accounts.js';
import { post, type Answer } from '../helpers/http.js';
import { callFrom } from '../helpers/source-ip.js';

// Online guessing of client secrets through the gateway (issue 15: 700 wrong Basic secrets were
// answered in 4.6 s with no throttle). RFC 7662 introspection and RFC 7009 revocation count failed
// client authentications with the token service's DEFAULT budgets (the settings as shipped): per
// (client id, client address) first, then per client id from every address. Each attacker and
// owner is its own loopback address (127.0.0.0/8), or a client named by the trusted proxy
// (127.0.0.1, TRUSTED_PROXIES) in X-Forwarded-For, so the subtests do not share counters.

const PER_ADDRESS = TOKEN_SETTINGS.CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS.default;
const PER_CLIENT = TOKEN_SETTINGS.CLIENT_AUTH_MAX_FAILURES_PER_CLIENT.default;
const WINDOW_S = TOKEN_SETTINGS.CLIENT_AUTH_FAILURE_WINDOW_S.default;
const PROXY = '127.0.0.1';
const OWNER = { id: 'billing-api', secret: randomBytes(32).toString('hex') };
/** A second caller, for the subtest that spends a whole client id's budget. */
const SPRAYED = { id: 'reports-api', secret: randomBytes(32).toString('base64url') };
const USER = { username: 'cs_staff', password: 'client-secret-pass-1', roles: ['staff' as const] };

type Method = 'basic' | 'post';

/** A form POST from a chosen loopback source address, with the client's credentials by `method`. */
function oauthCall(
  base: string,
  from: string,
  path: string,
  opts: { method: Method; id: string; secret: string; token: string; forwardedFor?: string },
): Promise<Answer> {
  const form: Record<string, string> = { token: opts.token };
  const headers: Record<string, string> = {};
  if (opts.method === 'basic')
    headers.authorization = `Basic ${Buffer.from(`${opts.id}:${opts.secret}`).toString('base64')}`;
  else Object.assign(form, { client_id: opts.id, client_secret: opts.secret });
  if (opts.forwardedFor) headers['x-forwarded-for'] = opts.forwardedFor;
  return callFrom(from, base, 'POST', path, { form, headers });
}

/** `n` wrong secrets for `id`, sent in parallel bursts of 25 (as a guessing script would). */
async function guesses(n: number, send: (secret: string) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let sent = 0; sent < n; sent += 25) {
    const burst = Array.from({ length: Math.min(25, n - sent) }, () => send(randomBytes(32).toString('hex')));
    answers.push(...(await Promise.all(burst)));
  }
  return answers;
}

const statuses = (answers: readonly Answer[]) => {
  const count: Record<number, number> = {};
  for (const a of answers) count[a.status] = (count[a.status] ?? 0) + 1;
  return count;
};

t.test('online guessing of client secrets through the gateway', async (t) => {
  const suite = await bootSuite({
    env: {
      INTROSPECTION_CLIENTS: `${OWNER.id}:${OWNER.secret},${SPRAYED.id}:${SPRAYED.secret}`,
      TRUSTED_PROXIES: PROXY,
    },
  });
  t.teardown(() => suite.stop());
  const { url } = suite;
  t.ok(
    PER_ADDRESS < PER_CLIENT && PER_CLIENT <= 100,
    `defaults: ${PER_ADDRESS} per address, ${PER_CLIENT} per id`,
  );
  await createUsers(suite.databaseUrl, [USER]);
  async function drfToken(): Promise<string> {
    const res = await post(url, '/api/v1/login/', {
      json: { username: USER.username, password: USER.password },
    });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text}`);
    return (res.body as { data: { token: string } }).data.token;
  }
  const token = await drfToken();

  /** The throttled answer: RFC 6749 §5.2's shape, 429, Retry-After within the window, no-store. */
  function isThrottleAnswer(a: Answer): boolean {
    const wait = Number(a.headers.get('retry-after'));
    const body = a.body as Record<string, unknown> | undefined;
    return (
      a.status === 429 &&
      body?.error === 'temporarily_unavailable' &&
      typeof body.error_description === 'string' &&
      Number.isInteger(wait) &&
      wait > 0 &&
      wait <= WINDOW_S &&
      a.headers.get('cache-control') === 'no-store'
    );
  }

  t.test(
    'guessing is throttled on /oauth2/introspect and /oauth2/revoke: only the budget is answered',
    async (t) => {
      for (const [path, method, attacker] of [
        ['/oauth2/introspect', 'basic', '127.0.0.31'],
        ['/oauth2/revoke', 'post', '127.0.0.32'],
      ] as const) {
        // 200 guesses (the issue saw 700 answered in 4.6 s): the address's budget, then 429s.
        const answers = await guesses(200, (secret) =>
          oauthCall(url, attacker, path, { method, id: OWNER.id, secret, token }),
        );
        t.strictSame(
          statuses(answers),
          { 401: PER_ADDRESS, 429: 200 - PER_ADDRESS },
          `${path} (${method}): ${PER_ADDRESS} guesses answered of 200`,
        );
        t.ok(
          answers
            .filter((x) => x.status === 401)
            .every((a) => (a.body as { error?: unknown }).error === 'invalid_client'),
          `${path}: a counted guess is invalid_client`,
        );
        t.ok(
          answers.filter((x) => x.status === 429).every(isThrottleAnswer),
          `${path}: every other 429 with Retry-After`,
        );
        const right = await oauthCall(url, attacker, path, {
          method,
          id: OWNER.id,
          secret: OWNER.secret,
          token,
        });
        t.ok(
          isThrottleAnswer(right),
          `${path}: from that address even the right secret waits (a 429 says nothing of a guess)`,
        );
      }
    },
  );

  t.test('the right secret from another address still works during the attack', async (t) => {
    const live = await drfToken();
    const attacker = '127.0.0.33';
    const owner = '127.0.0.34';
    const attack = guesses(300, (secret) =>
      oauthCall(url, attacker, '/oauth2/introspect', { method: 'basic', id: OWNER.id, secret, token }),
    );
    // The owner's calls run while the attack does; each is answered as if no one attacked.
    const ownerAnswers: Answer[] = [];
    for (let i = 0; i < 20; i++) {
      const method: Method = i % 2 ? 'post' : 'basic';
      ownerAnswers.push(
        await oauthCall(url, owner, '/oauth2/introspect', {
          method,
          id: OWNER.id,
          secret: OWNER.secret,
          token: live,
        }),
      );
    }
    const attackAnswers = await attack;
    t.strictSame(
      statuses(attackAnswers),
      { 401: PER_ADDRESS, 429: 300 - PER_ADDRESS },
      'the attacker is throttled',
    );
    t.ok(
      ownerAnswers.every((a) => a.status === 200 && (a.body as { active?: unknown }).active === true),
      'every introspection of the owner answered: active',
    );
    const revoked = await oauthCall(url, owner, '/oauth2/revoke', {
      method: 'post',
      id: OWNER.id,
      secret: OWNER.secret,
      token: live,
    });
    t.equal(revoked.status, 200, 'the owner revokes');
    const after = await oauthCall(url, owner, '/oauth2/introspect', {
      method: 'basic',
      id: OWNER.id,
      secret: OWNER.secret,
      token: live,
    });
    t.strictSame(after.body, { active: false }, 'and the token is gone');
  });

  t.test('behind the trusted proxy: the client it names is counted, not the proxy', async (t) => {
    const viaProxy = (forwardedFor: string, secret: string) =>
      oauthCall(url, PROXY, '/oauth2/revoke', { method: 'basic', id: OWNER.id, secret, token, forwardedFor });
    const answers = await guesses(50, (secret) => viaProxy('198.51.100.66', secret));
    t.strictSame(statuses(answers), { 401: PER_ADDRESS, 429: 50 - PER_ADDRESS });
    t.equal(
      (await viaProxy('198.51.100.7', OWNER.secret)).status,
      200,
      'another client of the proxy is served',
    );
    t.ok(
      isThrottleAnswer(await viaProxy('203.0.113.5, 198.51.100.66', OWNER.secret)),
      'a hop the attacker wrote before the proxy changes nothing',
    );
  });

  t.test(
    'guesses from many addresses: the client id locks after its budget, for its owner too',
    async (t) => {
      // 15 clients behind the proxy, each up to its own budget and past it: the id's budget is spent.
      const sprayed: Answer[] = [];
      for (let c = 0; c < 15; c++) {
        const forwardedFor = `198.51.100.${100 + c}`;
        sprayed.push(
          ...(await guesses(PER_ADDRESS + 2, (secret) =>
            oauthCall(url, PROXY, '/oauth2/introspect', {
              method: 'post',
              id: SPRAYED.id,
              secret,
              token,
              forwardedFor,
            }),
          )),
        );
      }
      t.equal(
        sprayed.filter((a) => a.status === 401).length,
        PER_CLIENT,
        'no more guesses answered than the id budget',
      );
      const owner = await oauthCall(url, '127.0.0.35', '/oauth2/introspect', {
        method: 'basic',
        id: SPRAYED.id,
        secret: SPRAYED.secret,
        token,
      });
      t.ok(isThrottleAnswer(owner), 'the locked id waits out the window, its owner too (docs/SECURITY.md)');
      const other = await oauthCall(url, '127.0.0.35', '/oauth2/introspect', {
        method: 'basic',
        id: OWNER.id,
        secret: OWNER.secret,
        token,
      });
      t.equal(other.status, 200, 'other client ids go on');
    },
  );
});
