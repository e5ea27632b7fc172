import { createPrismaClient } from '@propusk/db';
import { eventually, type Suite } from '@propusk/testkit';
import { createUsers } from './accounts.js';
import { post } from './http.js';

/** Document 000's paths. */
export const ADMIN = Object.freeze({
  code: '/api/v1/admin/registration/code',
  registration: '/api/v1/admin/registration',
  auth: '/api/v1/admin/auth',
  logout: '/api/v1/admin/logout',
});

export interface AdminPair {
  access_token: string;
  refresh_token: string;
}

export const codeIn = (text: string): string | undefined => /\b(\d{6})\b/.exec(text)?.[1];

/**
 * An admin-telegram account made directly in the database (as `authctl users create` plus the
 * bot's record of its /start chat would leave it), ready for document 000's "Auth".
 */
export async function createAdmin(
  suite: Suite,
  user: { username: string; password: string; chatId: number },
): Promise<void> {
  await createUsers(suite.databaseUrl, [
    { username: user.username, password: user.password, roles: ['staff'] },
  ]);
  const prisma = createPrismaClient(suite.databaseUrl);
  try {
    const account = await prisma.account.findUniqueOrThrow({ where: { username: user.username } });
    await prisma.telegramChat.create({
      data: {
        telegramUsername: user.username.toLowerCase(),
        chatId: BigInt(user.chatId),
        accountId: account.id,
      },
    });
  } finally {
    await prisma.$disconnect();
  }
}

/** Document 000's login through the gateway: the pair, or throws. */
export async function adminLogin(url: string, username: string, password: string): Promise<AdminPair> {
  const res = await post(url, ADMIN.auth, { json: { username, password } });
  if (res.status !== 200) throw new Error(`admin login ${username}: ${res.status} ${res.text}`);
  return res.body as AdminPair;
}

/**
 * What comes before a staff member's code request: the operator puts his Telegram username on
 * the allowlist, and he presses /start in the bot (Telegram stand-in); resolves once the bot
 * answered him.
 */
export async function enrolStaff(suite: Suite, user: { username: string; chatId: number }): Promise<void> {
  const prisma = createPrismaClient(suite.databaseUrl);
  try {
    await prisma.staffAllowlistEntry.create({ data: { telegramUsername: user.username.toLowerCase() } });
  } finally {
    await prisma.$disconnect();
  }
  const { telegram } = suite.standIns;
  const before = new Set(telegram.sent);
  telegram.sendStart({ chatId: user.chatId, username: user.username });
  await telegram.waitForMessage((m) => !before.has(m) && String(m.chat_id) === String(user.chatId), 20_000);
}

/**
 * Registration step one as the user does it: enrolled (above), then the code request; answers
 * the code from the Telegram DM.
 */
export async function adminRegistrationCode(
  suite: Suite,
  user: { username: string; password: string; chatId: number },
): Promise<string> {
  const { telegram } = suite.standIns;
  const toChat = (m: { chat_id: unknown }) => String(m.chat_id) === String(user.chatId);
  const before = new Set(telegram.sent);
  await enrolStaff(suite, user);
  const body = { json: { username: user.username, password: user.password } };
  // The bot's answer and the recording of the chat happen together: ask until it is known.
  await eventually(async () => (await post(suite.url, ADMIN.code, body)).status === 200, 10_000, 100);
  const message = await telegram.waitForMessage(
    (m) => !before.has(m) && toChat(m) && codeIn(m.text) !== undefined,
    20_000,
  );
  return codeIn(message.text) as string;
}
