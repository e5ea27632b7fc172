import t from 'tap';
import { ConfigError, loadConfig } from '@propusk/kit';
import { basicCredentials } from '../src/oauth-clients/basic.js';
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
  const ok = `gw:${SECRET},billing.api:${'x'.repeat(16)}`;
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

t.test('authenticate: the configured id with its secret, nothing else', async (t) => {
  const clients = createClientAuthenticator(`gw:${SECRET},other:${'o'.repeat(16)}`);
  t.equal(clients.size, 2);
  t.equal(clients.authenticate(basic('gw', SECRET)), 'gw');
  t.equal(clients.authenticate(basic('other', 'o'.repeat(16))), 'other');
  t.equal(clients.authenticate(basic('gw', 'o'.repeat(16))), undefined, "another client's secret");
  t.equal(clients.authenticate(basic('gw', `${SECRET}x`)), undefined);
  t.equal(clients.authenticate(basic('gw', SECRET.slice(0, -1))), undefined, 'a prefix of the secret');
  t.equal(clients.authenticate(basic('nobody', SECRET)), undefined);
  t.equal(clients.authenticate(basic('nobody', '')), undefined, 'an unknown id with an empty secret');
  t.equal(clients.authenticate(undefined), undefined);

  const none = createClientAuthenticator(undefined);
  t.equal(none.size, 0);
  t.equal(none.authenticate(basic('gw', SECRET)), undefined);
  t.equal(none.authenticate(basic('', '')), undefined);
});
