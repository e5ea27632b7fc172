import t from 'tap';
import { PropuskError, tokenId, type IntrospectionResult } from '@propusk/contracts';
import { drfStrategy, DRF_TOKEN } from '../src/auth/strategies.js';
import { createOpaqueVerifier } from '../src/auth/opaque.js';
import { AuthError } from '../src/auth/errors.js';

const HEX = 'a'.repeat(40);
const ACTIVE: IntrospectionResult = {
  active: true,
  sub: '7f1b7c1e-2a6f-4f53-9a43-0c1d2b3e4f50',
  username: 'staff1',
  profile: 'drf',
  token_type: 'access_token',
  roles: ['staff'],
  exp: Math.floor(Date.now() / 1000) + 3600,
};

async function reason(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof AuthError ? e.reason : `not an AuthError: ${String(e)}`),
  );
}

t.test('an active drf token becomes an identity', async (t) => {
  const v = createOpaqueVerifier({ profile: 'drf', format: DRF_TOKEN, introspect: async () => ACTIVE });
  t.same(await v.verify(HEX), {
    subject: ACTIVE.sub,
    username: 'staff1',
    profile: 'drf',
    tokenId: tokenId(HEX),
    roles: ['staff'],
    expiresAtMs: ACTIVE.exp! * 1000,
  });
});

t.test('drf strategy: Bearer and Token schemes', async (t) => {
  t.same(drfStrategy(async () => ACTIVE).schemes, ['bearer', 'token']);
});

t.test('not a 40-hex token: refused without asking the token service', async (t) => {
  let calls = 0;
  const v = createOpaqueVerifier({
    profile: 'drf',
    format: DRF_TOKEN,
    introspect: async () => {
      calls++;
      return ACTIVE;
    },
  });
  for (const bad of [
    'A'.repeat(40),
    'a'.repeat(39),
    'a'.repeat(41),
    'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
    'garbage',
  ]) {
    t.equal(await reason(v.verify(bad)), 'invalid', bad);
  }
  t.equal(calls, 0);
});

t.test('inactive, another profile, not an access token, incomplete answers: invalid', async (t) => {
  const cases: Array<[string, IntrospectionResult]> = [
    ['inactive', { active: false }],
    ['envelope token', { ...ACTIVE, profile: 'envelope' }],
    ['no profile', { ...ACTIVE, profile: undefined }],
    ['refresh', { ...ACTIVE, token_type: 'refresh_token' }],
    ['no token_type', { ...ACTIVE, token_type: undefined }],
    ['no sub', { ...ACTIVE, sub: undefined }],
    ['no exp', { ...ACTIVE, exp: undefined }],
  ];
  for (const [what, result] of cases) {
    const v = createOpaqueVerifier({ profile: 'drf', format: DRF_TOKEN, introspect: async () => result });
    t.equal(await reason(v.verify(HEX)), 'invalid', what);
  }
});

t.test('the token service unreachable or failing: unavailable (fail closed)', async (t) => {
  for (const code of ['unavailable', 'timeout', 'internal', 'invalid_reply'] as const) {
    const v = createOpaqueVerifier({
      profile: 'drf',
      format: DRF_TOKEN,
      introspect: async () => {
        throw new PropuskError(code);
      },
    });
    t.equal(await reason(v.verify(HEX)), 'unavailable', code);
  }
  const v = createOpaqueVerifier({
    profile: 'drf',
    format: DRF_TOKEN,
    introspect: async () => {
      throw new PropuskError('invalid_token');
    },
  });
  t.equal(await reason(v.verify(HEX)), 'invalid', "invalid_token is the token's fault");
});
