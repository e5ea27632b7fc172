import t from 'tap';
import { TELEGRAM_WEBHOOK_PATH } from '@propusk/contracts';
import { profileOfPath, ROUTES } from '../src/routes/table.js';

const row = (path: string) => {
  const r = ROUTES.find((x) => x.path === path);
  return r && { method: r.methods.join(','), upstream: r.upstream, profile: r.profile, auth: r.auth };
};

t.test('document 004 (drf): both spellings, each with its owner and token policy', async (t) => {
  for (const base of ['/api/v1', '/api/v1/accounts']) {
    t.same(row(`${base}/login/`), { method: 'POST', upstream: 'identity', profile: 'drf', auth: 'none' });
    t.same(row(`${base}/logout/`), { method: 'POST', upstream: 'token', profile: 'drf', auth: 'optional' });
    t.same(row(`${base}/check_token/`), {
      method: 'POST',
      upstream: 'token',
      profile: 'drf',
      auth: 'required',
    });
  }
});

t.test('document 001 (envelope)', async (t) => {
  t.same(row('/api/v1/auth/admin/'), {
    method: 'POST',
    upstream: 'identity',
    profile: 'envelope',
    auth: 'none',
  });
  t.same(row('/api/v1/auth/user/'), {
    method: 'POST',
    upstream: 'identity',
    profile: 'envelope',
    auth: 'none',
  });
  t.same(row('/api/v1/auth/logout/'), {
    method: 'GET',
    upstream: 'token',
    profile: 'envelope',
    auth: 'optional',
  });
});

t.test(
  'document 000 (admin-telegram): identity without a token, logout at the token service with one',
  async (t) => {
    for (const path of [
      '/api/v1/admin/registration/code',
      '/api/v1/admin/registration',
      '/api/v1/admin/auth',
    ]) {
      t.same(
        row(path),
        { method: 'POST', upstream: 'identity', profile: 'admin-telegram', auth: 'none' },
        path,
      );
    }
    t.same(row('/api/v1/admin/logout'), {
      method: 'POST',
      upstream: 'token',
      profile: 'admin-telegram',
      auth: 'required',
    });
  },
);

t.test("Telegram's webhook goes to the notification service without a token check", async (t) => {
  t.same(row(TELEGRAM_WEBHOOK_PATH), {
    method: 'POST',
    upstream: 'notification',
    profile: 'admin-telegram',
    auth: 'none',
  });
});

t.test('logout routes revoke; no path is listed twice', async (t) => {
  t.same(
    ROUTES.filter((r) => r.revokes).map((r) => r.path),
    ['/api/v1/logout/', '/api/v1/accounts/logout/', '/api/v1/auth/logout/', '/api/v1/admin/logout'],
  );
  t.equal(new Set(ROUTES.map((r) => r.path)).size, ROUTES.length);
  t.equal(ROUTES.length, 14);
});

t.test("unknown paths under /api/v1/admin/ are document 000's", async (t) => {
  t.equal(profileOfPath('/api/v1/admin/nope'), 'admin-telegram');
  t.equal(profileOfPath('/api/v1/admin'), 'admin-telegram');
  t.equal(profileOfPath('/api/v1/admin/'), 'admin-telegram');
  t.equal(profileOfPath('/api/v1/administrator'), undefined);
  t.equal(profileOfPath('/api/v1/nope'), undefined);
  t.equal(profileOfPath('/'), undefined);
});
