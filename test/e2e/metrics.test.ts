import t from 'tap';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { jetstreamManager } from '@nats-io/jetstream';
import { createPrismaClient } from '@propusk/db';
import { createPrismaStaffStore, createStaffService } from '@propusk/identity/domain';
import { bootSuite, eventually, metricsAuth } from '@propusk/testkit';
// The root package does not depend on kit or contracts by name: their sources, directly.
import { EVENTS_STREAM, namespace, streamName } from '../../packages/contracts/src/index.js';
import { connectNats, createLogger } from '../../packages/kit/src/index.js';
import { createUsers } from './helpers/accounts.js';
import { post } from './helpers/http.js';
import { newPerson, V2, v2Client } from './helpers/v2.js';

// docs/metrics.md against the six real processes: after a few flows (a good and a failed login,
// a code by Telegram, SMS and e-mail), each process's /metrics serves exactly the propusk_*
// metrics the document lists for it (names, types, label names), and the flows were counted.

const DOC = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const PROCESSES = {
  gateway: 'GATEWAY_PORT',
  identity: 'IDENTITY_PORT',
  verification: 'VERIFICATION_PORT',
  federation: 'FEDERATION_PORT',
  token: 'TOKEN_PORT',
  notification: 'NOTIFICATION_PORT',
} as const;
type ProcessName = keyof typeof PROCESSES;

interface Documented {
  type: string;
  labels: string[];
}

/** The rows of one `## <title>` section: metric → type and label names. */
function documented(title: string): Map<string, Documented> {
  const section = DOC.split(new RegExp(`^## ${title}$`, 'm'))[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<string, Documented>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `propusk_')) continue;
    const [, name = '', type = '', labels = ''] = line.split('|').map((c) => c.trim());
    rows.set(name.replace(/`/g, ''), {
      type,
      labels: [...labels.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] as string).sort(),
    });
  }
  return rows;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  /** propusk_* metric → its TYPE. */
  types: Map<string, string>;
  samples: Sample[];
}

function parse(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (propusk_\w+) (\w+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    const sample = /^(propusk_\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[m[1] as string] = m[2] as string;
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

/** The sum of the samples of `name` whose labels include `labels`. */
function total(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

t.test('every process serves the propusk_* metrics docs/metrics.md lists for it', async (t) => {
  const suite = await bootSuite({ env: { CODE_SENDS_PER_IP_PER_HOUR: '10000' } });
  t.teardown(async () => {
    // The events stream of this suite's namespace is kept a week otherwise. Before the suite
    // stops: on clusters (PROPUSK_TEST_TOPOLOGY) its NATS goes with it.
    try {
      const log = createLogger({
        service: 'e2e',
        level: 'silent',
        destination: new Writable({ write: (_c, _e, cb) => cb() }),
      });
      const nats = await connectNats(suite.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'e2e-metrics', log);
      const jsm = await jetstreamManager(nats.nc);
      await jsm.streams
        .delete(streamName(namespace(suite.env.PROPUSK_NAMESPACE), EVENTS_STREAM))
        .catch(() => false);
      await nats.drain();
    } finally {
      await suite.stop();
    }
  });
  const { url, standIns } = suite;
  const scrape = async (p: ProcessName) => {
    const res = await fetch(`http://127.0.0.1:${suite.env[PROCESSES[p]]}/metrics`, {
      headers: metricsAuth(suite),
    });
    if (res.status !== 200) throw new Error(`${p} /metrics answered ${res.status}`);
    return parse(await res.text());
  };

  // A good and a failed login (drf), codes by SMS and e-mail (v2) and by Telegram (admin-telegram).
  await createUsers(suite.databaseUrl, [{ username: 'metrics_user', password: 'metrics-password-1' }]);
  const ok = await post(url, '/api/v1/login/', {
    json: { username: 'metrics_user', password: 'metrics-password-1' },
  });
  t.equal(ok.status, 200, ok.text);
  const failed = await post(url, '/api/v1/login/', {
    json: { username: 'metrics_user', password: 'nope-nope' },
  });
  t.equal(failed.status, 401, failed.text);

  const v2 = v2Client(suite);
  const p = newPerson();
  await v2.register(p);
  await v2.smsCode(p.e164, () => post(url, V2.loginByPhone, { json: { phone_number: p.e164 } }));
  await v2.mailCode(p.email_address, () =>
    post(url, V2.passwordRecovery, { json: { login: p.email_address } }),
  );

  const prisma = createPrismaClient(suite.databaseUrl);
  await createStaffService({ store: createPrismaStaffStore(prisma) }).add('MetricsStaff');
  await prisma.$disconnect();
  const chatId = 7_700_002;
  standIns.telegram.sendStart({ chatId, username: 'metricsstaff' });
  await standIns.telegram.waitForMessage((m) => String(m.chat_id) === String(chatId), 20_000);
  const codeRequest = () =>
    post(url, '/api/v1/admin/registration/code', {
      json: { username: 'MetricsStaff', password: 'metrics-staff-password-1' },
    });
  let res = await codeRequest();
  await eventually(async () => {
    if (res.status === 409) res = await codeRequest();
    return res.status !== 409;
  }, 10_000);
  t.equal(res.status, 200, res.text);
  await standIns.telegram.waitForMessage(
    (m) => String(m.chat_id) === String(chatId) && /\b\d{6}\b/.test(m.text),
    20_000,
  );

  t.test('names, types and labels match the document, both ways, for each process', async (t) => {
    const common = documented('Every process');
    t.ok(common.size >= 3, 'the common metrics are documented');
    for (const process of Object.keys(PROCESSES) as ProcessName[]) {
      const expected = new Map([...common, ...documented(process)]);
      const served = await scrape(process);
      t.same([...served.types.keys()].sort(), [...expected.keys()].sort(), `${process}: propusk_* names`);
      for (const [name, doc] of expected) {
        if (served.types.has(name))
          t.equal(served.types.get(name), doc.type, `${process}: ${name} is a ${doc.type}`);
      }
      for (const s of served.samples) {
        const base = s.name.replace(/_(bucket|sum|count)$/, '');
        const doc = expected.get(base) ?? expected.get(s.name);
        if (!doc) continue;
        const labels = Object.keys(s.labels)
          .filter((l) => l !== 'le')
          .sort();
        if (labels.join() !== doc.labels.join())
          t.fail(`${process}: ${s.name} has labels ${labels.join(',')}, documented ${doc.labels.join(',')}`);
      }
      t.ok(served.samples.length > 0, `${process}: serves samples`);
    }
  });

  t.test('logins ok and failed are counted by profile', async (t) => {
    const identity = await scrape('identity');
    t.ok(total(identity, 'propusk_logins_total', { profile: 'drf', outcome: 'ok' }) >= 1, 'a good drf login');
    t.ok(
      total(identity, 'propusk_logins_total', { profile: 'drf', outcome: 'failed' }) >= 1,
      'a failed drf login',
    );
    t.ok(
      total(identity, 'propusk_events_published_total', { event: 'login.failed', outcome: 'ok' }) >= 1,
      'the failed login was published as an event',
    );
    const token = await scrape('token');
    t.ok(total(token, 'propusk_tokens_issued_total', { profile: 'drf' }) >= 1, 'a drf session started');
    t.ok(total(token, 'propusk_tokens_issued_total', { profile: 'v2' }) >= 1, 'a v2 session started');
    t.equal(total(token, 'propusk_refresh_reuse_total'), 0, 'no refresh reuse yet');
  });

  t.test('codes are counted by channel where issued and where sent', async (t) => {
    const verification = await scrape('verification');
    for (const [purpose, channel] of [
      ['v2-login', 'sms'],
      ['v2-recovery', 'email'],
      ['admin-registration', 'telegram'],
    ] as const) {
      t.ok(
        total(verification, 'propusk_codes_issued_total', { purpose, channel }) >= 1,
        `issued: ${purpose} by ${channel}`,
      );
    }
    // Counted just after the provider took the message: the stand-in may have it a moment earlier.
    await eventually(async () => {
      const notification = await scrape('notification');
      return ['telegram', 'sms', 'email'].every(
        (channel) => total(notification, 'propusk_codes_sent_total', { channel }) >= 1,
      );
    }, 10_000);
    const notification = await scrape('notification');
    for (const channel of ['telegram', 'sms', 'email']) {
      t.ok(total(notification, 'propusk_codes_sent_total', { channel }) >= 1, `sent: a code by ${channel}`);
      t.ok(
        total(notification, 'propusk_notifications_sent_total', { channel }) >= 1,
        `sent: a message by ${channel}`,
      );
    }
    t.ok(
      total(notification, 'propusk_events_published_total', { event: 'code.sent', outcome: 'ok' }) >= 3,
      'each sent code was published as an event',
    );
  });
});
