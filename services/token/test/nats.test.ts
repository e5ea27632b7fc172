import t from 'tap';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  eventSubject,
  IDENTITY_HEADERS,
  namespace,
  ops,
  tokenId,
  tokenOps,
  type SessionRevokedEvent,
} from '@propusk/contracts';
import { createPrismaClient, createTestDatabase } from '@propusk/db';
import { connectNats, createRpcClient, signedHeaders } from '@propusk/kit';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { resolveKeysEncryption } from '../src/keys/encryption-key.js';
import { createPrismaKeyStore } from '../src/keys/prisma-store.js';
import { createKeysService } from '../src/keys/service.js';
import { silentLog } from './fixtures/fakes.js';
import { eventually, startNodeProcess, TOKEN_DIR } from './fixtures/processes.js';

/**
 * The real process (`node --import tsx src/main.ts`, as the supervisor starts it) against the
 * real Postgres, Redis and NATS: the token operations over NATS, the revoked event, and the
 * HTTP logout on its own listener.
 */
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** The process refuses what the gateway did not sign: the test signs as the gateway would. */
const INTERNAL_SECRET = 'token-test-internal-secret-0123456789abcdef';

const startToken = (env: Record<string, string>) => startNodeProcess(TOKEN_DIR, env);

/**
 * The gateway's view of an `auth.session.revoked` event: the contract's fields. The domain
 * event also carries its id, time and request id (contracts' EVENTS.sessionRevoked).
 */
function revokedOf(event: SessionRevokedEvent): SessionRevokedEvent {
  const { jti, profile, exp } = event;
  return { jti, profile, exp };
}

t.test('the token service over real NATS', async (t) => {
  const db = await createTestDatabase();
  const nsName = `t${randomBytes(4).toString('hex')}`;
  const proc = await startToken({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PROPUSK_NAMESPACE: nsName,
    DATABASE_URL: db.url,
    NATS_URL,
    INTERNAL_SECRET,
    TOKEN_PORT: '0',
    SIGNING_KEYS_REFRESH_S: '1',
    PUBLIC_BASE_URL: 'https://auth.test.example',
    // The reuse below comes at once: no grace for a concurrent refresh (see the attack suite).
    REFRESH_REUSE_GRACE_MS: '0',
  });
  /** A request to the process's own listener, signed as the gateway signs what it forwards. */
  const direct = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${proc.url}${path}`, {
      ...init,
      headers: signedHeaders(INTERNAL_SECRET, init.method ?? 'GET', path, init.headers ?? {}),
    });
  const nats = await connectNats(NATS_URL, 'token-test', silentLog());
  t.teardown(async () => {
    await nats.drain();
    const code = await proc.stop();
    await db.drop();
    if (code !== 0) console.error(proc.lines.slice(-20).join('\n'));
  });
  const ns = namespace(nsName);
  const client = createRpcClient(nats.nc, ns, { timeoutMs: 3000 });
  const subject = { accountId: randomUUID(), username: 'staff1', roles: ['staff' as const] };

  t.test('ping: ready with postgres, redis and nats', async (t) => {
    const pong = await client.call(ops.ping.token, {});
    t.strictSame(pong.checks, { nats: true, redis: true, postgres: true });
    t.equal(pong.ready, true);
  });

  t.test('drf: issue, introspect, revoke → event, then inactive', async (t) => {
    const events: SessionRevokedEvent[] = [];
    const sub = nats.nc.subscribe(eventSubject(ns, 'session', 'revoked'), {
      callback: (_err, msg) => void events.push(revokedOf(msg.json())),
    });
    t.teardown(() => sub.unsubscribe());
    await nats.nc.flush();

    const { token } = await client.call(tokenOps.issueDrf, subject);
    t.match(token, /^[0-9a-f]{40}$/);
    const active = await client.call(tokenOps.introspect, { token });
    t.equal(active.active, true);
    t.equal(active.sub, subject.accountId);
    t.equal(active.profile, 'drf');
    t.strictSame(active.roles, ['staff']);
    t.equal(active.exp! - active.iat!, 30 * 24 * 3600, 'DRF_TOKEN_TTL_S default');

    t.strictSame(await client.call(tokenOps.revoke, { token }), { revoked: true });
    t.strictSame(await client.call(tokenOps.introspect, { token }), { active: false });
    t.strictSame(await client.call(tokenOps.revoke, { token }), { revoked: false });
    await nats.nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    t.strictSame(events, [{ jti: tokenId(token), profile: 'drf', exp: active.exp }]);
  });

  t.test('envelope: issue, verify against jwks, HTTP logout revokes and announces', async (t) => {
    const events: SessionRevokedEvent[] = [];
    const sub = nats.nc.subscribe(eventSubject(ns, 'session', 'revoked'), {
      callback: (_err, msg) => void events.push(revokedOf(msg.json())),
    });
    t.teardown(() => sub.unsubscribe());
    await nats.nc.flush();

    const issued = await client.call(tokenOps.issueEnvelope, { ...subject, roles: ['superuser'] });
    const { keys } = await client.call(tokenOps.jwks, {});
    t.equal(keys.length, 1);
    t.strictSame(Object.keys(keys[0]!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use'], 'public members only');
    t.equal(decodeProtectedHeader(issued.token).kid, keys[0]!.kid);
    const r = await client.call(tokenOps.introspect, { token: issued.token });
    t.equal(r.active, true);
    t.equal(r.profile, 'envelope');
    t.match(r, { sub: subject.accountId, username: 'staff1', roles: ['superuser'] }, 'sub: the account id');
    t.equal(r.iss, 'digeocache');
    t.equal(r.exp, issued.expiresAt, 'expiresAt is the exp claim (seconds)');

    const res = await direct(`/api/v1/auth/logout/`, {
      headers: {
        [IDENTITY_HEADERS.subject]: r.sub!,
        [IDENTITY_HEADERS.username]: r.username!,
        [IDENTITY_HEADERS.profile]: r.profile!,
        [IDENTITY_HEADERS.tokenId]: r.jti!,
        [IDENTITY_HEADERS.roles]: '',
        [IDENTITY_HEADERS.token]: issued.token,
      },
    });
    t.equal(res.status, 200);
    t.strictSame(await res.json(), { data: { redirect: '/go/here/after/logout' } });
    t.strictSame(await client.call(tokenOps.introspect, { token: issued.token }), { active: false });
    await nats.nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    t.strictSame(events, [{ jti: tokenId(issued.token), profile: 'envelope', exp: issued.expiresAt }]);
  });

  t.test('admin-telegram: issue, refresh, reuse, introspect over NATS; HTTP logout; events', async (t) => {
    const events: SessionRevokedEvent[] = [];
    const sub = nats.nc.subscribe(eventSubject(ns, 'session', 'revoked'), {
      callback: (_err, msg) => void events.push(revokedOf(msg.json())),
    });
    t.teardown(() => sub.unsubscribe());
    await nats.nc.flush();
    const staff = { ...subject, username: 'I0HuKc', chatId: 3546223 };

    const first = await client.call(tokenOps.issueAdminTelegram, staff);
    t.strictSame(Object.keys(decodeJwt(first.access_token)), [
      'access_uuid',
      'authorized',
      'chat_id',
      'exp',
      'username',
    ]);
    t.strictSame(Object.keys(decodeJwt(first.refresh_token)), ['chat_id', 'exp', 'refresh_uuid', 'username']);
    const access = decodeJwt(first.access_token);
    const lifetime = access.exp! - Math.floor(Date.now() / 1000);
    t.ok(lifetime > 890 && lifetime <= 900, `ADMIN_ACCESS_TTL_S default: ${lifetime} s`);
    t.equal(decodeProtectedHeader(first.access_token).alg, 'HS256');
    const r = await client.call(tokenOps.introspect, { token: first.access_token });
    t.strictSame(r, {
      active: true,
      sub: subject.accountId,
      username: 'I0HuKc',
      profile: 'admin-telegram',
      token_type: 'access_token',
      roles: ['staff'],
      jti: access.access_uuid,
      exp: access.exp,
    });
    t.equal(
      (await client.call(tokenOps.introspect, { token: first.refresh_token })).token_type,
      'refresh_token',
    );

    const second = await client.call(tokenOps.refreshAdminTelegram, { refresh_token: first.refresh_token });
    t.strictSame(await client.call(tokenOps.introspect, { token: first.access_token }), { active: false });
    t.equal((await client.call(tokenOps.introspect, { token: second.access_token })).active, true);
    await t.rejects(client.call(tokenOps.refreshAdminTelegram, { refresh_token: first.refresh_token }), {
      code: 'refresh_reused',
      status: 401,
    });
    t.strictSame(await client.call(tokenOps.introspect, { token: second.access_token }), { active: false });
    await t.rejects(client.call(tokenOps.refreshAdminTelegram, { refresh_token: second.access_token }), {
      code: 'invalid_token',
      status: 401,
    });
    await t.rejects(client.call(tokenOps.issueAdminTelegram, { ...staff, chatId: 1.5 }), {
      code: 'invalid_request',
    });

    // Logout on the process's own listener, with the headers the gateway sets after introspection.
    const third = await client.call(tokenOps.issueAdminTelegram, staff);
    const live = await client.call(tokenOps.introspect, { token: third.access_token });
    const logout = await direct(`/api/v1/admin/logout`, {
      method: 'POST',
      headers: {
        [IDENTITY_HEADERS.subject]: live.sub!,
        [IDENTITY_HEADERS.username]: live.username!,
        [IDENTITY_HEADERS.profile]: live.profile!,
        [IDENTITY_HEADERS.tokenId]: tokenId(third.access_token),
        [IDENTITY_HEADERS.roles]: 'staff',
        [IDENTITY_HEADERS.token]: third.access_token,
      },
    });
    t.equal(logout.status, 200);
    t.strictSame(await logout.json(), { message: 'successfully logged out' });
    t.strictSame(await client.call(tokenOps.introspect, { token: third.access_token }), { active: false });
    await t.rejects(client.call(tokenOps.refreshAdminTelegram, { refresh_token: third.refresh_token }), {
      code: 'invalid_token',
    });
    const anonymous = await direct(`/api/v1/admin/logout/`, { method: 'POST' });
    t.strictSame(
      [anonymous.status, await anonymous.json()],
      [401, { message: 'the access token is invalid, expired or revoked; sign in again' }],
    );

    const fourth = await client.call(tokenOps.issueAdminTelegram, staff);
    t.strictSame(await client.call(tokenOps.revoke, { token: fourth.refresh_token }), { revoked: true });
    t.strictSame(await client.call(tokenOps.introspect, { token: fourth.access_token }), { active: false });

    await nats.nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    const expOf = (token: string) => decodeJwt(token).exp!;
    t.strictSame(
      events,
      [first, second, third, fourth].map((p) => ({
        jti: tokenId(p.access_token),
        profile: 'admin-telegram',
        exp: expOf(p.access_token),
      })),
      'rotation, reuse, logout and revoke each announce the access token that died',
    );

    const prisma = createPrismaClient(db.url);
    t.teardown(() => prisma.$disconnect());
    t.equal(
      await prisma.signingKey.count({ where: { alg: 'HS256', status: 'active' } }),
      1,
      'HS256 key made at start',
    );
    const { keys } = await client.call(tokenOps.jwks, {});
    t.strictSame(
      keys.map((k) => k.kty),
      ['RSA'],
      'the JWKS never holds the HMAC key',
    );
  });

  t.test(
    '`authctl keys rotate` is picked up by the running process; old tokens keep verifying',
    async (t) => {
      const before = await client.call(tokenOps.issueEnvelope, subject);
      const prisma = createPrismaClient(db.url);
      t.teardown(() => prisma.$disconnect());
      const rotated = await createKeysService({
        // The process runs with the development master key: seal as it does.
        store: createPrismaKeyStore(
          prisma,
          resolveKeysEncryption({
            KEYS_ENCRYPTION_KEY: process.env.KEYS_ENCRYPTION_KEY,
            NODE_ENV: 'development',
          }).sealer,
        ),
      }).rotate();
      // SIGNING_KEYS_REFRESH_S=1: the ring reads the new key within a second and publishes it at
      // once; it signs once every verifier can hold it (1 s + ACTIVATION_MARGIN_S).
      await eventually(async () => (await client.call(tokenOps.jwks, {})).keys.length === 2, 10_000);
      const meanwhile = await client.call(tokenOps.issueEnvelope, subject);
      t.equal(
        decodeProtectedHeader(meanwhile.token).kid,
        decodeProtectedHeader(before.token).kid,
        'published, not signing yet',
      );
      await eventually(
        async () =>
          decodeProtectedHeader((await client.call(tokenOps.issueEnvelope, subject)).token).kid ===
          rotated.kid,
        30_000,
      );
      const after = await client.call(tokenOps.issueEnvelope, subject);
      t.equal(decodeProtectedHeader(after.token).kid, rotated.kid, 'new tokens are signed with the new key');
      t.not(decodeProtectedHeader(before.token).kid, rotated.kid);
      t.equal(
        (await client.call(tokenOps.introspect, { token: before.token })).active,
        true,
        'old key: retiring',
      );
      t.equal((await client.call(tokenOps.introspect, { token: after.token })).active, true);
      t.equal((await client.call(tokenOps.jwks, {})).keys.length, 2);
    },
  );

  t.test(
    'v2 and authorization over NATS; HTTP signout and validate routes; revokeAccountSessions',
    async (t) => {
      const events: SessionRevokedEvent[] = [];
      const sub = nats.nc.subscribe(eventSubject(ns, 'session', 'revoked'), {
        callback: (_err, msg) => void events.push(revokedOf(msg.json())),
      });
      t.teardown(() => sub.unsubscribe());
      await nats.nc.flush();
      const account = { ...subject, accountId: randomUUID(), username: 'v2user' };

      const v2 = await client.call(tokenOps.issueV2, account);
      t.strictSame(decodeProtectedHeader(v2.token).typ, 'at+jwt');
      const claims = decodeJwt(v2.token);
      t.strictSame(Object.keys(claims), ['iss', 'sub', 'aud', 'jti', 'iat', 'exp']);
      t.equal(claims.iss, 'https://auth.test.example', 'V2_ISSUER unset: PUBLIC_BASE_URL');
      t.equal(v2.expiresAt, claims.exp);
      t.equal(claims.exp! - claims.iat!, 86_400, 'V2_TOKEN_TTL_S default');
      const intro = await client.call(tokenOps.introspect, { token: v2.token });
      t.equal(intro.profile, 'v2');
      t.equal(intro.sub, account.accountId);
      t.equal(intro.username, 'v2user', 'username: as issued, which the token itself does not carry');

      const signout = await direct(`/v2/auth/signout`, {
        method: 'POST',
        headers: {
          [IDENTITY_HEADERS.subject]: intro.sub!,
          [IDENTITY_HEADERS.username]: intro.username!,
          [IDENTITY_HEADERS.profile]: 'v2',
          [IDENTITY_HEADERS.tokenId]: tokenId(v2.token),
          [IDENTITY_HEADERS.roles]: '',
          [IDENTITY_HEADERS.token]: v2.token,
        },
      });
      t.equal(signout.status, 204);
      t.equal(await signout.text(), '');
      t.strictSame(await client.call(tokenOps.introspect, { token: v2.token }), { active: false });
      const anonymous = await direct(`/v2/auth/signout`, { method: 'POST' });
      t.equal(anonymous.status, 401);
      t.equal(((await anonymous.json()) as { code: number }).code, 401);

      const pair = await client.call(tokenOps.issueAuthorization, {
        accountId: account.accountId,
        userName: 'andrejmedvedev2713@gmail.com',
        roles: [],
      });
      t.strictSame(Object.keys(decodeJwt(pair.access)), ['user_name', 'header', 'exp', 'mode']);
      const valid = await direct(`/validate/jwt/access?access=${pair.access}`);
      t.strictSame([valid.status, await valid.text()], [200, 'true']);
      const refresh = await direct(`/validate/jwt/refresh?refresh=${pair.refresh}`);
      t.equal(refresh.status, 200);
      const refreshed = (await refresh.json()) as { access: string; email: string };
      t.equal(refreshed.email, 'andrejmedvedev2713@gmail.com');
      const bad = await direct(`/validate/jwt/refresh?refresh=${pair.access}`);
      t.strictSame(
        [bad.status, await bad.json()],
        [401, { detail: 'The refresh token is invalid, expired or revoked' }],
      );
      t.equal((await client.call(tokenOps.introspect, { token: pair.refresh })).token_type, 'refresh_token');

      const drf = await client.call(tokenOps.issueDrf, account);
      const envelope = await client.call(tokenOps.issueEnvelope, account);
      const kept = await client.call(tokenOps.issueV2, account);
      const admin = await client.call(tokenOps.issueAdminTelegram, { ...account, chatId: 42 });
      await nats.nc.flush();
      await new Promise((r) => setTimeout(r, 100));
      events.length = 0;
      t.strictSame(
        await client.call(tokenOps.revokeAccountSessions, {
          accountId: account.accountId,
          keepTokenId: tokenId(kept.token),
        }),
        { revoked: 4 },
        'drf, envelope, the admin-telegram family and the authorization session',
      );
      for (const token of [
        drf.token,
        envelope.token,
        admin.access_token,
        pair.access,
        refreshed.access,
        pair.refresh,
      ]) {
        t.strictSame(await client.call(tokenOps.introspect, { token }), { active: false });
      }
      t.equal(
        (await client.call(tokenOps.introspect, { token: kept.token })).active,
        true,
        'the kept token lives',
      );
      const after = await direct(`/validate/jwt/access?access=${refreshed.access}`);
      t.equal(await after.text(), 'false');
      await nats.nc.flush();
      await new Promise((r) => setTimeout(r, 100));
      t.strictSame(
        events.map((e) => e.jti).sort(),
        [drf.token, envelope.token, admin.access_token, pair.refresh, pair.access, refreshed.access]
          .map(tokenId)
          .sort(),
        'every token that died is announced on NATS',
      );
      t.strictSame(await client.call(tokenOps.revokeAccountSessions, { accountId: account.accountId }), {
        revoked: 1,
      });
      await t.rejects(client.call(tokenOps.revokeAccountSessions, { accountId: 'nope' }), {
        code: 'invalid_request',
      });
    },
  );

  t.test('garbage and schema violations', async (t) => {
    t.strictSame(await client.call(tokenOps.introspect, { token: 'x' }), { active: false });
    t.strictSame(await client.call(tokenOps.revoke, { token: 'a.b.c' }), { revoked: false });
    await t.rejects(client.call(tokenOps.issueDrf, { ...subject, accountId: 'not-a-uuid' }), {
      code: 'invalid_request',
    });
  });

  t.test('SIGTERM stops it cleanly', async (t) => {
    t.equal(await proc.stop(), 0);
  });
});
