import { verificationOps } from '@propusk/contracts';
import {
  createNotificationPublisher,
  describeConfig,
  loadConfig,
  loadCoreConfig,
  runMain,
  runtimeEventPublisher,
  startProcess,
  type Runtime,
  type Started,
  isEntryPoint,
} from '@propusk/kit';
import { createVerificationFlow } from './codes/flow.js';
import { purposePolicies } from './codes/purposes.js';
import { createRedisCodeStore } from './codes/redis-store.js';
import { createCodeService } from './codes/service.js';
import { createCodeObserver } from './events/observer.js';
import {
  resolveHmacKey,
  VERIFICATION_SETTINGS,
  type HmacKey,
  type VerificationSettings,
} from './settings.js';

/** The window of the per-destination and per-IP send limits ("per hour"). */
const SEND_WINDOW_S = 3600;

/** The verification service process: wiring only (transport → domain → store); capabilities live in their own folders. */
export async function setupVerification(
  rt: Runtime,
  settings: VerificationSettings,
  hmacKey: HmacKey,
): Promise<void> {
  const redis = rt.redis;
  if (!redis) throw new Error('verification needs Redis (useRedis)');
  rt.log.info({ settings: describeConfig(VERIFICATION_SETTINGS, settings) }, 'verification settings');
  if (hmacKey.development) {
    rt.log.warn('CODE_HMAC_KEY is not set: codes are stored with the development key (never in production)');
  }

  const flow = createVerificationFlow({
    store: createRedisCodeStore(redis),
    codes: createCodeService({ hmacKey: hmacKey.key }),
    publisher: createNotificationPublisher(rt.nats.nc, rt.ns, {
      timeoutMs: settings.NOTIFY_PUBLISH_TIMEOUT_MS,
      replicas: rt.config.JETSTREAM_REPLICAS,
    }),
    policies: purposePolicies(settings),
    // Domain events on JetStream and their counters (docs/events.md, docs/metrics.md).
    events: createCodeObserver(runtimeEventPublisher(rt)),
    limits: {
      resendS: settings.CODE_RESEND_S,
      maxAttempts: settings.CODE_MAX_ATTEMPTS,
      sendsPerDestination: settings.CODE_SENDS_PER_DESTINATION_PER_HOUR,
      sendsPerIp: settings.CODE_SENDS_PER_IP_PER_HOUR,
      sendWindowS: SEND_WINDOW_S,
      checkFailuresPerIp: settings.CODE_CHECK_FAILURES_PER_IP,
      lookupFailuresPerPurpose: settings.CODE_LOOKUP_FAILURES_PER_PURPOSE,
      checkWindowS: settings.CODE_CHECK_WINDOW_S,
    },
  });

  rt.rpc.handle(verificationOps.issue, (req, ctx) => flow.issue(req, ctx));
  rt.rpc.handle(verificationOps.check, (req, ctx) => flow.check(req, ctx));
}

/** Starts the verification process; the settings (and the HMAC key rule) are checked before anything connects. */
export function startVerification(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const settings = loadConfig(VERIFICATION_SETTINGS, env);
  const hmacKey = resolveHmacKey(settings, loadCoreConfig(env).NODE_ENV);
  return startProcess({
    name: 'verification',
    port: (config) => config.VERIFICATION_PORT,
    useRedis: true,
    env,
    setup: (rt) => setupVerification(rt, settings, hmacKey),
  });
}

if (isEntryPoint(import.meta.url)) runMain(() => startVerification());
