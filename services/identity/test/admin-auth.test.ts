// Admin login and refresh (document 000, "Auth" and "Update Access Token"), the domain: the real
// login flow on fake stores, fake chats and a fake token service.
import t from 'tap';
import { PropuskError, type AdminTelegramPair } from '@propusk/contracts';
import { createAdminAuthFlow, type AdminTokens } from '../src/admin-auth/flow.js';
import { createLoginFlow } from '../src/login/flow.js';
import { createLoginThrottle } from '../src/throttle/service.js';
import { createTelegramChatsService } from '../src/telegram-chats/service.js';
import type { TelegramChat } from '../src/telegram-chats/store.js';
import { memoryChatStore } from './fixtures/admin-fakes.js';
import { fakeClock, fakeHasher, memoryAccounts, memoryThrottleStore } from './fixtures/fakes.js';

const STAFF = '6f1c1f9e-3a51-4a8e-9a53-1d3f0e1c2b3a';
const UNLINKED = 'c0ffee00-0000-4000-8000-000000000000';
const PAIR: AdminTelegramPair = { access_token: 'a.b.c', refresh_token: 'd.e.f' };

function setup() {
  const accounts = memoryAccounts([
    { id: STAFF, username: 'I0HuKc', roles: ['staff'], passwordHash: 'hash:4tfgefhey75uh' },
    { id: UNLINKED, username: 'cli_user', roles: ['admin'], passwordHash: 'hash:4tfgefhey75uh' },
  ]);
  const throttle = createLoginThrottle({
    store: memoryThrottleStore(fakeClock()),
    limits: { perAccount: 2, perIp: 10, windowS: 60 },
  });
  const hasher = fakeHasher();
  const login = createLoginFlow({ accounts, hasher, throttle });
  const rows = new Map<string, TelegramChat>([
    ['i0hukc', { username: 'i0hukc', chatId: 3546223, accountId: STAFF }],
  ]);
  const chatStore = memoryChatStore(rows);
  const lookups: string[] = [];
  const chats = createTelegramChatsService({
    staff: { has: async () => true },
    store: {
      ...chatStore,
      findByAccountId: (id) => {
        lookups.push(id);
        return chatStore.findByAccountId(id);
      },
    },
  });
  const calls = { issue: [] as unknown[], refresh: [] as unknown[] };
  let refreshFailure: PropuskError | undefined;
  const tokens: AdminTokens = {
    async issue(subject, requestId) {
      calls.issue.push([subject, requestId]);
      return { ...PAIR, extra: 'dropped by the presenter, not here' } as AdminTelegramPair;
    },
    async refresh(token, requestId) {
      calls.refresh.push([token, requestId]);
      if (refreshFailure) throw refreshFailure;
      return PAIR;
    },
  };
  const flow = createAdminAuthFlow({ login, chats, tokens });
  return { flow, calls, hasher, lookups, failRefresh: (e: PropuskError) => void (refreshFailure = e) };
}

t.test('login: the token service gets the account and its chat id', async (t) => {
  const { flow, calls } = setup();
  const pair = await flow.login({
    username: 'I0HuKc',
    password: '4tfgefhey75uh',
    ip: '192.0.2.1',
    requestId: 'r1',
  });
  t.match(pair, PAIR);
  t.same(calls.issue, [[{ accountId: STAFF, username: 'I0HuKc', roles: ['staff'], chatId: 3546223 }, 'r1']]);
});

t.test('login: wrong password, unknown or look-alike name: invalid_credentials, no tokens', async (t) => {
  const { flow, calls } = setup();
  for (const [username, password] of [
    ['I0HuKc', 'wrong password'],
    ['\u0406\u041EHuKc', '4tfgefhey75uh'], // Cyrillic І and О: another name (another case is the same one)
    ['nobody', '4tfgefhey75uh'],
  ] as const) {
    await t.rejects(flow.login({ username, password }), { code: 'invalid_credentials', status: 401 });
  }
  t.equal(calls.issue.length, 0);
});

t.test('login: the throttle of the login flow applies', async (t) => {
  const { flow } = setup();
  await t.rejects(flow.login({ username: 'I0HuKc', password: 'wrong 1' }), { code: 'invalid_credentials' });
  await t.rejects(flow.login({ username: 'I0HuKc', password: 'wrong 2' }), { code: 'invalid_credentials' });
  await t.rejects(flow.login({ username: 'I0HuKc', password: '4tfgefhey75uh' }), {
    code: 'too_many_attempts',
    status: 429,
    details: { retryAfter: 60 },
  });
});

t.test('login: without a linked Telegram chat, the right password is answered as a wrong one', async (t) => {
  const { flow, calls, hasher, lookups } = setup();
  const attempt = async (password: string) => {
    const before = { verifies: hasher.verifies.length, lookups: lookups.length };
    const err = await flow.login({ username: 'cli_user', password }).catch((e: unknown) => e);
    return {
      err,
      verifies: hasher.verifies.length - before.verifies,
      lookups: lookups.length - before.lookups,
    };
  };
  const right = await attempt('4tfgefhey75uh');
  const wrong = await attempt('wrong password');
  t.match(right.err, { code: 'invalid_credentials', status: 401 }, 'the right password: invalid_credentials');
  t.same(right, wrong, 'the same error, one hash verify and one chat lookup each');
  t.same([right.verifies, right.lookups], [1, 1]);
  t.equal(calls.issue.length, 0);
  // Both were counted as failures (perAccount 2): the right password does not forgive them.
  await t.rejects(flow.login({ username: 'cli_user', password: '4tfgefhey75uh' }), {
    code: 'too_many_attempts',
    status: 429,
  });
});

t.test('refresh: passed to the token service; its refusals pass through', async (t) => {
  const { flow, calls, failRefresh } = setup();
  t.same(await flow.refresh({ refreshToken: 'x.y.z', requestId: 'r2' }), PAIR);
  t.same(calls.refresh, [['x.y.z', 'r2']]);
  for (const code of ['invalid_token', 'refresh_reused', 'unavailable'] as const) {
    failRefresh(new PropuskError(code));
    await t.rejects(flow.refresh({ refreshToken: 'x.y.z' }), { code });
  }
});
