// The gateway's request signatures (internal-auth.ts): what a service accepts, and what it refuses.
import t from 'tap';
import { IDENTITY_HEADERS } from '@propusk/contracts';
import {
  CLIENT_ADDRESS_HEADER,
  ConfigError,
  resolveInternalSecret,
  SIGNATURE_HEADER,
  SIGNATURE_MAX_AGE_MS,
  signedHeaders,
  signRequest,
  verifyRequest,
  type SignableRequest,
} from '../src/index.js';

const SECRET = 'internal-secret-for-tests-0123456789abcdef';
const NOW = 1_760_000_000_000;

/** A request as the gateway forwards it after verifying a token. */
function forwarded(): SignableRequest & { headers: Record<string, string> } {
  return {
    method: 'POST',
    target: '/api/v1/logout/?next=%2Fhome',
    headers: {
      [IDENTITY_HEADERS.subject]: 'acc-1',
      [IDENTITY_HEADERS.username]: 'staff1',
      [IDENTITY_HEADERS.roles]: 'staff',
      [CLIENT_ADDRESS_HEADER]: '203.0.113.7',
      'content-type': 'application/json',
    },
  };
}

function signed(req = forwarded(), at = NOW) {
  return { ...req, headers: { ...req.headers, [SIGNATURE_HEADER]: signRequest(SECRET, req, at) } };
}

t.test('a request as the gateway signed it passes, within the window either way', async (t) => {
  const req = signed();
  t.match(req.headers[SIGNATURE_HEADER], /^t=\d+,v1=[0-9a-f]{64}$/);
  t.same(verifyRequest(SECRET, req, NOW), { ok: true });
  t.same(verifyRequest(SECRET, req, NOW + SIGNATURE_MAX_AGE_MS), { ok: true }, 'as old as allowed');
  t.same(verifyRequest(SECRET, req, NOW - SIGNATURE_MAX_AGE_MS), { ok: true }, 'a clock slightly behind');
  const mixedCase = { ...req, method: 'post', headers: { 'X-Forwarded-For': '203.0.113.7', ...req.headers } };
  t.same(verifyRequest(SECRET, mixedCase, NOW), { ok: true }, 'header names and method in any case');
  t.same(
    verifyRequest(SECRET, { ...req, headers: { ...req.headers, 'content-type': 'text/plain' } }, NOW),
    { ok: true },
    'headers outside the signed set are not covered',
  );
});

t.test('missing, malformed and stale signatures are refused', async (t) => {
  t.same(verifyRequest(SECRET, forwarded(), NOW), { ok: false, reason: 'missing' });
  const req = signed();
  for (const bad of ['', 'v1=abc', `t=${NOW}`, `t=${NOW},v1=${'0'.repeat(63)}`, `t=x,v1=${'0'.repeat(64)}`]) {
    const res = verifyRequest(SECRET, { ...req, headers: { ...req.headers, [SIGNATURE_HEADER]: bad } }, NOW);
    t.same(res, { ok: false, reason: 'malformed' }, JSON.stringify(bad));
  }
  t.same(verifyRequest(SECRET, req, NOW + SIGNATURE_MAX_AGE_MS + 1), { ok: false, reason: 'stale' });
  t.same(
    verifyRequest(SECRET, req, NOW - SIGNATURE_MAX_AGE_MS - 1),
    { ok: false, reason: 'stale' },
    'from the future',
  );
});

t.test('any change to what is signed, or another secret, is a mismatch', async (t) => {
  const req = signed();
  const mismatch = { ok: false, reason: 'mismatch' };
  const variants: Array<[string, SignableRequest]> = [
    ['another method', { ...req, method: 'GET' }],
    ['another path', { ...req, target: '/api/v1/login/?next=%2Fhome' }],
    ['another query', { ...req, target: '/api/v1/logout/?next=%2Fadmin' }],
    [
      'another client address',
      { ...req, headers: { ...req.headers, [CLIENT_ADDRESS_HEADER]: '198.51.100.1' } },
    ],
    ['another subject', { ...req, headers: { ...req.headers, [IDENTITY_HEADERS.subject]: 'acc-2' } }],
    ['a role added', { ...req, headers: { ...req.headers, [IDENTITY_HEADERS.roles]: 'staff,superuser' } }],
    [
      'an identity header added',
      { ...req, headers: { ...req.headers, [IDENTITY_HEADERS.token]: 'a'.repeat(40) } },
    ],
    [
      'an identity header dropped',
      { ...req, headers: { ...req.headers, [IDENTITY_HEADERS.username]: undefined } as never },
    ],
    [
      'an empty value for a missing one',
      { ...req, headers: { ...req.headers, [IDENTITY_HEADERS.profile]: '' } },
    ],
    [
      'another time, same digest',
      {
        ...req,
        headers: {
          ...req.headers,
          [SIGNATURE_HEADER]: req.headers[SIGNATURE_HEADER].replace(/^t=\d+/, `t=${NOW + 1}`),
        },
      },
    ],
  ];
  for (const [what, variant] of variants) t.same(verifyRequest(SECRET, variant, NOW), mismatch, what);
  t.same(verifyRequest(`${SECRET}-other`, req, NOW), mismatch, 'another secret');
});

t.test('signedHeaders signs the target a URL parser makes of the URL', async (t) => {
  const headers = signedHeaders(
    SECRET,
    'GET',
    'http://127.0.0.1:1/v2/auth/\u0441ode?a=1',
    { accept: '*/*' },
    NOW,
  );
  t.equal(headers.accept, '*/*', 'the given headers are kept');
  const req = { method: 'GET', target: '/v2/auth/%D1%81ode?a=1', headers };
  t.same(verifyRequest(SECRET, req, NOW), { ok: true }, 'the non-ASCII path percent-encoded, as sent');
  t.same(verifyRequest(SECRET, { ...req, target: '/v2/auth/code?a=1' }, NOW), {
    ok: false,
    reason: 'mismatch',
  });
});

t.test('INTERNAL_SECRET: required in production, a derived development default elsewhere', async (t) => {
  t.same(resolveInternalSecret({ INTERNAL_SECRET: SECRET, NODE_ENV: 'production', PROPUSK_NAMESPACE: '' }), {
    key: SECRET,
    development: false,
  });
  t.throws(() => resolveInternalSecret({ NODE_ENV: 'production', PROPUSK_NAMESPACE: '' }), ConfigError);
  t.throws(() => resolveInternalSecret({ NODE_ENV: 'production', PROPUSK_NAMESPACE: '' }), {
    message:
      /^configuration: INTERNAL_SECRET is required in production: make one with `openssl rand -hex 32`/,
  });
  const a = resolveInternalSecret({ NODE_ENV: 'development', PROPUSK_NAMESPACE: 'a' });
  t.equal(a.development, true);
  t.ok(a.key.length >= 32, 'as long as a configured one must be');
  t.equal(
    resolveInternalSecret({ NODE_ENV: 'test', PROPUSK_NAMESPACE: 'a' }).key,
    a.key,
    'every process agrees',
  );
  t.not(resolveInternalSecret({ NODE_ENV: 'test', PROPUSK_NAMESPACE: 'b' }).key, a.key, 'suites do not');
});
