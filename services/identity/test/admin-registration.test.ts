// Admin registration (document 000), the domain: fake stores, fake verification service, fake clock.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { createAdminRegistrationFlow, normaliseCode, PURPOSE } from '../src/admin-registration/flow.js';
import {
  createPendingRegistrations,
  PENDING_TTL_S,
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
  let ids = 0;
  const pending = createPendingRegistrations({
    pending: pendingStore,
    cooldowns,
    newId: () => `pending-${++ids}`,
  });
  const codes = fakeCodes();
  const flow = createAdminRegistrationFlow({ staff, chats, accounts, hasher, pending, codes });
  return { clock, flow, accounts, hashes, pendingStore, cooldowns, codes, chatRows };
}

t.test('step one keeps a pending registration and sends its code to the recorded chat', async (t) => {
  const { flow, codes, pendingStore, hashes } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD, ip: '192.0.2.7', requestId: 'req-1' });
  t.same(hashes, [PASSWORD], 'the password is hashed once');
  t.equal(codes.issued.length, 1);
  const { code: _code, ...issued } = codes.issued[0]!;
  t.same(issued, {
    purpose: 'admin-registration',
    subject: 'pending-1',
    channel: 'telegram',
    to: String(CHAT),
    ip: '192.0.2.7',
  });
  t.same(pendingStore.peek('pending-1'), {
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
  const code = codes.codeOf('pending-1')!;
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
  t.equal(codes.codeOf('pending-1'), '001000', 'the first fake code has leading zeros');
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
  const { flow, codes, accounts, clock } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: 'first password 1' });
  await flow.requestCode({ username: 'second_user', password: 'second password 2' });
  clock.advance(RESEND_COOLDOWN_S * 1000);
  await flow.requestCode({ username: 'i0hukc', password: 'third password 3' });
  const [first, second, third] = codes.issued;
  t.same(
    codes.issued.map((i) => i.subject),
    ['pending-1', 'pending-2', 'pending-3'],
  );
  await flow.complete({ code: third!.code });
  await flow.complete({ code: second!.code });
  t.same(
    accounts.created.map((a) => [a.username, a.passwordHash]),
    [
      ['i0hukc', 'hash:third password 3'],
      ['second_user', 'hash:second password 2'],
    ],
  );
  await t.rejects(flow.complete({ code: first!.code }), { code: 'already_registered', status: 409 });
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
  t.same([hashes, codes.issued, cooldowns.running('i0hukc')], [[], [], false]);
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

t.test('resend cooldown: one request per username a minute, refused before any hash', async (t) => {
  const { flow, codes, hashes, clock } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  clock.advance(15_000);
  await t.rejects(flow.requestCode({ username: '@i0hukc', password: PASSWORD }), {
    code: 'code_resend_too_soon',
    status: 429,
    details: { retryAfter: 45 },
  });
  t.equal(hashes.length, 1);
  await flow.requestCode({ username: 'second_user', password: PASSWORD });
  clock.advance(45_000);
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  t.equal(codes.issued.length, 3);
});

t.test('a code that could not be sent: the error, no pending record, no cooldown', async (t) => {
  const { flow, codes, pendingStore, cooldowns } = setup();
  for (const err of [
    new PropuskError('code_send_limited', 'too many', { retryAfter: 1200 }),
    new PropuskError('unavailable', 'jetstream down'),
    new PropuskError('timeout'),
  ]) {
    codes.failIssueWith = err;
    await t.rejects(flow.requestCode({ username: 'I0HuKc', password: PASSWORD }), err);
    t.equal(pendingStore.size, 0, `${err.code}: pending removed`);
    t.notOk(cooldowns.running('i0hukc'), `${err.code}: cooldown released`);
  }
  codes.failIssueWith = undefined;
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  t.equal(pendingStore.size, 1);
});

t.test('registration_expired: a right code whose pending registration is gone', async (t) => {
  const { flow, codes, clock, accounts } = setup();
  await flow.requestCode({ username: 'I0HuKc', password: PASSWORD });
  clock.advance(PENDING_TTL_S * 1000);
  await t.rejects(flow.complete({ code: codes.codeOf('pending-1')! }), {
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
