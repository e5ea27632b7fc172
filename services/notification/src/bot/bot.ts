import { Bot } from 'grammy';
import type { Logger } from '@propusk/kit';
import { answerStart, type ChatRecorder } from './start-command.js';

export interface BotOptions {
  token: string;
  apiRoot: string;
  recordChat: ChatRecorder;
  log: Logger;
}

/**
 * The grammY bot: `/start` in a private chat records the chat (DESIGN: "A user's chat id
 * arrives with their /start message") and answers. A failing update is logged and dropped in
 * both modes: `bot.catch` covers long polling, the error boundary covers webhooks (where an
 * error would otherwise answer 500 and make Telegram resend the update again and again).
 */
export function createBot({ token, apiRoot, recordChat, log }: BotOptions): Bot {
  const bot = new Bot(token, { client: { apiRoot } });
  const onError = (err: unknown) =>
    log.error({ err: (err as { error?: unknown }).error ?? err }, 'telegram update failed');
  const guarded = bot.errorBoundary(onError);
  guarded.chatType('private').command('start', async (ctx) => {
    const text = await answerStart(ctx.from.username, ctx.chat.id, {
      recordChat,
      log: log.child({ updateId: ctx.update.update_id }),
    });
    await ctx.reply(text);
  });
  bot.catch(onError);
  return bot;
}
