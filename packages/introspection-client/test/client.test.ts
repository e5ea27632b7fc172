import t from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import { namespace, rpcSubject, tokenOps } from '@propusk/contracts';
import { createTestDatabase } from '@propusk/db';
import { connectNats, createLogger, createRpcClient } from '@propusk/kit';
import { createIntrospectionClient, isPropuskError, PropuskError } from '../src/index.js';
import { startTokenProcess } from './fixtures/token-process.js';

/**
 * The typed client against the real token process over the real NATS, and against stand-in
 * responders for the failures a caller must be able to tell apart.
 */
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const log = createLogger({ service: 'introspection-client-test', level: 'silent' });

async function rejection(p: Promise<unknown>): Promise<PropuskError> {
  try {
    await p;
  } catch (err) {
    if (isPropuskError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

t.test('against the real token service', async (t) => {
  const db = await createTestDatabase();
  const ns = `t${randomBytes(4).toString('hex')}`;
  const token = await startTokenProcess({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PROPUSK_NAMESPACE: ns,
    DATABASE_URL: db.url,
    NATS_URL,
    TOKEN_PORT: '0',
  });
  const nats = await connectNats(NATS_URL, 'introspection-client-test', log);
  t.teardown(async () => {
    await nats.drain();
    if ((await token.stop()) !== 0) console.error(token.lines.slice(-20).join('\n'));
    await db.drop();
  });
  const issuer = createRpcClient(nats.nc, namespace(ns), { timeoutMs: 5000 });
  const client = createIntrospectionClient({ nats: nats.nc, namespace: ns });
  const subject = { accountId: randomUUID(), username: 'alice', roles: ['staff' as const] };

  t.test('introspect: the members of a live token, then `{active: false}` once revoked', async (t) => {
    const { token: drf } = await issuer.call(tokenOps.issueDrf, subject);
    const active = await client.introspect(drf, { requestId: 'introspection-client-test-1' });
    t.match(active, {
      active: true,
      sub: subject.accountId,
      username: 'alice',
      profile: 'drf',
      token_type: 'access_token',
      roles: ['staff'],
    });
    t.type(active.exp, 'number');
    t.equal(await client.revoke(drf), true, 'this call revoked it');
    t.strictSame(await client.introspect(drf), { active: false });
    t.equal(await client.revoke(drf), false, 'RFC 7009 §2.2: revoked already is no error');

    const { access, refresh } = await issuer.call(tokenOps.issueAuthorization, {
      accountId: subject.accountId,
      userName: 'alice@mail.example',
      roles: [],
    });
    t.equal((await client.introspect(refresh)).token_type, 'refresh_token');
    t.equal(await client.revoke(refresh), true);
    t.strictSame(
      await client.introspect(access),
      { active: false },
      'the session went with its refresh token',
    );
  });

  t.test('sub is the account id and username the username, whatever the profile', async (t) => {
    const envelope = await issuer.call(tokenOps.issueEnvelope, subject);
    const v2 = await issuer.call(tokenOps.issueV2, { ...subject, username: 'alice@mail.example' });
    const { access_token, refresh_token } = await issuer.call(tokenOps.issueAdminTelegram, {
      ...subject,
      chatId: 3546223,
    });
    const wanted: Array<[string, string, string, string]> = [
      ['envelope', envelope.token, 'alice', 'access_token'],
      ['v2', v2.token, 'alice@mail.example', 'access_token'],
      ['admin-telegram', access_token, 'alice', 'access_token'],
      ['admin-telegram', refresh_token, 'alice', 'refresh_token'],
    ];
    for (const [profile, token, username, tokenType] of wanted) {
      t.match(
        await client.introspect(token),
        { active: true, sub: subject.accountId, username, profile, token_type: tokenType },
        `${profile} ${tokenType}`,
      );
    }
  });

  t.test('garbage: inactive, and revoking it is no error', async (t) => {
    for (const tok of ['x', 'a'.repeat(40), 'a.b.c', '', 'a'.repeat(9000)]) {
      t.strictSame(await client.introspect(tok), { active: false }, tok.slice(0, 20));
      t.equal(await client.revoke(tok), false);
    }
  });

  t.test('another namespace: no token service answers there → `unavailable`, never inactive', async (t) => {
    const elsewhere = createIntrospectionClient({ nats: nats.nc, namespace: `${ns}x`, timeoutMs: 1000 });
    const err = await rejection(elsewhere.introspect('a'.repeat(40)));
    t.equal(err.code, 'unavailable');
    t.equal(err.status, 503);
    t.equal((await rejection(elsewhere.revoke('a'.repeat(40)))).code, 'unavailable');
    t.strictSame(
      await elsewhere.introspect(''),
      { active: false },
      'a token the contract cannot carry is answered without a call',
    );
  });
});

t.test('failures a caller can tell apart (stand-in responders)', async (t) => {
  const nats = await connectNats(NATS_URL, 'introspection-client-test', log);
  t.teardown(() => nats.drain());
  const ns = `t${randomBytes(4).toString('hex')}`;
  const subject = rpcSubject(namespace(ns), 'token', 'introspect');
  const client = createIntrospectionClient({ nats: nats.nc, namespace: ns, timeoutMs: 300 });
  const answer = (reply: unknown) =>
    nats.nc.subscribe(subject, {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify(reply));
      },
    });

  t.test('no answer in time → `timeout`', async (t) => {
    const silent = nats.nc.subscribe(subject, { callback: () => {} });
    t.teardown(() => silent.unsubscribe());
    await nats.nc.flush();
    t.equal((await rejection(client.introspect('tok'))).code, 'timeout');
  });

  t.test('a reply that breaks the contract → `invalid_reply`', async (t) => {
    const sub = answer({ ok: true, data: { active: 'yes' } });
    t.teardown(() => sub.unsubscribe());
    await nats.nc.flush();
    t.equal((await rejection(client.introspect('tok'))).code, 'invalid_reply');
  });

  t.test("the token service's own error (its Redis down) → `unavailable`, typed", async (t) => {
    const sub = answer({ ok: false, error: { code: 'unavailable', description: 'redis: read failed' } });
    t.teardown(() => sub.unsubscribe());
    await nats.nc.flush();
    const err = await rejection(client.introspect('tok'));
    t.type(err, PropuskError);
    t.equal(err.code, 'unavailable');
  });

  t.test('a well-formed reply passes through', async (t) => {
    const sub = answer({ ok: true, data: { active: true, sub: 'acc', profile: 'v2', exp: 2_000_000_000 } });
    t.teardown(() => sub.unsubscribe());
    await nats.nc.flush();
    t.strictSame(await client.introspect('tok'), {
      active: true,
      sub: 'acc',
      profile: 'v2',
      exp: 2_000_000_000,
    });
  });
});
