import { createHash, timingSafeEqual } from 'node:crypto';
import { webhookCallback, type Bot } from 'grammy';
import type { FastifyInstance } from 'fastify';
import { TELEGRAM_WEBHOOK_PATH } from '@propusk/contracts';
import type { Logger } from '@propusk/kit';

/** Telegram's header carrying the setWebhook secret_token (Bot API, setWebhook). */
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * The webhook secret: configured, or derived from the bot token so that every replica
 * registers and checks the same one without sharing another secret.
 */
export function webhookSecret(configured: string | undefined, botToken: string): string {
  return (
    configured ?? createHash('sha256').update(`propusk-telegram-webhook:${botToken}`).digest('base64url')
  );
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Updates are small, but a long message with entities can pass the 16 KiB default body limit. */
const UPDATE_BODY_LIMIT = 1024 * 1024;

/**
 * Serves `POST TELEGRAM_WEBHOOK_PATH` (the gateway proxies the public path here). A request
 * without the secret header is refused with 401 before the bot sees it.
 */
export function registerWebhookRoute(http: FastifyInstance, bot: Bot, secret: string): void {
  const handle = webhookCallback(bot, 'fastify', {
    secretToken: secret,
    // Telegram waits for the answer; past this the update is answered and handled on.
    onTimeout: 'return',
    timeoutMilliseconds: 9000,
  });
  http.post(TELEGRAM_WEBHOOK_PATH, { bodyLimit: UPDATE_BODY_LIMIT }, async (req, reply) => {
    if (!sameSecret(req.headers[SECRET_HEADER], secret)) {
      return reply.code(401).send({ message: 'unauthorized' });
    }
    await handle(req, reply);
    return reply;
  });
}

/**
 * Registers the webhook with Telegram, retrying in the background until it succeeds or the
 * process stops: Telegram being briefly unreachable must not stop the start.
 */
export function registerWebhook(bot: Bot, url: string, secret: string, log: Logger): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (n: number) => {
    bot.api.setWebhook(url, { secret_token: secret }).then(
      () => log.info('telegram webhook registered'),
      (err: unknown) => {
        const delayMs = Math.min(60_000, 1000 * 2 ** n);
        log.warn({ err: (err as Error).message, delayMs }, 'telegram setWebhook failed; retrying');
        if (!stopped) timer = setTimeout(() => attempt(n + 1), delayMs);
      },
    );
  };
  attempt(0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
