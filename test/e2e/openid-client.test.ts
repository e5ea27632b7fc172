import t from 'tap';
import * as oidc from 'openid-client';
import { createPrismaClient } from '@propusk/db';
import { bootSuite } from '@propusk/testkit';
import { createUsers } from './helpers/accounts.js';
import { post } from './helpers/http.js';

// RFC 7662 introspection and RFC 7009 revocation as a third-party resource server uses them:
// openid-client (v6) discovers the gateway's metadata and calls its endpoints, authenticating
// by each method the discovery document lists (client_secret_post is openid-client's default).
const CLIENT = {
  id: 'billing-api',
  secret: 'df46a336211efc823db0a6acbdd73beaa3ac67c0bf3646d64ca4755a35e71a90',
};
const USER = { username: 'oidc_staff', password: 'qwerty123-oidc', roles: ['staff' as const] };

t.test('openid-client against the real gateway', async (t) => {
  const suite = await bootSuite({ env: { INTROSPECTION_CLIENTS: `${CLIENT.id}:${CLIENT.secret}` } });
  t.teardown(() => suite.stop());
  await createUsers(suite.databaseUrl, [USER]);
  const prisma = createPrismaClient(suite.databaseUrl);
  const accountId = (await prisma.account.findUniqueOrThrow({ where: { username: USER.username } })).id;
  await prisma.$disconnect();

  const server = new URL(suite.url);
  // The suite listens on plain HTTP (127.0.0.1); openid-client refuses it unless told.
  const insecure = { execute: [oidc.allowInsecureRequests] };
  const discover = (auth?: oidc.ClientAuth, secret = CLIENT.secret) =>
    oidc.discovery(server, CLIENT.id, secret, auth, insecure);
  async function login(path: string): Promise<string> {
    const res = await post(suite.url, path, { json: { username: USER.username, password: USER.password } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    return (res.body as { data: { token: string } }).data.token;
  }

  t.test('discovery lists both client authentication methods for both endpoints', async (t) => {
    const metadata = (await discover()).serverMetadata();
    t.equal(metadata.issuer, suite.url);
    t.equal(metadata.introspection_endpoint, `${suite.url}/oauth2/introspect`);
    t.strictSame(metadata.introspection_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
    ]);
    t.strictSame(metadata.revocation_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
    ]);
  });

  const methods: Array<[string, () => oidc.ClientAuth | undefined]> = [
    ['the default (client_secret_post)', () => undefined],
    ['client_secret_post', () => oidc.ClientSecretPost(CLIENT.secret)],
    ['client_secret_basic', () => oidc.ClientSecretBasic(CLIENT.secret)],
  ];
  for (const [method, auth] of methods) {
    t.test(`tokenIntrospection and tokenRevocation with ${method}`, async (t) => {
      const config = await discover(auth());
      const drf = await login('/api/v1/login/');
      t.match(await oidc.tokenIntrospection(config, drf), {
        active: true,
        sub: accountId,
        username: USER.username,
        profile: 'drf',
        token_type: 'access_token',
        roles: ['staff'],
      });
      const envelope = await login('/api/v1/auth/user/');
      t.match(
        await oidc.tokenIntrospection(config, envelope, { token_type_hint: 'access_token' }),
        { active: true, sub: accountId, username: USER.username, profile: 'envelope' },
        'an envelope token names the account id too, though its claims do not',
      );

      await oidc.tokenRevocation(config, drf);
      t.strictSame(await oidc.tokenIntrospection(config, drf), { active: false }, 'revoked');
      const gone = await post(suite.url, '/api/v1/check_token/', {
        headers: { authorization: `Token ${drf}` },
        json: { username: USER.username },
      });
      t.equal(gone.status, 401, 'and the gateway refuses it');
    });
  }

  t.test('a wrong secret is refused as invalid_client, by either method', async (t) => {
    const token = await login('/api/v1/login/');
    for (const auth of [oidc.ClientSecretPost('wrong-secret-0123456789'), oidc.ClientSecretBasic('wrong')]) {
      const config = await discover(auth, 'wrong-secret-0123456789');
      const err = await oidc.tokenIntrospection(config, token).then(
        () => undefined,
        (e: unknown) => e,
      );
      // RFC 6749 §5.2: 401 with a Basic challenge, which openid-client reports as such.
      t.type(err, oidc.WWWAuthenticateChallengeError);
      const challenge = err as oidc.WWWAuthenticateChallengeError;
      t.equal(challenge.status, 401);
      t.equal(challenge.cause[0]?.scheme, 'basic');
      t.match(await challenge.response.json(), { error: 'invalid_client' });
    }
  });
});
