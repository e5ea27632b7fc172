import t from 'tap';
import { ConfigError, loadConfig } from '@propusk/kit';
import { basicCredentials } from '../src/oauth-clients/basic.js';
import { bodyNamesClient, postCredentials } from '../src/oauth-clients/credentials.js';
import { createClientAuthenticator, parseClients } from '../src/oauth-clients/service.js';
import { TOKEN_SETTINGS } from '../src/settings.js';
import { basic } from './fixtures/http.js';

const SECRET = 'Zm9vYmFyYmF6cXV4-._~';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

t.test('INTROSPECTION_CLIENTS: `id:secret[,id:secret…]`, secret, unset by default', async (t) => {
  t.equal(TOKEN_SETTINGS.INTROSPECTION_CLIENTS.secret, true);
  t.equal(loadConfig(TOKEN_SETTINGS, {}).INTROSPECTION_CLIENTS, undefined);
  t.equal(loadConfig(TOKEN_SETTINGS, { INTROSPECTION_CLIENTS: '' }).INTROSPECTION_CLIENTS, undefined);
  // Secrets of 256 bits (`openssl rand -hex 32`, base64url of 32 random bytes): the check of
  // their strength (client-secrets.test.ts) passes them.
  const ok = `gw:${'f600cf1a3edbe090d8dbc001d5459cb8103e5b5f7afd30db847877b2df1522f3'},billing.api:${'q3Jx-9Lm_T2vB8nKc4Wz0YhR6pEa1UdGs7oFi5VtNbX'}`;
  t.equal(loadConfig(TOKEN_SETTINGS, { INTROSPECTION_CLIENTS: ok }).INTROSPECTION_CLIENTS, ok);
  for (const bad of [
    'gw',
    'gw:short',
    `gw:${SECRET},`,
    `gw:${SECRET}, other:${SECRET}`,
    `g w:${SECRET}`,
    `gw:${SECRET}+`,
    `:${SECRET}`,
  ]) {
    const err = thrown(() => loadConfig(TOKEN_SETTINGS, { INTROSPECTION_CLIENTS: bad }));
    t.type(err, ConfigError, bad);
    t.equal((err as ConfigError).variable, 'INTROSPECTION_CLIENTS');
    t.equal(
      (err as Error).message,
      'configuration: INTROSPECTION_CLIENTS has an invalid format',
      'no value shown',
    );
  }
  const twice = thrown(() => parseClients(`gw:${SECRET},gw:${'y'.repeat(16)}`));
  t.type(twice, ConfigError);
  t.equal((twice as Error).message, 'configuration: INTROSPECTION_CLIENTS names the client gw twice');
});

t.test('Basic credentials (RFC 7617, RFC 6749 §2.3.1)', async (t) => {
  t.strictSame(basicCredentials(basic('gw', SECRET)), { id: 'gw', secret: SECRET });
  t.strictSame(
    basicCredentials(basic('gw', 'a:b')),
    { id: 'gw', secret: 'a:b' },
    'the secret may hold a colon',
  );
  t.strictSame(
    basicCredentials(basic('my%20client', 'p%2Bq+r')),
    { id: 'my client', secret: 'p+q r' },
    'form-decoded, as §2.3.1 form-encodes them',
  );
  for (const header of [
    undefined,
    '',
    'Basic',
    'Basic ',
    `Bearer ${Buffer.from(`gw:${SECRET}`).toString('base64')}`,
    `Basic ${Buffer.from('gw').toString('base64')}`,
    `Basic ${Buffer.from(`:${SECRET}`).toString('base64')}`,
    'Basic Z3c6c2VjcmV0=', // base64 of a wrong length
    'Basic %%%',
    `Basic ${Buffer.from('gw:%E0%A4%A').toString('base64')}`,
    [basic('gw', SECRET), basic('gw', SECRET)],
  ]) {
    t.equal(basicCredentials(header), undefined, JSON.stringify(header));
  }
});

t.test('client_secret_post credentials (RFC 6749 §2.3.1): both parameters, each once', async (t) => {
  t.strictSame(postCredentials({ token: 'x', client_id: 'gw', client_secret: SECRET }), {
    id: 'gw',
    secret: SECRET,
  });
  for (const body of [
    undefined,
    null,
    'client_id=gw',
    {},
    { client_id: 'gw' },
    { client_secret: SECRET },
    { client_id: '', client_secret: SECRET },
    { client_id: ['gw', 'gw'], client_secret: SECRET },
    { client_id: 'gw', client_secret: [SECRET, SECRET] },
  ]) {
    t.equal(postCredentials(body), undefined, JSON.stringify(body));
  }
  t.equal(bodyNamesClient({ token: 'x' }), false);
  t.equal(bodyNamesClient({ token: 'x', client_id: 'gw' }), true, 'an id alone names a client');
  t.equal(bodyNamesClient({ token: 'x', client_secret: '' }), true, 'so does an empty secret');
  t.equal(bodyNamesClient(undefined), false);
});

t.test('verify: the configured id with its secret, nothing else, by either method', async (t) => {
  const clients = createClientAuthenticator(`gw:${SECRET},other:${'o'.repeat(16)}`);
  t.equal(clients.verify(postCredentials({ client_id: 'gw', client_secret: SECRET })), 'gw');
  t.equal(clients.verify(postCredentials({ client_id: 'gw', client_secret: 'o'.repeat(16) })), undefined);
  const basicOf = (header: string | undefined) => clients.verify(basicCredentials(header));
  t.equal(clients.size, 2);
  t.equal(basicOf(basic('gw', SECRET)), 'gw');
  t.equal(basicOf(basic('other', 'o'.repeat(16))), 'other');
  t.equal(basicOf(basic('gw', 'o'.repeat(16))), undefined, "another client's secret");
  t.equal(basicOf(basic('gw', `${SECRET}x`)), undefined);
  t.equal(basicOf(basic('gw', SECRET.slice(0, -1))), undefined, 'a prefix of the secret');
  t.equal(basicOf(basic('nobody', SECRET)), undefined);
  t.equal(basicOf(basic('nobody', '')), undefined, 'an unknown id with an empty secret');
  t.equal(basicOf(undefined), undefined);
  t.equal(clients.verify(undefined), undefined);

  const none = createClientAuthenticator(undefined);
  t.equal(none.size, 0);
  t.equal(none.verify({ id: 'gw', secret: SECRET }), undefined);
  t.equal(none.verify({ id: '', secret: '' }), undefined);
});
