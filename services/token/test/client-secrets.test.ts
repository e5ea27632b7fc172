import t from 'tap';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@propusk/kit';
import { estimateSecretBits, MIN_SECRET_BITS } from '../src/oauth-clients/secret-strength.js';
import { clientAuthLimits, TOKEN_SETTINGS } from '../src/settings.js';
import { TOKEN_DIR } from './fixtures/processes.js';

// Client secrets of INTROSPECTION_CLIENTS hold at least 128 bits (RFC 6749 §10.10), estimated
// from their characters; a weaker one stops the start with a message that says how to make a
// good one, and never shows the secret. The client authentication budgets are checked together.

/** The example secrets this repository shipped before: made up by hand, all too weak. */
const WEAK = [
  'rs-secret-0123456789',
  'billing-secret-0123456789',
  'topology-secret-0123456789',
  'Zm9vYmFyYmF6cXV4-._~',
  'b'.repeat(64),
  'ab'.repeat(32),
  '0123456789abcdef'.repeat(4),
  'deadbeef'.repeat(8),
  'changeme-changeme-changeme-changeme',
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
];

const ADVICE = /make one with `openssl rand -hex 32`/;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

t.test('the estimate: generated secrets pass, made-up, repetitive and sequential ones do not', async (t) => {
  for (const secret of WEAK) {
    const bits = estimateSecretBits(secret);
    t.ok(bits < MIN_SECRET_BITS, `${secret}: about ${bits} bits, refused`);
  }
  // 32 random bytes as hex (`openssl rand -hex 32`) and as base64url, many draws: never refused.
  for (let i = 0; i < 2000; i++) {
    for (const secret of [randomBytes(32).toString('hex'), randomBytes(32).toString('base64url')]) {
      const bits = estimateSecretBits(secret);
      if (bits < MIN_SECRET_BITS) t.fail(`${secret}: only ${bits} bits`);
    }
  }
  t.ok(estimateSecretBits(randomBytes(32).toString('hex')) >= 200, 'well above the bar');
  t.equal(estimateSecretBits(''), 0);
  t.equal(estimateSecretBits('x'), 0);
});

t.test('a weak secret is refused when the settings are read, with how to make a good one', async (t) => {
  const strong = randomBytes(32).toString('hex');
  for (const weak of WEAK.filter((s) => /^[A-Za-z0-9._~-]{16,256}$/.test(s))) {
    const err = thrown(() =>
      loadConfig(TOKEN_SETTINGS, { INTROSPECTION_CLIENTS: `good:${strong},billing:${weak}` }),
    );
    t.type(err, ConfigError);
    t.equal((err as ConfigError).variable, 'INTROSPECTION_CLIENTS');
    t.match(err.message, /^configuration: INTROSPECTION_CLIENTS holds a weak secret for the client billing /);
    t.match(err.message, /about \d+ bits of entropy; at least 128 are needed/);
    t.match(err.message, ADVICE);
    t.notOk(err.message.includes(weak), 'the secret is not shown');
  }
  const ok = `a:${strong},b:${randomBytes(32).toString('base64url')}`;
  t.equal(loadConfig(TOKEN_SETTINGS, { INTROSPECTION_CLIENTS: ok }).INTROSPECTION_CLIENTS, ok);
});

t.test('the start: the token service stops on a weak secret, naming the fix', async (t) => {
  const weak = 'billing-secret-0123456789';
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: TOKEN_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PROPUSK_NAMESPACE: `t${randomBytes(4).toString('hex')}`,
      TOKEN_PORT: '0',
      INTROSPECTION_CLIENTS: `billing-api:${weak}`,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  t.not(run.status, 0, 'it does not start');
  t.equal(run.signal, null, 'it stopped by itself (not by the timeout)');
  t.match(output, /INTROSPECTION_CLIENTS holds a weak secret for the client billing-api/);
  t.match(output, ADVICE);
  t.notOk(output.includes(weak), 'the secret is not in its output');
  t.notMatch(output, /ready to serve/);
});

t.test('the client authentication budgets: the per-client one is at least the per-address one', async (t) => {
  t.strictSame(clientAuthLimits(loadConfig(TOKEN_SETTINGS, {})), {
    perAddress: 10,
    perClient: 100,
    windowS: 900,
  });
  const err = thrown(() =>
    clientAuthLimits(
      loadConfig(TOKEN_SETTINGS, {
        CLIENT_AUTH_MAX_FAILURES_PER_ADDRESS: '20',
        CLIENT_AUTH_MAX_FAILURES_PER_CLIENT: '10',
      }),
    ),
  );
  t.type(err, ConfigError);
  t.equal((err as ConfigError).variable, 'CLIENT_AUTH_MAX_FAILURES_PER_CLIENT');
});
