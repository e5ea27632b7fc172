import t from 'tap';
import { ROUTES } from '../src/routes/table.js';

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

t.test('logout routes revoke; no path is listed twice', async (t) => {
  t.same(
    ROUTES.filter((r) => r.revokes).map((r) => r.path),
    ['/api/v1/logout/', '/api/v1/accounts/logout/', '/api/v1/auth/logout/'],
  );
  t.equal(new Set(ROUTES.map((r) => r.path)).size, ROUTES.length);
  t.equal(ROUTES.length, 9);
});
