// Document 003's flows, the domain: fake account store, fake verification and token services,
// in-memory Redis records; the shared login flow with its throttle on a fake store.
import t from 'tap';
import { PropuskError, tokenId } from '@propusk/contracts';
import { createLoginFlow } from '../src/login/flow.js';
import { createLoginThrottle } from '../src/throttle/service.js';
import { createV2Flow } from '../src/v2/flow.js';
import { V2_PURPOSES } from '../src/v2/code-flow.js';
import {
  createPendingPurposes,
  createRecoveryGrants,
  GRANT_TTL_S,
  PURPOSE_TTL_S,
} from '../src/v2/service.js';
import { fakeClock, fakeHasher, memoryThrottleStore } from './fixtures/fakes.js';
import {
  fakeV2Tokens,
  memoryGrantStore,
  memoryPurposeStore,
  memoryV2Accounts,
  v2CodeBook,
} from './fixtures/v2-fakes.js';

const ANNA = {
  id: '6f1c1f9e-3a51-4a8e-9a53-1d3f0e1c2b3a',
  email: 'anna@example.ru',
  phone: '+79161234567',
  passwordHash: 'hash:old password 1',
};
const BORIS = {
  id: 'c0ffee00-0000-4000-8000-000000000000',
  email: 'boris@example.ru',
  phone: '+79031112233',
};
const IP = '192.0.2.7';

/**
 * Anna and Boris as their owners left them: both contacts proven (`proven: false` for accounts
 * fresh from registration, where issue 15's pre-hijacking rules apply).
 */
function setup({ proven = true } = {}) {
  const flags = { emailVerified: proven, phoneVerified: proven };
  const accounts = memoryV2Accounts([
    { ...ANNA, ...flags },
    { ...BORIS, ...flags },
  ]);
  const hasher = Object.assign(fakeHasher(), {
    hashed: [] as string[],
    async hash(password: string) {
      hasher.hashed.push(password);
      return `hash:${password}`;
    },
  });
  const throttle = createLoginThrottle({
    store: memoryThrottleStore(fakeClock()),
    limits: { perAccount: 2, perIp: 100, windowS: 60 },
  });
  // The login flow reads the password hash: the memory rows carry it.
  const login = createLoginFlow({
    accounts: {
      findByUsername: async () => undefined,
      findByEmail: async (e) => accounts.rows.find((a) => a.email === e),
      findByPhone: async (p) => accounts.rows.find((a) => a.phone === p),
    },
    hasher,
    throttle,
  });
  const purposeStore = memoryPurposeStore();
  const grantStore = memoryGrantStore();
  const codes = v2CodeBook();
  const tokens = fakeV2Tokens();
  const flow = createV2Flow({
    accounts,
    hasher,
    login,
    purposes: createPendingPurposes(purposeStore),
    grants: createRecoveryGrants(grantStore),
    codes,
    tokens,
  });
  return { accounts, hasher, purposeStore, grantStore, codes, tokens, flow };
}

const PERSON = {
  name: 'Иван',
  surname: 'Петров',
  patronymic: null,
  email: 'ivan@example.ru',
  phone: '+79261234567',
  password: 'длинный пароль 42',
};

t.test('registration: the account (hashed password, no roles) and a token for it', async (t) => {
  const { flow, accounts, tokens, hasher } = setup();
  const { token } = await flow.register(PERSON);
  const row = accounts.rows.at(-1)!;
  t.match(row, {
    name: 'Иван',
    surname: 'Петров',
    patronymic: null,
    email: 'ivan@example.ru',
    phone: '+79261234567',
    passwordHash: 'hash:длинный пароль 42',
    roles: [],
    emailVerified: false,
    phoneVerified: false,
  });
  t.same(hasher.hashed, ['длинный пароль 42']);
  t.same(tokens.subjects, [{ accountId: row.id, username: 'ivan@example.ru', roles: [] }]);
  t.equal(token, tokens.issued[0]);
});

t.test('registration: policy first, then e-mail before phone; no hash for a refusal', async (t) => {
  const { flow, hasher, accounts } = setup();
  await t.rejects(flow.register({ ...PERSON, password: 'short' }), {
    code: 'password_rejected',
    details: { problem: 'too_short' },
  });
  await t.rejects(flow.register({ ...PERSON, password: 'x'.repeat(129) }), {
    code: 'password_rejected',
    details: { problem: 'too_long' },
  });
  await t.rejects(flow.register({ ...PERSON, password: 'password1234' }), {
    code: 'password_rejected',
    details: { problem: 'common' },
  });
  await t.rejects(flow.register({ ...PERSON, email: ANNA.email, phone: ANNA.phone }), {
    code: 'email_taken',
    status: 409,
  });
  await t.rejects(flow.register({ ...PERSON, phone: BORIS.phone }), { code: 'phone_taken', status: 409 });
  t.same(hasher.hashed, [], 'nothing hashed');
  t.equal(accounts.rows.length, 2, 'nothing created');
});

t.test('registration race: the store refuses what the lookups missed', async (t) => {
  const { flow, accounts, tokens } = setup();
  accounts.lookupsMiss = true;
  await t.rejects(flow.register({ ...PERSON, email: ANNA.email }), { code: 'email_taken' });
  await t.rejects(flow.register({ ...PERSON, phone: ANNA.phone }), { code: 'phone_taken' });
  t.same(tokens.subjects, []);
});

t.test('code requests: the channel follows the login; the purpose is remembered after sending', async (t) => {
  const { flow, codes, purposeStore } = setup();
  t.same(await flow.requestLoginCode({ phone: ANNA.phone, ip: IP, requestId: 'r1' }), { timeout: 60 });
  t.same(codes.issued.at(-1), {
    purpose: 'v2-login',
    subject: ANNA.phone,
    channel: 'sms',
    to: ANNA.phone,
    ip: IP,
    code: codes.lastCode(),
  });
  t.equal(purposeStore.entries.get(ANNA.phone), 'v2-login');
  t.same(purposeStore.ttls, [PURPOSE_TTL_S]);

  codes.resendAfter = 45;
  t.same(await flow.requestRecovery({ login: { kind: 'email', value: ANNA.email } }), { timeout: 45 });
  t.match(codes.issued.at(-1), {
    purpose: 'v2-recovery',
    channel: 'email',
    to: ANNA.email,
    subject: ANNA.email,
  });
  t.notOk('ip' in codes.issued.at(-1)!, 'no ip when the caller has none');

  t.same(
    await flow.requestVerification({ accountId: ANNA.id, login: { kind: 'phone', value: ANNA.phone } }),
    { timeout: 45 },
  );
  t.equal(purposeStore.entries.get(ANNA.phone), 'v2-verification', 'the last request decides');
});

t.test('code requests for unknown logins: email_not_found / phone_not_found, nothing sent', async (t) => {
  const { flow, codes } = setup();
  await t.rejects(flow.requestLoginCode({ phone: '+79990000000' }), { code: 'phone_not_found', status: 404 });
  await t.rejects(flow.requestRecovery({ login: { kind: 'email', value: 'nobody@example.ru' } }), {
    code: 'email_not_found',
  });
  await t.rejects(flow.requestRecovery({ login: { kind: 'phone', value: '+79990000000' } }), {
    code: 'phone_not_found',
  });
  t.same(codes.issued, []);
});

t.test("verification: only the signed-in account's own e-mail or phone", async (t) => {
  const { flow, codes } = setup();
  await t.rejects(
    flow.requestVerification({ accountId: ANNA.id, login: { kind: 'email', value: BORIS.email } }),
    { code: 'email_not_found' },
    "someone else's e-mail",
  );
  await t.rejects(
    flow.requestVerification({ accountId: ANNA.id, login: { kind: 'phone', value: '+79990000000' } }),
    { code: 'phone_not_found' },
  );
  await t.rejects(
    flow.requestVerification({
      accountId: '11111111-1111-4111-8111-111111111111',
      login: { kind: 'email', value: ANNA.email },
    }),
    { code: 'email_not_found' },
    'an account that is gone',
  );
  t.same(codes.issued, []);
});

t.test('a refused send leaves the pending purpose alone', async (t) => {
  const { flow, codes, purposeStore } = setup();
  await flow.requestLoginCode({ phone: ANNA.phone });
  codes.failIssueWith = new PropuskError('code_resend_too_soon', 'wait', { retryAfter: 42 });
  await t.rejects(flow.requestRecovery({ login: { kind: 'phone', value: ANNA.phone } }), {
    code: 'code_resend_too_soon',
    details: { retryAfter: 42 },
  });
  t.equal(purposeStore.entries.get(ANNA.phone), 'v2-login');
  codes.failIssueWith = new PropuskError('unavailable');
  await t.rejects(flow.requestLoginCode({ phone: ANNA.phone }), { code: 'unavailable', status: 503 });
});

t.test('a code signs in for the purpose it was sent for, once', async (t) => {
  const { flow, codes, tokens, purposeStore, grantStore } = setup();
  const phone = { kind: 'phone' as const, value: ANNA.phone };
  await flow.requestLoginCode({ phone: ANNA.phone, ip: IP });
  const code = codes.lastCode();
  const accepted = await flow.submitCode({ login: phone, code, ip: IP });
  t.same(codes.checked.at(-1), { purpose: 'v2-login', subject: ANNA.phone, code, ip: IP });
  t.same(accepted, { purpose: 'v2-login', token: tokens.issued.at(-1) });
  t.same(tokens.subjects.at(-1), { accountId: ANNA.id, username: ANNA.email, roles: [] });
  t.notOk(purposeStore.entries.has(ANNA.phone), 'the purpose is settled');
  t.equal(grantStore.entries.size, 0, 'a login code grants no password change');
  await t.rejects(flow.submitCode({ login: phone, code }), { code: 'code_invalid' }, 'used once');
});

t.test('purpose binding: a code of an older request does not serve the newer purpose', async (t) => {
  const { flow, codes } = setup();
  const email = { kind: 'email' as const, value: ANNA.email };
  await flow.requestRecovery({ login: email });
  const recoveryCode = codes.lastCode();
  await flow.requestVerification({ accountId: ANNA.id, login: email });
  await t.rejects(flow.submitCode({ login: email, code: recoveryCode }), { code: 'code_invalid' });
  t.equal(codes.checked.at(-1)?.purpose, 'v2-verification', 'checked for the last purpose');
  const accepted = await flow.submitCode({ login: email, code: codes.lastCode() });
  t.equal(accepted.purpose, 'v2-verification');
});

t.test('a code proves only the login it went to', async (t) => {
  const { flow, codes } = setup();
  await flow.requestLoginCode({ phone: ANNA.phone });
  await flow.requestLoginCode({ phone: BORIS.phone });
  const borisCode = codes.lastCode();
  await t.rejects(flow.submitCode({ login: { kind: 'phone', value: ANNA.phone }, code: borisCode }), {
    code: 'code_invalid',
  });
});

t.test('code: unknown login 404 first; no pending code, or not 6 digits, is code_invalid', async (t) => {
  const { flow, codes } = setup();
  await t.rejects(flow.submitCode({ login: { kind: 'email', value: 'x@example.ru' }, code: '000100' }), {
    code: 'email_not_found',
  });
  await t.rejects(flow.submitCode({ login: { kind: 'phone', value: '+79990000000' }, code: '000100' }), {
    code: 'phone_not_found',
  });
  await t.rejects(flow.submitCode({ login: { kind: 'email', value: ANNA.email }, code: '000100' }), {
    code: 'code_invalid',
  });
  await flow.requestLoginCode({ phone: ANNA.phone });
  for (const code of ['12345', '1234567', 'abcdef', '12 345']) {
    await t.rejects(flow.submitCode({ login: { kind: 'phone', value: ANNA.phone }, code }), {
      code: 'code_invalid',
    });
  }
  t.same(codes.checked, [], 'the verification service was not asked');
});

t.test('code: attempts limited passes through with its wait', async (t) => {
  const { flow, codes, purposeStore } = setup();
  await flow.requestLoginCode({ phone: ANNA.phone });
  codes.failCheckWith = new PropuskError('code_attempts_limited', 'wait', { retryAfter: 300 });
  await t.rejects(flow.submitCode({ login: { kind: 'phone', value: ANNA.phone }, code: codes.lastCode() }), {
    code: 'code_attempts_limited',
    details: { retryAfter: 300 },
  });
  t.equal(purposeStore.entries.get(ANNA.phone), 'v2-login', 'still pending');
});

t.test('verification code: marks exactly that e-mail or phone verified, and signs in', async (t) => {
  const { flow, codes, accounts, grantStore, tokens } = setup({ proven: false });
  const anna = () => accounts.rows.find((a) => a.id === ANNA.id)!;
  await flow.requestVerification({ accountId: ANNA.id, login: { kind: 'phone', value: ANNA.phone } });
  const accepted = await flow.submitCode({
    login: { kind: 'phone', value: ANNA.phone },
    code: codes.lastCode(),
  });
  t.equal(accepted.purpose, 'v2-verification');
  t.match(anna(), { phoneVerified: true, emailVerified: false });
  await flow.requestVerification({ accountId: ANNA.id, login: { kind: 'email', value: ANNA.email } });
  await flow.submitCode({ login: { kind: 'email', value: ANNA.email }, code: codes.lastCode() });
  t.match(anna(), { phoneVerified: true, emailVerified: true });
  t.equal(grantStore.entries.size, 0);
  t.same(tokens.revocations, [], "the owner's own proofs detach nothing and revoke nothing");
});

t.test(
  'pre-account hijacking: a first sign-in or recovery code ends every session; the unproven contact no longer enters',
  async (t) => {
    // Anna's e-mail and someone's phone, registered by that someone; nothing proven yet.
    const { flow, codes, accounts, tokens } = setup({ proven: false });
    const anna = () => accounts.rows.find((a) => a.id === ANNA.id)!;
    await flow.requestRecovery({ login: { kind: 'email', value: ANNA.email } });
    const { purpose } = await flow.submitCode({
      login: { kind: 'email', value: ANNA.email },
      code: codes.lastCode(),
    });
    t.equal(purpose, 'v2-recovery');
    t.match(anna(), { emailVerified: true, phoneVerified: false });
    t.same(tokens.revocations, [{ accountId: ANNA.id }], 'every session revoked, none kept');
    await t.rejects(
      flow.requestLoginCode({ phone: ANNA.phone }),
      { code: 'phone_not_found', status: 404 },
      "the phone someone else added answers as nobody's",
    );
    // A second proof of the same e-mail changes nothing: no more sessions are ended.
    await flow.requestRecovery({ login: { kind: 'email', value: ANNA.email } });
    await flow.submitCode({ login: { kind: 'email', value: ANNA.email }, code: codes.lastCode() });
    t.equal(tokens.revocations.length, 1);
  },
);

t.test('an unproven contact never enters an account whose other contact is proven', async (t) => {
  const { flow, codes, accounts } = setup({ proven: false });
  // Someone proved the phone in his session; the e-mail (Anna's) was never proven.
  const row = accounts.rows.find((a) => a.id === ANNA.id)!;
  row.phoneVerified = true;
  const email = { kind: 'email', value: ANNA.email } as const;
  await t.rejects(flow.requestRecovery({ login: email }), { code: 'email_not_found', status: 404 });
  // The password is the credential there, the e-mail only names the account: whoever knows it
  // set it (a recovery replaces it), so it still signs in.
  t.ok(await flow.signIn({ email: ANNA.email, password: 'old password 1' }), 'the password signs in');
  // The signed-in owner may still prove his own e-mail (a verification code).
  await flow.requestVerification({ accountId: ANNA.id, login: email });
  await flow.submitCode({ login: email, code: codes.lastCode() });
  t.match(row, { emailVerified: true, phoneVerified: true });
  await flow.requestRecovery({ login: email });
  t.ok(await flow.submitCode({ login: email, code: codes.lastCode() }), 'then its codes sign in');
});

t.test('recovery code: signs in and grants that token a password change for 15 minutes', async (t) => {
  const { flow, codes, grantStore } = setup();
  await flow.requestRecovery({ login: { kind: 'email', value: ANNA.email } });
  const { token, purpose } = await flow.submitCode({
    login: { kind: 'email', value: ANNA.email },
    code: codes.lastCode(),
  });
  t.equal(purpose, V2_PURPOSES.recovery);
  t.same([...grantStore.entries], [[tokenId(token), ANNA.id]]);
  t.same(grantStore.ttls, [GRANT_TTL_S]);
});

async function recoveredToken(s: ReturnType<typeof setup>) {
  await s.flow.requestRecovery({ login: { kind: 'phone', value: ANNA.phone } });
  const { token } = await s.flow.submitCode({
    login: { kind: 'phone', value: ANNA.phone },
    code: s.codes.lastCode(),
  });
  return token;
}

t.test('new password: set, other sessions revoked (this one kept), grant used up', async (t) => {
  const s = setup();
  const token = await recoveredToken(s);
  await s.flow.resetPassword({ accountId: ANNA.id, tokenId: tokenId(token), password: 'новый пароль 2024' });
  t.equal(s.accounts.rows.find((a) => a.id === ANNA.id)?.passwordHash, 'hash:новый пароль 2024');
  t.same(s.tokens.revocations, [{ accountId: ANNA.id, keepTokenId: tokenId(token) }]);
  t.equal(s.grantStore.entries.size, 0);
  await t.rejects(
    s.flow.resetPassword({ accountId: ANNA.id, tokenId: tokenId(token), password: 'ещё один пароль' }),
    { code: 'recovery_not_granted', status: 403 },
    'once',
  );
  // The new password signs in; the old one does not.
  t.ok(await s.flow.signIn({ email: ANNA.email, password: 'новый пароль 2024' }));
  await t.rejects(s.flow.signIn({ email: ANNA.email, password: 'old password 1' }), {
    code: 'invalid_credentials',
  });
});

t.test('new password: refused without a recovery grant of this account', async (t) => {
  const s = setup();
  await s.flow.requestLoginCode({ phone: ANNA.phone });
  const { token: loginToken } = await s.flow.submitCode({
    login: { kind: 'phone', value: ANNA.phone },
    code: s.codes.lastCode(),
  });
  const recovered = await recoveredToken(s);
  for (const [accountId, id, what] of [
    [ANNA.id, tokenId(loginToken), 'a token of a login code'],
    [BORIS.id, tokenId(recovered), "another account's grant"],
    [ANNA.id, 'no-such-token-id', 'an unknown token'],
  ] as const) {
    await t.rejects(
      s.flow.resetPassword({ accountId, tokenId: id, password: 'новый пароль 2024' }),
      { code: 'recovery_not_granted' },
      what,
    );
  }
  t.equal(s.accounts.rows.find((a) => a.id === ANNA.id)?.passwordHash, 'hash:old password 1');
  t.same(s.tokens.revocations, []);
});

t.test('new password: the policy applies; a failed revocation keeps the grant for a retry', async (t) => {
  const s = setup();
  const token = await recoveredToken(s);
  await t.rejects(
    s.flow.resetPassword({ accountId: ANNA.id, tokenId: tokenId(token), password: 'qwerty123' }),
    {
      code: 'password_rejected',
    },
  );
  s.tokens.failRevokeWith = new PropuskError('unavailable');
  await t.rejects(
    s.flow.resetPassword({ accountId: ANNA.id, tokenId: tokenId(token), password: 'новый пароль 2024' }),
    { code: 'unavailable' },
  );
  t.equal(s.grantStore.entries.size, 1);
  s.tokens.failRevokeWith = undefined;
  await s.flow.resetPassword({ accountId: ANNA.id, tokenId: tokenId(token), password: 'новый пароль 2024' });
  t.equal(s.tokens.revocations.length, 1);
});

t.test('loginByPassword: token; unknown e-mail 404; wrong password 401; both ran argon2', async (t) => {
  const s = setup();
  const ok = await s.flow.signIn({ email: ANNA.email, password: 'old password 1', ip: IP });
  t.equal(ok.token, s.tokens.issued.at(-1));
  t.same(s.tokens.subjects.at(-1), { accountId: ANNA.id, username: ANNA.email, roles: [] });
  const before = s.hasher.verifies.length;
  await t.rejects(s.flow.signIn({ email: 'nobody@example.ru', password: 'whatever 123' }), {
    code: 'email_not_found',
    status: 404,
  });
  await t.rejects(s.flow.signIn({ email: ANNA.email, password: 'wrong password' }), {
    code: 'invalid_credentials',
    status: 401,
  });
  t.same(
    s.hasher.verifies.slice(before),
    [undefined, ANNA.passwordHash],
    'a dummy verify for the unknown one',
  );
});

t.test('loginByPassword: throttled per account before any hash', async (t) => {
  const s = setup();
  for (let i = 0; i < 2; i++) {
    await t.rejects(s.flow.signIn({ email: ANNA.email, password: 'wrong' }), { code: 'invalid_credentials' });
  }
  const verifies = s.hasher.verifies.length;
  await t.rejects(s.flow.signIn({ email: ANNA.email, password: 'old password 1' }), {
    code: 'too_many_attempts',
    details: { retryAfter: 60 },
  });
  t.equal(s.hasher.verifies.length, verifies);
});

t.test('Redis down: code records fail closed (unavailable), nothing guessed', async (t) => {
  const s = setup();
  await s.flow.requestLoginCode({ phone: ANNA.phone });
  s.purposeStore.failing = true;
  await t.rejects(s.flow.requestLoginCode({ phone: BORIS.phone }), { code: 'unavailable', status: 503 });
  await t.rejects(
    s.flow.submitCode({ login: { kind: 'phone', value: ANNA.phone }, code: s.codes.lastCode() }),
    {
      code: 'unavailable',
    },
  );
  s.purposeStore.failing = false;
  const token = await recoveredToken(s);
  s.grantStore.failing = true;
  await t.rejects(
    s.flow.resetPassword({ accountId: ANNA.id, tokenId: tokenId(token), password: 'новый пароль 2024' }),
    {
      code: 'unavailable',
    },
  );
});
