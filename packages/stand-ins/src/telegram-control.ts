import type { FastifyInstance } from 'fastify';
import type { TelegramStartOptions, TelegramUpdate } from './telegram.js';

/** The stand-in's own control path: outside the Bot API's `/bot{token}/…` space. */
export const START_CONTROL_PATH = '/_stand-in/start';

/** Telegram usernames: 5–32 letters, digits and `_` (a leading `@` is not part of one). */
const USERNAME = /^[A-Za-z0-9_]{5,32}$/;

function startOptions(body: unknown): TelegramStartOptions | string {
  const { username, chatId } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  if (typeof username !== 'string' || !USERNAME.test(username))
    return 'username must be a Telegram username: 5-32 letters, digits or _';
  if (typeof chatId !== 'number' || !Number.isSafeInteger(chatId) || chatId === 0)
    return 'chatId must be a non-zero integer';
  return { username, chatId };
}

/**
 * `POST {url}/_stand-in/start` with JSON `{"username": "...", "chatId": 123}`: a `/start` from
 * that user and chat reaches the bot (sendStart), as if the user pressed Start; answers 200 with
 * the update. For people driving a development suite by hand (`authctl dev telegram-start`).
 */
export function registerStartControl(
  app: FastifyInstance,
  sendStart: (options: TelegramStartOptions) => TelegramUpdate,
): void {
  app.post(START_CONTROL_PATH, async (request, reply) => {
    const options = startOptions(request.body);
    if (typeof options === 'string') return reply.code(400).send({ ok: false, description: options });
    return reply.code(200).send(sendStart(options));
  });
}
