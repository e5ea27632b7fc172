import t from 'tap';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
// The ports module alone: the testkit's index loads the whole suite's launcher.
import { freePort, reachable } from '../../../packages/testkit/src/ports.js';

// Issue 15, item 7: the shipped docker-compose.yml used to default to NODE_ENV=development, so a
// deployment made from it ran on the public development keys (CODE_HMAC_KEY among them: anyone
// with the source could test a stolen code hash against the million codes) and wrote codes to
// the log. Now compose is production by default and every process refuses to start without its
// secrets; infra/compose.dev.yml is the one that opts into development.
// No Docker engine runs here: the test reads the compose files as compose would (YAML with merge
// keys, `${VAR:-default}` substitution from an empty .env) and starts the compiled processes
// with exactly the environment compose would hand each container.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface ComposeService {
  command?: string[];
  working_dir?: string;
  environment?: Record<string, string | number | null>;
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

async function readCompose(file: string): Promise<ComposeFile> {
  return parse(await readFile(path.join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * Compose's interpolation of one value, for the forms docker-compose.yml uses. Any other `$`
 * form fails the test rather than being read wrongly.
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}|\$(.)/g, (whole, name, fallback, other) => {
    if (other !== undefined) throw new Error(`unhandled compose form ${whole} in ${value}`);
    const set = env[name as string];
    return set !== undefined && set !== '' ? set : ((fallback as string | undefined) ?? '');
  });
}

function environmentOf(service: ComposeService, env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.environment ?? {})) out[k] = interpolate(String(v ?? ''), env);
  return out;
}

/** The services that run our image's processes (`node dist/main.mjs`), by compose name. */
function appServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, s]) => s.command?.join(' ') === 'node dist/main.mjs');
}

interface Exit {
  code: number | null;
  output: string;
}

/** Runs one compiled process as its container would, on free local ports; resolves on exit. */
async function runAsContainer(service: ComposeService, env: Record<string, string>): Promise<Exit> {
  const cwd = path.join(ROOT, (service.working_dir ?? '').replace(/^\/app\/?/, ''));
  const ports: Record<string, string> = {};
  for (const name of ['GATEWAY', 'IDENTITY', 'VERIFICATION', 'FEDERATION', 'TOKEN', 'NOTIFICATION'])
    ports[`${name}_PORT`] = String(await freePort());
  const child = spawn(process.execPath, ['dist/main.mjs'], {
    cwd,
    // Only what compose gives the container, with the compose network's addresses swapped for
    // this machine's servers: the test must not lend the process anything from its own env.
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      ...ports,
      BIND_HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/propusk_compose_defaults',
      REDIS_URL: 'redis://127.0.0.1:6379',
      NATS_URL: 'nats://127.0.0.1:4222',
      PROPUSK_NAMESPACE: 'compose-defaults',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  // A process that does start is the failure this test looks for: stop it once it listens.
  const port = Number(service.working_dir?.endsWith('gateway') ? ports.GATEWAY_PORT : 0);
  const watchdog = setInterval(() => {
    if (port && child.exitCode === null) void reachable(port).then((up) => up && child.kill('SIGTERM'));
  }, 200);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(watchdog);
  return { code, output };
}

t.test('compose is production by default: no process starts on development keys', async (t) => {
  const compose = await readCompose('docker-compose.yml');
  const apps = appServices(compose);
  t.same(
    apps.map(([name]) => name).sort(),
    ['federation', 'gateway', 'identity', 'notification', 'token', 'verification'],
    'the six processes',
  );

  // An operator's `docker compose up` with no .env: every variable unset.
  for (const [name, service] of apps) {
    t.equal(environmentOf(service, {}).NODE_ENV, 'production', `${name}: NODE_ENV defaults to production`);
  }

  const gateway = compose.services.gateway!;
  const refused = await runAsContainer(gateway, environmentOf(gateway, {}));
  t.equal(refused.code, 1, 'the gateway refuses to start');
  t.match(
    refused.output,
    /INTERNAL_SECRET is required in production: make one with `openssl rand -hex 32`/,
    'and says what it lacks and how to make it',
  );
  t.notMatch(refused.output, /\n\s+at /, 'in one line, no stack trace');
});

t.test('each secret is refused on its own, so none can be forgotten', async (t) => {
  const compose = await readCompose('docker-compose.yml');
  const secret = 'a'.repeat(8) + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  const withInternal = { INTERNAL_SECRET: secret };
  const cases: [string, Record<string, string>, RegExp][] = [
    ['verification', withInternal, /CODE_HMAC_KEY is required in production: make one/],
    ['token', withInternal, /KEYS_ENCRYPTION_KEY is required in production: make one/],
  ];
  const exits = await Promise.all(
    cases.map(([name, env]) =>
      runAsContainer(compose.services[name]!, environmentOf(compose.services[name]!, env)),
    ),
  );
  cases.forEach(([name, , expected], i) => {
    t.equal(exits[i]!.code, 1, `${name} refuses to start`);
    t.match(exits[i]!.output, expected, `${name}: ${String(expected)}`);
  });
});

t.test('infra/compose.dev.yml is the one that opts into development', async (t) => {
  const compose = await readCompose('docker-compose.yml');
  const dev = await readCompose('infra/compose.dev.yml');
  // Every process of the base file, and its one-shot migrate, gets NODE_ENV=development.
  const overridden = [...appServices(compose).map(([name]) => name), 'migrate'];
  for (const name of overridden) {
    t.equal(
      dev.services[name]?.environment?.NODE_ENV,
      'development',
      `${name}: development in compose.dev.yml`,
    );
  }
  t.same(
    Object.keys(dev.services).filter((n) => !overridden.includes(n)),
    ['postgres', 'redis', 'nats'],
    'and publishes only the backing services, on loopback',
  );
  for (const name of ['postgres', 'redis', 'nats']) {
    for (const port of dev.services[name]!.ports ?? []) t.match(port, /^127\.0\.0\.1:/, `${name} ${port}`);
  }
});
