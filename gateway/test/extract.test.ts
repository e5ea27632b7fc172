import t from 'tap';
import { extractToken, MAX_TOKEN_LENGTH } from '../src/auth/extract.js';

const DRF = ['bearer', 'token'];
const ENVELOPE = ['bearer'];
const HEX = '48a22aa3a719bc8724fa36d5b1a0c4d2e3f40516';

t.test('drf accepts Bearer and Token, the scheme in any casing', async (t) => {
  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'Token', 'token', 'TOKEN', 'tOkEn']) {
    t.same(extractToken(`${scheme} ${HEX}`, DRF), { kind: 'token', token: HEX }, scheme);
  }
  t.same(extractToken(`Token   ${HEX}  `, DRF), { kind: 'token', token: HEX }, 'extra spaces');
});

t.test('envelope accepts only Bearer', async (t) => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJ1c2VybmFtZSI6ImEifQ.c2ln';
  t.same(extractToken(`Bearer ${jwt}`, ENVELOPE), { kind: 'token', token: jwt });
  t.same(extractToken(`Token ${jwt}`, ENVELOPE), { kind: 'none' }, 'Token is not an envelope scheme');
});

t.test('no header, another scheme, or no scheme at all: no credentials', async (t) => {
  t.same(extractToken(undefined, DRF), { kind: 'none' });
  t.same(extractToken('', DRF), { kind: 'none' });
  t.same(extractToken('Basic dXNlcjpwYXNz', DRF), { kind: 'none' });
  t.same(extractToken(HEX, DRF), { kind: 'none' }, 'a bare token is a scheme we do not know');
  t.same(extractToken([`Bearer ${HEX}`, 'Basic x'], DRF), { kind: 'token', token: HEX }, 'first of repeated');
});

t.test('a known scheme with a bad token: malformed', async (t) => {
  t.same(extractToken('Bearer', DRF), { kind: 'malformed' });
  t.same(extractToken('Bearer   ', DRF), { kind: 'malformed' });
  t.same(extractToken(`Token ${HEX} extra`, DRF), { kind: 'malformed' }, 'spaces inside');
  t.same(extractToken('Bearer a"b', DRF), { kind: 'malformed' }, 'not a b64token (RFC 6750 §2.1)');
  t.same(extractToken('Bearer тест', DRF), { kind: 'malformed' });
  t.same(extractToken(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`, DRF), { kind: 'malformed' }, 'too long');
  t.same(extractToken(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}`, DRF).kind, 'token', 'the longest accepted');
});

t.test('bare tokens (document 003): the value with no scheme is the token', async (t) => {
  const V2 = ['bearer'];
  const bare = { bare: true };
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';
  t.same(extractToken(jwt, V2, bare), { kind: 'token', token: jwt }, 'the JWT alone');
  t.same(extractToken(`  ${jwt} `, V2, bare), { kind: 'token', token: jwt }, 'surrounding spaces');
  t.same(extractToken(`Bearer ${jwt}`, V2, bare), { kind: 'token', token: jwt }, 'Bearer still works');
  t.same(extractToken(`bEaReR ${jwt}`, V2, bare), { kind: 'token', token: jwt });
  t.same(extractToken('Bearer', V2, bare), { kind: 'malformed' }, 'the scheme alone is no token');
  t.same(extractToken(`Token ${jwt}`, V2, bare), { kind: 'none' }, 'another scheme: no credentials');
  t.same(extractToken('Basic dXNlcjpwYXNz', V2, bare), { kind: 'none' });
  t.same(extractToken('', V2, bare), { kind: 'none' });
  t.same(extractToken('   ', V2, bare), { kind: 'none' });
  t.same(extractToken('a"b', V2, bare), { kind: 'malformed' }, 'not a b64token');
  t.same(extractToken('a'.repeat(MAX_TOKEN_LENGTH + 1), V2, bare), { kind: 'malformed' }, 'too long');
  t.same(extractToken(jwt, V2), { kind: 'none' }, 'without the option a bare value is no credentials');
});
