import type { ConfigSpec, Env } from './config.js';
import { checkRedisUrl } from './redis-url.js';

/**
 * The suite's environment variables (DESIGN: "Configuration"); every process reads the
 * subset it needs, under the same names everywhere.
 */
const port = (doc: string, def: number) => ({ kind: 'int', min: 0, max: 65535, default: def, doc }) as const;

export const CORE_SETTINGS = {
  NODE_ENV: {
    kind: 'enum',
    values: ['development', 'production', 'test'],
    default: 'development',
    doc: 'production refuses missing channel credentials',
  },
  LOG_LEVEL: {
    kind: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    doc: 'pino log level',
  },
  LOG_FORMAT: {
    kind: 'enum',
    values: ['auto', 'pretty', 'json'],
    default: 'auto',
    doc: 'log lines: `auto` is pino-pretty on a terminal in development, JSON otherwise; `pretty` or `json` force one',
  },
  PROPUSK_NAMESPACE: {
    kind: 'string',
    pattern: /^[a-z0-9_-]{0,32}$/,
    default: '',
    doc: 'prefix of NATS subjects, streams and Redis keys (isolates suites sharing servers)',
  },
  BIND_HOST: {
    kind: 'string',
    default: '127.0.0.1',
    doc: 'address every HTTP listener binds (0.0.0.0 in containers)',
  },
  // One server, or several (a cluster's seed servers) separated by commas: nats.js takes a list
  // and reconnects to any of them (https://github.com/nats-io/nats.js#connecting-to-a-nats-server).
  NATS_URL: {
    kind: 'url-list',
    protocols: ['nats', 'tls', 'ws', 'wss'],
    default: 'nats://127.0.0.1:4222',
    doc: 'NATS with JetStream: one server or a comma-separated list of the servers of a cluster',
  },
  // Replicas of every stream (and so of its durable consumers); more than 1 needs a NATS cluster
  // (https://docs.nats.io/nats-concepts/jetstream/streams#replicas: at most 5).
  JETSTREAM_REPLICAS: {
    kind: 'int',
    min: 1,
    max: 5,
    default: 1,
    doc: 'replicas of the JetStream streams and their consumers (3 on a cluster)',
  },
  REDIS_URL: {
    kind: 'string',
    check: checkRedisUrl,
    default: 'redis://127.0.0.1:6379',
    doc: 'Redis: redis://host:port/db, redis+cluster://seed,nodes or redis+sentinel://sentinels/master',
  },
  DATABASE_URL: {
    kind: 'url',
    protocols: ['postgresql', 'postgres'],
    default: 'postgresql://postgres@127.0.0.1:5432/propusk',
    doc: 'Postgres (created if missing)',
    secret: false,
  },
  GATEWAY_PORT: port('the public port', 8080),
  PUBLIC_BASE_URL: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: (env: Env) => `http://127.0.0.1:${env.GATEWAY_PORT || '8080'}`,
    doc: 'redirect URIs, issuer',
  },
  IDENTITY_PORT: port('identity service HTTP port', 8081),
  VERIFICATION_PORT: port('verification service HTTP port', 8082),
  FEDERATION_PORT: port('federation service HTTP port', 8083),
  TOKEN_PORT: port('token service HTTP port', 8084),
  NOTIFICATION_PORT: port('notification service HTTP port', 8085),
  RPC_TIMEOUT_MS: { kind: 'int', min: 50, max: 60000, default: 5000, doc: 'NATS request/reply timeout' },
  // The gateway signs what it forwards with it; services refuse what it did not sign (internal-auth.ts).
  INTERNAL_SECRET: {
    kind: 'string',
    pattern: /^.{32,512}$/,
    secret: true,
    doc: 'HMAC key of the gateway-to-service request signatures (at least 32 characters, the same in every process); required in production',
  },
  // RFC 6750 b64token: what Prometheus sends as `Authorization: Bearer …` (http.ts).
  METRICS_TOKEN: {
    kind: 'string',
    pattern: /^[A-Za-z0-9\-._~+/]{32,512}=*$/,
    secret: true,
    doc: 'bearer token /metrics requires in every process (at least 32 characters); unset: /metrics is not served',
  },
} as const satisfies ConfigSpec;

export const CHANNEL_SETTINGS = {
  TELEGRAM_BOT_TOKEN: {
    kind: 'string',
    pattern: /^\d+:[A-Za-z0-9_-]+$/,
    secret: true,
    doc: 'grammY bot token',
  },
  TELEGRAM_API_ROOT: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'https://api.telegram.org',
    doc: 'Bot API root',
  },
  TELEGRAM_WEBHOOK_URL: { kind: 'url', protocols: ['https', 'http'], doc: 'webhook instead of long polling' },
  TWILIO_ACCOUNT_SID: { kind: 'string', pattern: /^AC[0-9a-fA-F]{32}$/, doc: 'Twilio account' },
  TWILIO_AUTH_TOKEN: { kind: 'string', secret: true, doc: 'Twilio auth token' },
  TWILIO_FROM: { kind: 'string', doc: 'SMS sender' },
  TWILIO_API_BASE: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'https://api.twilio.com',
    doc: 'Twilio API base',
  },
  SMTP_URL: {
    kind: 'url',
    protocols: ['smtp', 'smtps'],
    secret: true,
    doc: 'SMTP server (may hold credentials)',
  },
  MAIL_FROM: { kind: 'string', doc: 'e-mail sender' },
} as const satisfies ConfigSpec;

export const OAUTH_SETTINGS = {
  VK_CLIENT_ID: { kind: 'string', doc: 'VK ID app id' },
  VK_ID_BASE_URL: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'https://id.vk.com',
    doc: 'VK ID base',
  },
  YANDEX_CLIENT_ID: { kind: 'string', doc: 'Yandex OAuth client id' },
  YANDEX_CLIENT_SECRET: { kind: 'string', secret: true, doc: 'Yandex OAuth client secret' },
  YANDEX_OAUTH_BASE_URL: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'https://oauth.yandex.ru',
    doc: 'Yandex OAuth base',
  },
  YANDEX_LOGIN_BASE_URL: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'https://login.yandex.ru',
    doc: 'Yandex user info base',
  },
  MAILRU_CLIENT_ID: { kind: 'string', doc: 'Mail.ru OAuth client id' },
  MAILRU_CLIENT_SECRET: { kind: 'string', secret: true, doc: 'Mail.ru OAuth client secret' },
  MAILRU_OAUTH_BASE_URL: {
    kind: 'url',
    protocols: ['http', 'https'],
    default: 'https://oauth.mail.ru',
    doc: 'Mail.ru OAuth base',
  },
  OAUTH_FRONTEND_REDIRECT: {
    kind: 'url',
    protocols: ['http', 'https'],
    doc: 'where callbacks send the browser',
  },
} as const satisfies ConfigSpec;
