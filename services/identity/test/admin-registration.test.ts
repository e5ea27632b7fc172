// Admin registration (document 000), the domain: fake stores, fake verification service, fake clock.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { createAdminRegistrationFlow, normaliseCode, PURPOSE } from '../src/admin-registration/flow.js';
import {
  createPendingRegistrations,
  PENDING_TTL_S,
  REQUEST_WINDOW_S,
  REQUESTS_PER_USERNAME,
  RESEND_COOLDOWN_S,
} from '../src/admin-registration/service.js';
import type { TelegramChat } from '../src/telegram-chats/store.js';
import { createTelegramChatsService } from '../src/telegram-chats/service.js';
import { createStaffService } from '../src/staff/service.js';
import {
  fakeCodes,
  memoryChatStore,
  memoryCooldownStore,
  memoryPendingStore,
  memoryRegistrationAccounts,
  memoryRequestCounters,
} from './fixtures/admin-fakes.js';
import { fakeClock } from './fixtures/fakes.js';

const PASSWORD = '4tfgefhey75uh';
const CHAT = 3546223;

function setup() {
  const clock = fakeClock();
  const allowlist = new Set(['i0hukc', 'second_user', 'no_chat_yet', 'linked_one']);
  const staff = createStaffService({
    store: {
      has: async (name) => allowlist.has(name),
      add: async () => ({ username: '', addedAt: new Date() }),
      list: async () => [],
    },
  });
  const chatRows = new Map<string, TelegramChat>([
    ['i0hukc', { username: 'i0hukc', chatId: CHAT, accountId: null }],
    ['second_user', { username: 'second_user', chatId: 777, accountId: null }],
    [
      'linked_one',
      { username: 'linked_one', chatId: 778, accountId: '6f1c1f9e-3a51-4a8e-9a53-1d3f0e1c2b3a' },
    ],
  ]);
  const chats = createTelegramChatsService({
    staff: { has: async (n) => allowlist.has(n) },
    store: memoryChatStore(chatRows),
  });
  const accounts = memoryRegistrationAccounts(chatRows);
  const hashes: string[] = [];
  const hasher = {
    async hash(password: string) {
      hashes.push(password);
      return `hash:${password}`;
    },
  };
  const pendingStore = memoryPendingStore(clock);
  const cooldowns = memoryCooldownStore(clock);
  const requests = memoryRequestCounters(clock);
  let ids = 0;
  const pending = createPendingRegistrations({
    pending: pendingStore,
    cooldowns,
    requests,
    // Hex, as the real ids: 0001, 0002, …
    newId: () => String(++ids).padStart(4, '0'),
  });
  const codes = fakeCodes();
  const flow = createAdminRegistrationFlow({ staff, chats, accounts, hasher, pending, codes });
  return { clock, flow, accounts, hashes, pendingStore, cooldowns, requests, codes, chatRows };
}

t.test('step one keeps a pending registration and sends its code to the recorded chat', async (t) => {
  const { flow, codes, pendingStore, hashes } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip: '192.0.2.7', requestId: 'req-1' });
  t.same(hashes, [PASSWORD], 'the password is hashed once');
  t.equal(codes.issued.length, 1);
  const { code: _code, ...issued } = codes.issued[0]!;
  t.same(issued, {
    purpose: 'admin-registration',
    subject: 'i0hukc:0001',
    channel: 'telegram',
    to: String(CHAT),
    ip: '192.0.2.7',
  });
  t.same(pendingStore.peek('i0hukc'), {
    id: '0001',
    username: 'I0HuKc',
    passwordHash: `hash:${PASSWORD}`,
    chatId: CHAT,
  });
  t.same(pendingStore.ttls, [PENDING_TTL_S]);
  t.equal(PENDING_TTL_S, 30 * 60, 'document 000: the code lives 30 minutes');
});

t.test('step two turns the pending registration into a staff account linked to the chat', async (t) => {
  const { flow, codes, accounts, pendingStore, chatRows } = setup();
  await flow.requestCode({ username: '@I0HuKc', password: PASSWORD });
  const code = codes.codeOf('i0hukc:0001')!;
  const { accountId } = await flow.complete({ code: Number(code), ip: '192.0.2.7' });
  t.same(codes.checked, [{ purpose: PURPOSE, code, ip: '192.0.2.7' }], 'checked by code alone, padded');
  t.same(accounts.created, [
    { id: accountId, username: 'I0HuKc', passwordHash: `hash:${PASSWORD}`, telegramUsername: 'i0hukc' },
  ]);
  t.equal(chatRows.get('i0hukc')!.accountId, accountId);
  t.equal(pendingStore.size, 0, 'the pending record is gone');
  await t.rejects(flow.complete({ code }), { code: 'code_invalid' }, 'the code is single use');
});

t.test('codes: a number is zero-padded, a 6-digit string taken as is, anything else refused', async (t) => {
  t.equal(normaliseCode(588227), '588227');
  t.equal(normaliseCode(1001), '001001');
  t.equal(normaliseCode(0), '000000');
  t.equal(normaliseCode('001001'), '001001');
  for (const bad of [1.5, -1, 1_000_000, Number.NaN, '1001', '5882270', '58822a', ' 588227', '']) {
    t.equal(normaliseCode(bad), undefined, JSON.stringify(bad));
  }
  const { flow, codes } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  t.equal(codes.codeOf('i0hukc:0001'), '001000', 'the first fake code has leading zeros');
  await t.rejects(flow.complete({ code: '1000' }), { code: 'code_invalid', status: 400 });
  await t.rejects(flow.complete({ code: 1.5 }), { code: 'code_invalid', status: 400 });
  t.equal(codes.checked.length, 0, 'a malformed code never reaches the verification service');
  await flow.complete({ code: '001000' });
  await flow.requestCode({ username: 'second_user', password: PASSWORD });
  await flow.complete({ code: 1001 });
  t.same(
    codes.checked.map((c) => c.code),
    ['001000', '001001'],
  );
});

t.test('each code completes exactly the registration and password it was requested with', async (t) => {
  const { flow, codes, accounts } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: 'first password 1' });
  await flow.requestCode({ username: 'second_user', password: 'second password 2' });
  t.same(
    codes.issued.map((i) => i.subject),
    ['i0hukc:0001', 'second_user:0002'],
    'the subject names the username and the request',
  );
  const [first, second] = codes.issued;
  await flow.complete({ code: second!.code });
  await flow.complete({ code: first!.code });
  t.same(
    accounts.created.map((a) => [a.username, a.passwordHash]),
    [
      ['second_user', 'hash:second password 2'],
      ['I0HuKc', 'hash:first password 1'],
    ],
  );
});

t.test('a newer request supersedes the older one: the older code completes nothing', async (t) => {
  const { flow, codes, accounts, pendingStore } = setup();
  // A stranger who knows the username asks first, from his address, with his password.
  await flow.requestCode({ username: 'I0HuKc', password: 'stranger password 1', ip: '198.51.100.66' });
  // The owner's own request is not made to wait for the stranger's cooldown.
  await flow.requestCode({ username: 'i0hukc', password: 'owner password 2', ip: '203.0.113.7' });
  const [stranger, owner] = codes.issued;
  t.same(
    [stranger!.ip, owner!.ip],
    ['198.51.100.66', '203.0.113.7'],
    'each code goes out with its request address (the message names it)',
  );
  t.equal(pendingStore.peek('i0hukc')?.id, '0002', "only the owner's request is pending");
  await t.rejects(
    flow.complete({ code: stranger!.code }),
    { code: 'code_invalid', status: 400 },
    "the stranger's code is answered like a dead code",
  );
  t.equal(accounts.created.length, 0, 'and sets no password');
  t.equal(pendingStore.peek('i0hukc')?.id, '0002', "nor touches the owner's pending registration");
  await flow.complete({ code: owner!.code });
  t.same(
    accounts.created.map((a) => [a.username, a.passwordHash]),
    [['i0hukc', 'hash:owner password 2']],
  );
});

t.test('password policy first: password_rejected names the rule, nothing else runs', async (t) => {
  const { flow, codes, hashes, cooldowns } = setup();
  for (const [password, message] of [
    ['short7!', 'password must be at least 8 characters'],
    ['x'.repeat(129), 'password must be at most 128 characters'],
    ['password1', 'password is too common'],
    ['', 'password must be at least 8 characters'],
  ] as const) {
    await t.rejects(flow.requestCode({ username: 'nobody_listed', password }), {
      code: 'password_rejected',
      status: 400,
      message,
    });
  }
  t.same([hashes, codes.issued, cooldowns.running('nobody_listed')], [[], [], false]);
});

t.test('not_on_allowlist: unknown names and names that are not Telegram usernames', async (t) => {
  const { flow, codes } = setup();
  for (const username of ['stranger', 'ab', 'I0HuKc!', 'i0hukc x', '@@i0hukc']) {
    await t.rejects(flow.requestCode({ username, password: PASSWORD }), {
      code: 'not_on_allowlist',
      status: 403,
    });
  }
  t.equal(codes.issued.length, 0);
});

t.test('the allowlist ignores case and a leading @', async (t) => {
  const { flow, codes } = setup();
  await flow.requestCode({ username: ' @I0HUKC ', password: PASSWORD });
  t.equal(codes.issued.length, 1);
});

t.test('telegram_chat_missing before the bot saw /start; already_registered after an account', async (t) => {
  const { flow, codes, accounts } = setup();
  await t.rejects(flow.requestCode({ username: 'no_chat_yet', password: PASSWORD }), {
    code: 'telegram_chat_missing',
    status: 409,
  });
  await t.rejects(flow.requestCode({ username: 'linked_one', password: PASSWORD }), {
    code: 'already_registered',
    status: 409,
  });
  accounts.taken.add('second_user');
  await t.rejects(flow.requestCode({ username: 'Second_User', password: PASSWORD }), {
    code: 'already_registered',
  });
  t.equal(codes.issued.length, 0);
});

t.test(
  'resend cooldown: one request per username and client a minute, refused before any hash',
  async (t) => {
    const { flow, codes, hashes, clock } = setup();
    const ip = '192.0.2.7';
    await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip });
    clock.advance(15_000);
    await t.rejects(flow.requestCode({ username: '@i0hukc', password: PASSWORD, ip }), {
      code: 'code_resend_too_soon',
      status: 429,
      details: { retryAfter: 45 },
    });
    t.equal(hashes.length, 1);
    await flow.requestCode({ username: 'second_user', password: PASSWORD, ip });
    await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip: '192.0.2.8' });
    t.equal(codes.issued.length, 3, 'another client of the same username is not made to wait');
    await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
    await t.rejects(
      flow.requestCode({ username: 'I0HuKc', password: PASSWORD }),
      { code: 'code_resend_too_soon' },
      'requests without an address share one cooldown',
    );
    clock.advance((RESEND_COOLDOWN_S - 15) * 1000);
    await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip });
    t.equal(codes.issued.length, 5, 'the first client may ask again once its minute is over');
  },
);

t.test(
  'per-username cap: at most REQUESTS_PER_USERNAME codes an hour, from any number of addresses',
  async (t) => {
    const { flow, codes, hashes, clock, cooldowns } = setup();
    for (let i = 1; i <= REQUESTS_PER_USERNAME; i++)
      await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip: `198.51.100.${i}` });
    const over = flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip: '198.51.100.99' });
    await t.rejects(over, {
      code: 'code_send_limited',
      status: 429,
      details: { retryAfter: REQUEST_WINDOW_S },
    });
    t.equal(hashes.length, REQUESTS_PER_USERNAME, 'refused before any hash');
    t.notOk(cooldowns.running('i0hukc', '198.51.100.99'), 'the refused client has no cooldown to wait for');
    await flow.requestCode({ username: 'second_user', password: PASSWORD, ip: '198.51.100.99' });
    clock.advance(REQUEST_WINDOW_S * 1000);
    await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip: '198.51.100.99' });
    t.equal(codes.issued.length, REQUESTS_PER_USERNAME + 2);
  },
);

t.test('a code that could not be sent: the error, no pending record, no cooldown', async (t) => {
  const { flow, codes, pendingStore, cooldowns, requests } = setup();
  for (const err of [
    new PropuskError('code_send_limited', 'too many', { retryAfter: 1200 }),
    new PropuskError('unavailable', 'jetstream down'),
    new PropuskError('timeout'),
  ]) {
    codes.failIssueWith = err;
    await t.rejects(flow.requestCode({ username: 'I0HuKc', password: PASSWORD }), err);
    t.equal(pendingStore.size, 0, `${err.code}: pending removed`);
    t.notOk(cooldowns.running('i0hukc'), `${err.code}: cooldown released`);
    t.equal(requests.count('i0hukc'), 0, `${err.code}: not counted towards the hourly cap`);
  }
  codes.failIssueWith = undefined;
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  t.equal(pendingStore.size, 1);
});

t.test('registration_expired: a right code whose pending registration is gone', async (t) => {
  const { flow, codes, clock, accounts } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  clock.advance(PENDING_TTL_S * 1000);
  await t.rejects(flow.complete({ code: codes.codeOf('i0hukc:0001')! }), {
    code: 'registration_expired',
    status: 400,
  });
  t.equal(accounts.created.length, 0);
});

t.test("the verification service's refusals pass through", async (t) => {
  const { flow, codes } = setup();
  await t.rejects(flow.complete({ code: 123456 }), { code: 'code_invalid', status: 400 });
  codes.failCheckWith = new PropuskError('code_attempts_limited', 'slow down', { retryAfter: 300 });
  await t.rejects(flow.complete({ code: 123456 }), {
    code: 'code_attempts_limited',
    details: { retryAfter: 300 },
  });
});

t.test('Redis down: unavailable at either step (fail closed)', async (t) => {
  const { flow, codes, pendingStore, cooldowns, hashes } = setup();
  cooldowns.failing = true;
  await t.rejects(flow.requestCode({ username: 'I0HuKc', password: PASSWORD }), {
    code: 'unavailable',
    status: 503,
  });
  t.equal(hashes.length, 0, 'no hash without the cooldown');
  cooldowns.failing = false;
  pendingStore.failing = true;
  await t.rejects(flow.requestCode({ username: 'I0HuKc', password: PASSWORD }), { code: 'unavailable' });
  t.equal(codes.issued.length, 0, 'no code without its pending record');
  t.notOk(cooldowns.running('i0hukc'));
  pendingStore.failing = false;
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  pendingStore.failing = true;
  await t.rejects(flow.complete({ code: codes.issued[0]!.code }), { code: 'unavailable' });
});
