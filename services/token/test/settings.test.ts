import t from 'tap';
import { ConfigError, loadConfig } from '@propusk/kit';
import { TOKEN_SETTINGS } from '../src/settings.js';

t.test('token settings: defaults', async (t) => {
  t.strictSame(
    { ...loadConfig(TOKEN_SETTINGS, {}) },
    {
      ADMIN_ACCESS_TTL_S: 900,
      ADMIN_REFRESH_TTL_S: 604_800,
      REFRESH_REUSE_GRACE_MS: 2000,
      DRF_TOKEN_TTL_S: 2_592_000,
      ENVELOPE_ISSUER: 'digeocache',
      ENVELOPE_LOGOUT_REDIRECT: '/go/here/after/logout',
      ENVELOPE_LOGOUT_FAILED_REDIRECT: '/go/here/after/failed/logout',
      V2_TOKEN_TTL_S: 86_400,
      AUTHZ_ACCESS_TTL_S: 3600,
      AUTHZ_REFRESH_TTL_S: 14_400,
      SIGNING_KEYS_REFRESH_S: 60,
      CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS: 10,
      CLIENT_AUTH_MAX_FAILURES_PER_CLIENT: 100,
      CLIENT_AUTH_FAILURE_WINDOW_S: 900,
    },
    'V2_ISSUER has no default of its own: unset means PUBLIC_BASE_URL',
  );
});

t.test('token settings: values and refusals', async (t) => {
  const c = loadConfig(TOKEN_SETTINGS, {
    DRF_TOKEN_TTL_S: '3600',
    ENVELOPE_ISSUER: 'https://auth.example',
    ENVELOPE_LOGOUT_REDIRECT: 'https://app.example/bye',
  });
  t.equal(c.DRF_TOKEN_TTL_S, 3600);
  t.equal(c.ENVELOPE_ISSUER, 'https://auth.example');
  t.equal(c.ENVELOPE_LOGOUT_REDIRECT, 'https://app.example/bye');
  const admin = loadConfig(TOKEN_SETTINGS, { ADMIN_ACCESS_TTL_S: '600', ADMIN_REFRESH_TTL_S: '86400' });
  t.equal(admin.ADMIN_ACCESS_TTL_S, 600);
  t.equal(admin.ADMIN_REFRESH_TTL_S, 86400);
  const v2 = loadConfig(TOKEN_SETTINGS, { V2_TOKEN_TTL_S: '3600', V2_ISSUER: 'https://auth.example' });
  t.equal(v2.V2_TOKEN_TTL_S, 3600);
  t.equal(v2.V2_ISSUER, 'https://auth.example');
  const authz = loadConfig(TOKEN_SETTINGS, { AUTHZ_ACCESS_TTL_S: '900', AUTHZ_REFRESH_TTL_S: '86400' });
  t.equal(authz.AUTHZ_ACCESS_TTL_S, 900);
  t.equal(authz.AUTHZ_REFRESH_TTL_S, 86400);
  const bad: Array<[Record<string, string>, string]> = [
    [{ DRF_TOKEN_TTL_S: '10' }, 'DRF_TOKEN_TTL_S'],
    [{ DRF_TOKEN_TTL_S: 'forever' }, 'DRF_TOKEN_TTL_S'],
    [{ ENVELOPE_ISSUER: 'has space' }, 'ENVELOPE_ISSUER'],
    [{ ENVELOPE_LOGOUT_REDIRECT: 'javascript:alert(1)' }, 'ENVELOPE_LOGOUT_REDIRECT'],
    [{ ENVELOPE_LOGOUT_FAILED_REDIRECT: 'no-slash' }, 'ENVELOPE_LOGOUT_FAILED_REDIRECT'],
    [{ SIGNING_KEYS_REFRESH_S: '0' }, 'SIGNING_KEYS_REFRESH_S'],
    [{ ADMIN_ACCESS_TTL_S: '5' }, 'ADMIN_ACCESS_TTL_S'],
    [{ ADMIN_REFRESH_TTL_S: String(31 * 86400) }, 'ADMIN_REFRESH_TTL_S'],
    // At most 6 days: the RS256 retire window derives from this maximum (keys/lifetimes.ts).
    [{ V2_TOKEN_TTL_S: String(7 * 86400) }, 'V2_TOKEN_TTL_S'],
    [{ V2_TOKEN_TTL_S: '59' }, 'V2_TOKEN_TTL_S'],
    [{ V2_ISSUER: 'has space' }, 'V2_ISSUER'],
    [{ AUTHZ_ACCESS_TTL_S: String(2 * 86400) }, 'AUTHZ_ACCESS_TTL_S'],
    [{ AUTHZ_REFRESH_TTL_S: String(31 * 86400) }, 'AUTHZ_REFRESH_TTL_S'],
    [{ AUTHZ_REFRESH_TTL_S: '60' }, 'AUTHZ_REFRESH_TTL_S'],
    [{ CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS: '0' }, 'CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS'],
    [{ CLIENT_AUTH_MAX_FAILURES_PER_CLIENT: 'many' }, 'CLIENT_AUTH_MAX_FAILURES_PER_CLIENT'],
    [{ CLIENT_AUTH_FAILURE_WINDOW_S: String(2 * 86400) }, 'CLIENT_AUTH_FAILURE_WINDOW_S'],
  ];
  for (const [env, variable] of bad) {
    t.throws(() => loadConfig(TOKEN_SETTINGS, env), { name: 'ConfigError', variable }, variable);
  }
  t.type(ConfigError, 'function');
});
