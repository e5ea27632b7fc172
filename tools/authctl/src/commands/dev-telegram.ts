import { CHANNEL_SETTINGS, CORE_SETTINGS, loadConfig } from '@propusk/kit';
import { normaliseTelegramUsername } from '@propusk/identity/domain';
import { UsageError, type Parsed } from '../args.js';
import type { Print } from './catalog.js';

/** Where `npm start -- --stand-ins` runs the Telegram stand-in (its TELEGRAM_API_ROOT). */
export const STAND_IN_API_ROOT = 'http://127.0.0.1:8091';
/** The stand-in's control endpoint (packages/stand-ins: telegram-control.ts). */
export const START_PATH = '/_stand-in/start';

/** Telegram chat ids are integers of up to 52 bits; a user's private chat id is positive. */
function chatIdOf(raw: string | undefined): number {
  const id = Number(raw);
  if (raw === undefined || !/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(id) || id === 0)
    throw new UsageError(
      `dev telegram-start needs a chat id, a positive integer (got ${JSON.stringify(raw)})`,
    );
  return id;
}

function apiRoot(): string {
  const { TELEGRAM_API_ROOT, NODE_ENV } = loadConfig({
    NODE_ENV: CORE_SETTINGS.NODE_ENV,
    // The same variable as the notification service reads; here its default is the stand-in.
    TELEGRAM_API_ROOT: { ...CHANNEL_SETTINGS.TELEGRAM_API_ROOT, default: STAND_IN_API_ROOT },
  });
  if (NODE_ENV === 'production')
    throw new UsageError('dev commands are for development (NODE_ENV=production)');
  return TELEGRAM_API_ROOT;
}

async function post(url: string, body: unknown): Promise<Response | Error> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    return err as Error;
  }
}

/**
 * `dev telegram-start <username> <chat-id>`: the Telegram stand-in delivers a `/start` from that
 * user and chat to the bot, as if the user pressed Start (the bot records the chat id; document
 * 000's registration needs it).
 */
export async function devTelegramStart(p: Parsed, print: Print): Promise<void> {
  const [, , rawName, rawChat, extra] = p.positionals;
  if (extra !== undefined)
    throw new UsageError('dev telegram-start takes a username and a chat id, nothing more');
  const username = normaliseTelegramUsername(rawName ?? '');
  if (!username)
    throw new UsageError(
      `dev telegram-start needs a Telegram username: 5–32 letters, digits or _ (got ${JSON.stringify(rawName)})`,
    );
  const chatId = chatIdOf(rawChat);
  const root = apiRoot();
  const res = await post(`${root}${START_PATH}`, { username, chatId });
  if (res instanceof Error) {
    // fetch says "fetch failed"; the reason (ECONNREFUSED, …) is its cause.
    const why = (res.cause as { code?: string } | undefined)?.code ?? res.message;
    throw new Error(
      `no Telegram stand-in answers at ${root} (${why}); start one with \`npm start -- --stand-ins\`, or set TELEGRAM_API_ROOT to where it listens`,
    );
  }
  if (res.status === 404)
    throw new Error(`${root} answers, but it is not the Telegram stand-in (POST ${START_PATH}: 404)`);
  if (!res.ok)
    throw new Error(`the Telegram stand-in at ${root} refused: HTTP ${res.status} ${await res.text()}`);
  const update = (await res.json()) as { update_id?: number };
  print(
    `the Telegram stand-in at ${root} now holds /start from @${username} (chat ${chatId}) as update ${String(update.update_id)}: the bot receives it with its next getUpdates`,
  );
}
