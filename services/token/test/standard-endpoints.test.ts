import t from 'tap';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { namespace, tokenOps, type IntrospectionResult } from '@propusk/contracts';
import { createTestDatabase } from '@propusk/db';
import { createIntrospectionClient } from '@propusk/introspection-client';
import { connectNats, createRpcClient } from '@propusk/kit';
import { decodeProtectedHeader } from 'jose';
import { silentLog } from './fixtures/fakes.js';
import { basic, CLIENT, CLIENT_SETTING } from './fixtures/http.js';
import {
  eventually,
  freePort,
  GATEWAY_DIR,
  ROOT,
  startNodeProcess,
  TOKEN_DIR,
  type RunningProcess,
} from './fixtures/processes.js';

/**
 * The standard endpoints end to end: the real token process and the real gateway process
 * against the real Postgres, Redis and NATS. Discovery, JWKS, RFC 7662 and RFC 7009 through
 * the gateway; introspection over NATS through the typed client; a token revoked by any path
 * is inactive on both introspection paths; `authctl keys rotate` keeps old tokens verifying.
 */
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** `authctl` itself (as tools/authctl's own test runs it), against the suite's database. */
function authctl(databaseUrl: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/authctl/src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('the standard endpoints through the real gateway and over NATS', async (t) => {
  const db = await createTestDatabase();
  const nsName = `t${randomBytes(4).toString('hex')}`;
  const base = `http://127.0.0.1:${await freePort()}`;
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PROPUSK_NAMESPACE: nsName,
    NATS_URL,
    PUBLIC_BASE_URL: base,
  };
  const running: RunningProcess[] = [];
  const nats = await connectNats(NATS_URL, 'standard-endpoints-test', silentLog());
  t.teardown(async () => {
    await nats.drain();
    for (const p of running.reverse()) {
      if ((await p.stop()) !== 0) console.error(p.lines.slice(-20).join('\n'));
    }
    await db.drop();
  });
  const token = await startNodeProcess(TOKEN_DIR, {
    ...common,
    DATABASE_URL: db.url,
    TOKEN_PORT: '0',
    SIGNING_KEYS_REFRESH_S: '1',
    INTROSPECTION_CLIENTS: CLIENT_SETTING,
  });
  running.push(token);
  const gateway = await startNodeProcess(GATEWAY_DIR, {
    ...common,
    GATEWAY_PORT: new URL(base).port,
    TOKEN_URL: token.url,
  });
  running.push(gateway);
  t.equal(gateway.url, base, 'the gateway listens at PUBLIC_BASE_URL');

  const rpc = createRpcClient(nats.nc, namespace(nsName), { timeoutMs: 5000 });
  const overNats = createIntrospectionClient({ nats: nats.nc, namespace: nsName });
  const credentials = { authorization: basic(CLIENT.id, CLIENT.secret) };
  const formPost = (path: string, token: string, headers: Record<string, string> = credentials) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  const overHttp = async (token: string): Promise<IntrospectionResult> => {
    const res = await formPost('/oauth2/introspect', token);
    if (res.status !== 200) throw new Error(`introspect: ${res.status}`);
    return (await res.json()) as IntrospectionResult;
  };
  /** Both introspection paths, which must agree. */
  const bothPaths = async (token: string) => {
    const [http, natsResult] = await Promise.all([overHttp(token), overNats.introspect(token)]);
    t.strictSame(http, natsResult, 'HTTP and NATS introspection agree');
    return http;
  };
  const expectActive = async (tokens: readonly string[], what: string) => {
    for (const [i, tok] of tokens.entries())
      t.equal((await bothPaths(tok)).active, true, `${what} #${i}: active`);
  };
  const expectInactive = async (tokens: readonly string[], what: string) => {
    for (const [i, tok] of tokens.entries()) {
      t.strictSame(await overHttp(tok), { active: false }, `${what} #${i}: inactive over HTTP`);
      t.strictSame(await overNats.introspect(tok), { active: false }, `${what} #${i}: inactive over NATS`);
    }
  };
  const bearer = (tok: string, scheme = 'Bearer') => ({ authorization: `${scheme} ${tok}` });
  const subject = () => ({
    accountId: randomUUID(),
    username: `u${randomBytes(3).toString('hex')}`,
    roles: [],
  });

  t.test('discovery: issuer = the URL it is served under minus the path; endpoints live', async (t) => {
    const url = `${base}/.well-known/openid-configuration`;
    const res = await fetch(url);
    t.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    t.equal(doc.issuer, url.slice(0, -'/.well-known/openid-configuration'.length));
    for (const m of ['issuer', 'jwks_uri', 'response_types_supported', 'subject_types_supported']) {
      t.ok(m in doc, m);
    }
    t.strictSame(doc.id_token_signing_alg_values_supported, ['RS256']);
    const jwks = await fetch(doc.jwks_uri as string);
    t.equal(jwks.status, 200);
    t.strictSame(await jwks.json(), await rpc.call(tokenOps.jwks, {}), 'the JWKS the gateway verifies with');
    for (const m of ['introspection_endpoint', 'revocation_endpoint']) {
      const r = await fetch(doc[m] as string, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=x',
      });
      t.equal(r.status, 401, `${m}: needs client credentials`);
      t.equal(r.headers.get('www-authenticate'), 'Basic realm="propusk"');
      t.equal(((await r.json()) as { error: string }).error, 'invalid_client');
    }
  });

  t.test('RFC 7662 and RFC 7009 through the gateway', async (t) => {
    const { token: drf } = await rpc.call(tokenOps.issueDrf, subject());
    const active = await bothPaths(drf);
    t.match(active, { active: true, profile: 'drf', token_type: 'access_token', iss: base });
    const missing = await fetch(`${base}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...credentials },
      body: 'token_type_hint=access_token',
    });
    t.equal(missing.status, 400);
    t.strictSame(await missing.json(), {
      error: 'invalid_request',
      error_description: 'the token parameter is required',
    });
    const unknown = await formPost('/oauth2/revoke', 'not-a-token');
    t.strictSame([unknown.status, await unknown.text()], [200, ''], 'RFC 7009 §2.2: unknown is no error');
    const refused = await formPost('/oauth2/revoke', drf, {
      authorization: basic(CLIENT.id, 'wrong-secret-0123456'),
    });
    t.equal(refused.status, 401);
    t.equal((await bothPaths(drf)).active, true, 'an unauthenticated revocation revokes nothing');
  });

  t.test('a token revoked by any path is inactive on both introspection paths', async (t) => {
    // Every profile's tokens, fresh for each path.
    const issueAll = async (who = subject()) => {
      const drf = (await rpc.call(tokenOps.issueDrf, who)).token;
      const envelope = (await rpc.call(tokenOps.issueEnvelope, who)).token;
      const admin = await rpc.call(tokenOps.issueAdminTelegram, { ...who, chatId: 42 });
      const v2 = (await rpc.call(tokenOps.issueV2, who)).token;
      const authz = await rpc.call(tokenOps.issueAuthorization, {
        ...who,
        userName: `${who.username}@mail.example`,
      });
      return { drf, envelope, admin, v2, authz };
    };
    const everyToken = (x: Awaited<ReturnType<typeof issueAll>>) => [
      x.drf,
      x.envelope,
      x.admin.access_token,
      x.admin.refresh_token,
      x.v2,
      x.authz.access,
      x.authz.refresh,
    ];

    t.test('drf logout (document 004)', async (t) => {
      const { drf } = await issueAll();
      await expectActive([drf], 'drf');
      const res = await fetch(`${base}/api/v1/logout/`, { method: 'POST', headers: bearer(drf, 'Token') });
      t.equal(res.status, 200);
      await expectInactive([drf], 'drf');
    });

    t.test('envelope logout (document 001)', async (t) => {
      const { envelope } = await issueAll();
      await expectActive([envelope], 'envelope');
      const res = await fetch(`${base}/api/v1/auth/logout/`, { headers: bearer(envelope) });
      t.strictSame([res.status, await res.json()], [200, { data: { redirect: '/go/here/after/logout' } }]);
      await expectInactive([envelope], 'envelope');
    });

    t.test('admin-telegram logout (document 000): the access token and its family', async (t) => {
      const { admin } = await issueAll();
      await expectActive([admin.access_token, admin.refresh_token], 'admin-telegram');
      const res = await fetch(`${base}/api/v1/admin/logout`, {
        method: 'POST',
        headers: bearer(admin.access_token),
      });
      t.strictSame([res.status, await res.json()], [200, { message: 'successfully logged out' }]);
      await expectInactive([admin.access_token, admin.refresh_token], 'admin-telegram');
    });

    t.test('v2 signout (document 003)', async (t) => {
      const { v2 } = await issueAll();
      await expectActive([v2], 'v2');
      const res = await fetch(`${base}/v2/auth/signout`, { method: 'POST', headers: bearer(v2) });
      t.equal(res.status, 204);
      await expectInactive([v2], 'v2');
    });

    t.test('RFC 7009 over HTTP, every profile', async (t) => {
      const x = await issueAll();
      const lone = await rpc.call(tokenOps.issueAuthorization, {
        ...subject(),
        userName: 'lone@mail.example',
      });
      await expectActive([...everyToken(x), lone.access], 'before');
      // An admin-telegram refresh token takes its family, an authorization refresh token its session.
      for (const tok of [x.drf, x.envelope, x.admin.refresh_token, x.v2, x.authz.refresh, lone.access]) {
        const res = await formPost('/oauth2/revoke', tok);
        t.strictSame([res.status, await res.text()], [200, '']);
      }
      await expectInactive([...everyToken(x), lone.access], 'revoked over HTTP');
      t.equal((await bothPaths(lone.refresh)).active, true, 'an authorization access token goes alone');
    });

    t.test('revoke over NATS (the typed client), every profile', async (t) => {
      const x = await issueAll();
      await expectActive(everyToken(x), 'before');
      for (const tok of [x.drf, x.envelope, x.admin.access_token, x.v2, x.authz.refresh]) {
        t.equal(await overNats.revoke(tok), true, 'this call revoked it');
        t.equal(await overNats.revoke(tok), false, 'the second call finds it revoked');
      }
      await expectInactive(everyToken(x), 'revoked over NATS');
    });

    t.test('revokeAccountSessions: every profile of the account', async (t) => {
      const who = subject();
      const x = await issueAll(who);
      await expectActive(everyToken(x), 'before');
      t.strictSame(await rpc.call(tokenOps.revokeAccountSessions, { accountId: who.accountId }), {
        revoked: 5,
      });
      await expectInactive(everyToken(x), 'revokeAccountSessions');
    });
  });

  t.test(
    '`authctl keys rotate`: old tokens keep verifying, new ones carry the new kid, JWKS has both',
    async (t) => {
      const who = subject();
      const old = {
        envelope: (await rpc.call(tokenOps.issueEnvelope, who)).token,
        v2: (await rpc.call(tokenOps.issueV2, who)).token,
      };
      const oldKid = decodeProtectedHeader(old.v2).kid!;
      t.equal(decodeProtectedHeader(old.envelope).kid, oldKid);

      const rotated = authctl(db.url, 'keys', 'rotate');
      t.equal(rotated.code, 0, rotated.err);
      const newKid = /new active signing key (\S+) \(RS256\)/.exec(rotated.out)?.[1];
      t.ok(newKid && newKid !== oldKid, 'a new key');
      // SIGNING_KEYS_REFRESH_S=1: the running process reads and publishes the new key within a
      // second; it signs once every verifier can hold it (1 s + ACTIVATION_MARGIN_S).
      const published = async () => {
        const res = await fetch(`${base}/.well-known/jwks.json`);
        return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
      };
      await eventually(async () => (await published()).includes(newKid!), 10_000);
      await eventually(
        async () => decodeProtectedHeader((await rpc.call(tokenOps.issueV2, who)).token).kid === newKid,
        30_000,
      );
      const fresh = {
        envelope: (await rpc.call(tokenOps.issueEnvelope, who)).token,
        v2: (await rpc.call(tokenOps.issueV2, who)).token,
      };
      t.equal(decodeProtectedHeader(fresh.envelope).kid, newKid, 'new envelope tokens: the new kid');
      t.equal(decodeProtectedHeader(fresh.v2).kid, newKid, 'new v2 tokens: the new kid');

      t.strictSame(
        (await published()).sort(),
        [oldKid, newKid!].sort(),
        'JWKS: the active and the retiring key',
      );

      await expectActive([old.envelope, old.v2, fresh.envelope, fresh.v2], 'either key');
      // The gateway verifies each locally with the JWKS (logout routes: 200/204 only for a token
      // the gateway and then the token service verified), old key and new.
      for (const tok of [old.envelope, fresh.envelope]) {
        const res = await fetch(`${base}/api/v1/auth/logout/`, { headers: bearer(tok) });
        t.strictSame([res.status, await res.json()], [200, { data: { redirect: '/go/here/after/logout' } }]);
      }
      for (const tok of [old.v2, fresh.v2]) {
        const res = await fetch(`${base}/v2/auth/signout`, { method: 'POST', headers: bearer(tok) });
        t.equal(res.status, 204);
      }
      await expectInactive([old.envelope, old.v2, fresh.envelope, fresh.v2], 'after logout');
    },
  );
});
