import { jetstreamManager } from '@nats-io/jetstream';
import { identityOps, NOTIFY_STREAM, streamName } from '@propusk/contracts';
import {
  describeConfig,
  loadConfig,
  loadCoreConfig,
  runMain,
  runtimeEventPublisher,
  startProcess,
  withTimeout,
  type RedisClient,
  type Runtime,
  type Started,
  isEntryPoint,
} from '@propusk/kit';
import { createBot } from './bot/bot.js';
import { createRedisLease, pollingLeaseKey } from './bot/lease.js';
import { startLeasedPolling } from './bot/polling.js';
import { registerWebhook, registerWebhookRoute, webhookSecret } from './bot/webhook.js';
import { createChannelRegistry } from './channels/channel.js';
import { createChannels, planChannels, type ChannelPlan } from './channels/setup.js';
import { createDeadLetterSink } from './delivery/dead-letters.js';
import { deliveryMetrics } from './delivery/metrics.js';
import { createRedisSentMarks } from './delivery/redis-store.js';
import { startDelivery } from './delivery/service.js';
import { ensureStreams } from './delivery/streams.js';
import { createDeliveryObserver } from './events/observer.js';
import { checkNotificationSettings, SERVICE_SETTINGS, type NotificationSettings } from './settings.js';

/**
 * The notification service process: wiring only (transport → domain → store). Delivery
 * consumes the notify stream; the bot records chats on /start.
 */
export async function setupNotification(
  rt: Runtime,
  settings: NotificationSettings,
  plan: ChannelPlan,
): Promise<void> {
  const redis = rt.redis;
  if (!redis) throw new Error('notification needs Redis (useRedis)');
  rt.log.info(
    { settings: describeConfig(SERVICE_SETTINGS, settings), channels: plan },
    'notification settings',
  );

  // The streams exist before the consumers look for them, whichever process started first.
  // JETSTREAM_REPLICAS: a stream found with other replicas is updated (or the start fails saying why).
  await ensureStreams(rt.nats.nc, rt.ns, rt.config.JETSTREAM_REPLICAS);
  const jsm = await jetstreamManager(rt.nats.nc);
  rt.readiness.jetstream = async () => void (await jsm.streams.info(streamName(rt.ns, NOTIFY_STREAM)));

  // Deliveries that find Redis still connecting would only be handed back; wait briefly for it.
  await redisReady(redis, 2000).catch((err: unknown) =>
    rt.log.warn({ err: (err as Error).message }, 'redis not ready yet'),
  );
  const channels = createChannelRegistry(createChannels({ settings, plan, redis, log: rt.log }));
  rt.onClose(async () => {
    for (const channel of channels.all()) await channel.close?.();
  });
  // Domain events on JetStream and their counters (docs/events.md); created before delivery
  // starts, so at shutdown delivery stops first and the last events are still published.
  const events = createDeliveryObserver(runtimeEventPublisher(rt));
  const delivery = startDelivery({
    nc: rt.nats.nc,
    ns: rt.ns,
    channels,
    sent: createRedisSentMarks(redis, settings.NOTIFY_DEDUP_TTL_S),
    deadLetters: createDeadLetterSink(rt.nats.nc, rt.ns),
    policy: {
      maxDeliveries: settings.NOTIFY_MAX_DELIVERIES,
      backoffBaseMs: settings.NOTIFY_BACKOFF_BASE_MS,
      backoffMaxMs: settings.NOTIFY_BACKOFF_MAX_MS,
    },
    consumer: { ackWaitMs: settings.NOTIFY_ACK_WAIT_MS, concurrency: settings.NOTIFY_CONCURRENCY },
    sendTimeoutMs: settings.NOTIFY_SEND_TIMEOUT_MS,
    metrics: deliveryMetrics(),
    events,
    log: rt.log,
  });
  // Registered after the channels' close: hooks run in reverse, so sends finish before SMTP closes.
  rt.onClose(() => delivery.stop());

  const token = settings.TELEGRAM_BOT_TOKEN;
  if (!token) {
    rt.log.warn('TELEGRAM_BOT_TOKEN is not set: no Telegram bot, /start is not recorded');
    return;
  }
  const bot = createBot({
    token,
    apiRoot: settings.TELEGRAM_API_ROOT,
    log: rt.log,
    recordChat: (req) => rt.client.call(identityOps.recordTelegramChat, req),
  });
  if (settings.TELEGRAM_WEBHOOK_URL) {
    const secret = webhookSecret(settings.TELEGRAM_WEBHOOK_SECRET, token);
    registerWebhookRoute(rt.http, bot, secret);
    const registration = registerWebhook(bot, settings.TELEGRAM_WEBHOOK_URL, secret, rt.log);
    rt.onClose(() => registration.stop());
  } else {
    const ttlMs = settings.TELEGRAM_POLL_LEASE_MS;
    const polling = startLeasedPolling({
      bot,
      ttlMs,
      log: rt.log,
      lease: createRedisLease(redis, pollingLeaseKey(token), rt.instance, ttlMs),
    });
    rt.onClose(() => polling.stop());
  }
}

/** Resolves once the client is connected, or rejects after `timeoutMs`. */
function redisReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => redis.once('ready', () => resolve())),
    timeoutMs,
    'redis ready',
  );
}

/**
 * Starts the notification process; settings and credentials are checked before anything
 * connects (async, so a refusal is a rejection that runMain reports as "start failed").
 */
export async function startNotification(env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const settings = checkNotificationSettings(loadConfig(SERVICE_SETTINGS, env));
  const plan = planChannels(settings, loadCoreConfig(env).NODE_ENV);
  return startProcess({
    name: 'notification',
    port: (config) => config.NOTIFICATION_PORT,
    useRedis: true,
    env,
    setup: (rt) => setupNotification(rt, settings, plan),
  });
}

if (isEntryPoint(import.meta.url)) runMain(() => startNotification());
