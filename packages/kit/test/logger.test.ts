import t from 'tap';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import {
  CHANNEL_SETTINGS,
  CORE_SETTINGS,
  createLogger,
  describeConfig,
  loadConfig,
  logFormat,
  type LogFormat,
} from '../src/index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

t.test('passwords, codes, tokens and secrets never reach a log line, at any depth', async (t) => {
  const { lines, destination } = capture();
  const log = createLogger({ service: 'test', destination });
  log.info(
    {
      body: { username: 'staff1', password: 'hunter2hunter2', code: '588227' },
      nested: {
        deeper: { refresh_token: 'eyJ.refresh', client_secret: 's3cr3t', code_verifier: 'v3rifier' },
      },
      headers: { authorization: 'Bearer abc.def', 'x-request-id': 'req-12345678' },
      list: [{ hash_password: 'pw-in-list' }],
      access_token: 'at-123',
    },
    'login attempt',
  );
  const out = lines.join('');
  for (const secret of [
    'hunter2hunter2',
    '588227',
    'eyJ.refresh',
    's3cr3t',
    'v3rifier',
    'abc.def',
    'pw-in-list',
    'at-123',
  ]) {
    t.notOk(out.includes(secret), `${secret} is redacted`);
  }
  t.match(out, /staff1/);
  t.match(out, /req-12345678/);
  t.match(out, /"service":"test"/);
});

t.test(
  'the config dump shows what each setting declares: TOKEN_PORT is a port, secrets stay hidden',
  async (t) => {
    const config = loadConfig(
      { ...CORE_SETTINGS, ...CHANNEL_SETTINGS },
      {
        TOKEN_PORT: '18084',
        DATABASE_URL: 'postgresql://app:pg-hunter2@db:5432/propusk',
        TELEGRAM_BOT_TOKEN: '123:tg_SECRET_token',
        TWILIO_AUTH_TOKEN: 'twilio-auth-secret',
        SMTP_URL: 'smtp://u:smtp-hunter2@mail:25',
      },
    );
    const { lines, destination } = capture();
    const log = createLogger({ service: 'test', destination });
    // As kit's startProcess logs it at start.
    log.info({ config: describeConfig({ ...CORE_SETTINGS, ...CHANNEL_SETTINGS }, config) }, 'starting');
    const dumped = (JSON.parse(lines.join('')) as { config: Record<string, unknown> }).config;
    t.equal(dumped.TOKEN_PORT, 18084, 'a port named TOKEN_… is not a secret');
    t.equal(dumped.RPC_TIMEOUT_MS, 5000);
    t.equal(dumped.DATABASE_URL, 'postgresql://app:***@db:5432/propusk', 'a URL without its password');
    t.equal(dumped.TELEGRAM_BOT_TOKEN, '[set]', 'declared secret: set, never its value');
    t.equal(dumped.TWILIO_AUTH_TOKEN, '[set]');
    t.equal(dumped.SMTP_URL, '[set]');
    for (const secret of ['pg-hunter2', 'tg_SECRET_token', 'twilio-auth-secret', 'smtp-hunter2']) {
      t.notOk(lines.join('').includes(secret), `${secret} is not in the log`);
    }
    // Anything else with a secret-looking key is still redacted by name, next to the dump.
    log.info({ config: describeConfig(CORE_SETTINGS, config), token: 'a-bearer-token' }, 'again');
    t.notOk(lines.join('').includes('a-bearer-token'));
  },
);

t.test('log format: pretty only for a terminal in development; LOG_FORMAT forces either', async (t) => {
  const cases: Array<[boolean, string, string, LogFormat]> = [
    [true, 'development', 'auto', 'pretty'],
    [false, 'development', 'auto', 'json'],
    [true, 'production', 'auto', 'json'],
    [true, 'test', 'auto', 'json'],
    [false, 'production', 'auto', 'json'],
    [false, 'development', 'pretty', 'pretty'],
    [true, 'development', 'json', 'json'],
    [false, 'production', 'pretty', 'pretty'],
  ];
  for (const [isTTY, nodeEnv, requested, wanted] of cases) {
    t.equal(
      logFormat({ isTTY, nodeEnv, requested }),
      wanted,
      `TTY ${isTTY}, ${nodeEnv}, LOG_FORMAT ${requested}`,
    );
  }
  t.equal(loadConfig({ LOG_FORMAT: CORE_SETTINGS.LOG_FORMAT }, {}).LOG_FORMAT, 'auto');
});

t.test('a process at a terminal writes pino-pretty lines; piped, JSON', async (t) => {
  const script = [
    "import { createLogger } from './packages/kit/src/index.ts';",
    "createLogger({ service: 'demo' }).info({ user: 'staff1', password: 'hunter2x' }, 'hello there');",
  ].join('\n');
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../..', import.meta.url).pathname,
      env: { ...process.env, NODE_ENV: 'development', ...env },
      encoding: 'utf8',
    });
  const piped = run({ LOG_FORMAT: 'auto' });
  t.equal(piped.status, 0, piped.stderr);
  t.match(JSON.parse(piped.stdout.trim()), { service: 'demo', msg: 'hello there', user: 'staff1' });
  // The terminal case: what LOG_FORMAT=pretty gives a child whose stdout is a pipe.
  const pretty = run({ LOG_FORMAT: 'pretty', NO_COLOR: '1' });
  t.equal(pretty.status, 0, pretty.stderr);
  t.match(pretty.stdout, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[demo\] hello there\n/);
  t.match(pretty.stdout, /user: "staff1"/);
  t.notMatch(pretty.stdout, /hunter2x/, 'redacted in pretty lines too');
});
