import type { PrismaClient } from '@propusk/db';
import { guardOutage } from '../db/outage.js';
import { accountsNamed } from '../db/usernames.js';
import { chatStoreUnavailable } from './errors.js';
import type { TelegramChat, TelegramChatStore } from './store.js';

const SELECT = { telegramUsername: true, chatId: true, accountId: true } as const;

type Row = { telegramUsername: string; chatId: bigint; accountId: string | null };

/** Telegram chat ids fit in 52 bits (https://core.telegram.org/bots/api#chat), a safe JS number. */
function toChat(row: Row | null): TelegramChat | undefined {
  if (!row) return undefined;
  return { username: row.telegramUsername, chatId: Number(row.chatId), accountId: row.accountId };
}

export function createPrismaTelegramChatStore(prisma: PrismaClient): TelegramChatStore {
  return {
    record: (username, chatId) =>
      guardOutage(
        () =>
          prisma.$transaction(async (tx) => {
            const existing = await tx.telegramChat.findUnique({
              where: { telegramUsername: username },
              select: { accountId: true },
            });
            const [account] = existing?.accountId
              ? []
              : await accountsNamed(tx, username, { telegramChat: null });
            const accountId = existing?.accountId ?? account?.id ?? null;
            await tx.telegramChat.upsert({
              where: { telegramUsername: username },
              create: { telegramUsername: username, chatId: BigInt(chatId), accountId },
              update: { chatId: BigInt(chatId), accountId },
            });
          }),
        chatStoreUnavailable,
      ),
    findByUsername: async (username) =>
      toChat(
        await guardOutage(
          () => prisma.telegramChat.findUnique({ where: { telegramUsername: username }, select: SELECT }),
          chatStoreUnavailable,
        ),
      ),
    findByAccountId: async (accountId) =>
      toChat(
        await guardOutage(
          () => prisma.telegramChat.findUnique({ where: { accountId }, select: SELECT }),
          chatStoreUnavailable,
        ),
      ),
  };
}
