import t from 'tap';
import { namespace, rpcSubject, eventSubject, streamName, queueGroup, notifySubject } from '../src/index.js';

t.test('subjects are namespaced and built from parts', async (t) => {
  const prod = namespace();
  t.equal(rpcSubject(prod, 'identity', 'verifyPassword'), 'propusk.rpc.identity.verifyPassword');
  t.equal(eventSubject(prod, 'user', 'registered'), 'auth.user.registered');
  t.equal(notifySubject(prod, 'telegram'), 'propusk.notify.telegram');
  t.equal(streamName(prod, 'NOTIFY'), 'NOTIFY');
  const test = namespace('t-1a2b');
  t.equal(rpcSubject(test, 'token', 'issue'), 't-1a2b.propusk.rpc.token.issue');
  t.equal(eventSubject(test, 'session', 'revoked'), 't-1a2b.auth.session.revoked');
  t.equal(streamName(test, 'NOTIFY'), 'T_1A2B_NOTIFY');
  t.equal(queueGroup('verification'), 'propusk-verification');
});

t.test('a namespace that could break subjects is refused', async (t) => {
  t.throws(() => namespace('a.b'), /namespace must match/);
  t.throws(() => namespace('A*'), /namespace must match/);
  t.throws(() => namespace('x'.repeat(33)), /namespace must match/);
});

t.test('identity header values round-trip through their codec', async (t) => {
  const { encodeIdentityHeader, decodeIdentityHeader } = await import('../src/index.js');
  for (const v of ['staff1', 'Пётр', '100%', 'a b', 'ok,comma']) {
    const e = encodeIdentityHeader(v);
    t.match(e, /^[\x21-\x7e]*$/, `${v} is visible ASCII on the wire`);
    t.equal(decodeIdentityHeader(e), v);
  }
  t.equal(encodeIdentityHeader('staff1'), 'staff1', 'ASCII travels unchanged');
  t.equal(decodeIdentityHeader('%E0%A4%A'), undefined, 'a malformed escape is refused');
});
