// A code is never issued without its message durably queued, nor without Redis: JetStream
// refusing the message or a closed NATS connection answer `unavailable` and leave no code and
// no cooldown behind; Redis away answers `unavailable` for issue and check (fail closed).
import t from 'tap';
import { allNotifySubject, namespace, streamName, verificationOps } from '@propusk/contracts';
import { connectNats, createNotificationPublisher, loadConfig } from '@propusk/kit';
import { createVerificationFlow } from '../src/codes/flow.js';
import { purposePolicies } from '../src/codes/purposes.js';
import { createRedisCodeStore } from '../src/codes/redis-store.js';
import { createCodeService } from '../src/codes/service.js';
import { VERIFICATION_SETTINGS } from '../src/settings.js';
import { codeOf } from './fixtures/fakes.js';
import { DEFAULT_LIMITS, TEST_HMAC_KEY } from './fixtures/flow.js';
import {
  createNotifyStreams,
  createStream,
  deleteNotifyStreams,
  deleteStream,
} from './fixtures/jetstream.js';
import { namespacedRedis, testNamespace } from './fixtures/redis.js';
import { silentLog } from './fixtures/silent-log.js';
import { bootVerification, NATS_URL } from './fixtures/verification.js';

const BLOCKER = 'BLOCKER';

t.test('JetStream cannot take the message: unavailable, nothing left, a retry works at once', async (t) => {
  // A stream of another name holds the namespace's notify subjects, so the notify stream cannot be created.
  const svc = await bootVerification({
    before: (ns, nats) => createStream(nats.nc, streamName(ns, BLOCKER), [allNotifySubject(ns)]),
  });
  t.teardown(async () => {
    await deleteStream(svc.nats.nc, streamName(svc.ns, BLOCKER));
    await svc.close();
  });
  const req = {
    purpose: 'admin-registration',
    subject: 'alice',
    channel: 'telegram',
    to: '101',
    ip: '192.0.2.1',
  } as const;
  await t.rejects(svc.client.call(verificationOps.issue, req), {
    name: 'PropuskError',
    code: 'unavailable',
    status: 503,
  });
  t.same(await svc.keys(), [], 'no code, index, cooldown or send counter');

  await deleteStream(svc.nats.nc, streamName(svc.ns, BLOCKER));
  await createNotifyStreams(svc.nats.nc, svc.ns);
  t.same(
    await svc.client.call(verificationOps.issue, req),
    { expiresIn: 1800, resendAfter: 60 },
    'no cooldown',
  );
  const code = codeOf(await svc.next());
  t.same(await svc.client.call(verificationOps.check, { purpose: 'admin-registration', code }), {
    subject: 'alice',
  });
});

t.test('a closed NATS connection: unavailable, and the code is withdrawn', async (t) => {
  const ns = testNamespace();
  const redis = await namespacedRedis(ns);
  const nats = await connectNats(NATS_URL, 'closed-test', silentLog);
  t.teardown(async () => {
    await deleteNotifyStreams(nats.nc, namespace(ns));
    await nats.drain();
    await redis.close();
  });
  const closed = await connectNats(NATS_URL, 'closed', silentLog);
  await closed.nc.close();
  const flowWith = (nc: typeof nats.nc) =>
    createVerificationFlow({
      store: createRedisCodeStore(redis.redis),
      codes: createCodeService({ hmacKey: TEST_HMAC_KEY }),
      publisher: createNotificationPublisher(nc, namespace(ns), { timeoutMs: 1000 }),
      policies: purposePolicies(loadConfig(VERIFICATION_SETTINGS, {})),
      limits: DEFAULT_LIMITS,
    });
  const req = {
    purpose: 'v2-verification',
    subject: 'a@example.org',
    channel: 'email',
    to: 'a@example.org',
  } as const;
  await t.rejects(flowWith(closed.nc).issue(req, { log: silentLog }), { code: 'unavailable', status: 503 });
  t.same(await redis.keys(), []);

  await createNotifyStreams(nats.nc, namespace(ns));
  t.same(await flowWith(nats.nc).issue(req, { log: silentLog }), { expiresIn: 600, resendAfter: 60 });
});

t.test('Redis away: issue and check answer unavailable, and no message is queued', async (t) => {
  const svc = await bootVerification({ env: { REDIS_URL: 'redis://127.0.0.1:1' }, waitForRedis: false });
  t.teardown(svc.close);
  const req = { purpose: 'v2-login', subject: '+79161234567', channel: 'sms', to: '+79161234567' } as const;
  await t.rejects(svc.client.call(verificationOps.issue, req), { code: 'unavailable', status: 503 });
  await t.rejects(
    svc.client.call(verificationOps.check, { purpose: 'v2-login', code: '123456', subject: req.subject }),
    {
      code: 'unavailable',
    },
  );
  await t.rejects(svc.client.call(verificationOps.check, { purpose: 'admin-registration', code: '123456' }), {
    code: 'unavailable',
  });
  t.equal(await svc.next(), undefined);
});
