import type { AdminTelegramPair, RpcRequest, tokenOps } from '@propusk/contracts';
import type { LoginFlow } from '../login/flow.js';
import type { TelegramChatsService } from '../telegram-chats/service.js';
import { telegramNotLinked } from './errors.js';

/** The token service as admin login uses it (tokenOps.issueAdminTelegram / refreshAdminTelegram). */
export interface AdminTokens {
  issue(
    subject: RpcRequest<typeof tokenOps.issueAdminTelegram>,
    requestId?: string,
  ): Promise<AdminTelegramPair>;
  refresh(refreshToken: string, requestId?: string): Promise<AdminTelegramPair>;
}

export interface AdminLogin {
  username: string;
  password: string;
  ip?: string | undefined;
  requestId?: string | undefined;
}

export interface AdminAuthFlow {
  /**
   * Document 000, "Auth": the password through the login flow (throttled, dummy verify for
   * unknown names), then the account's linked Telegram chat (its `chat_id` goes into the tokens),
   * then a new pair from the token service.
   */
  login(input: AdminLogin): Promise<AdminTelegramPair>;
  /** Document 000, "Update Access Token": the refresh token rotates (the token service decides). */
  refresh(input: { refreshToken: string; requestId?: string | undefined }): Promise<AdminTelegramPair>;
}

export function createAdminAuthFlow(deps: {
  login: LoginFlow;
  chats: Pick<TelegramChatsService, 'ofAccount'>;
  tokens: AdminTokens;
}): AdminAuthFlow {
  const { login, chats, tokens } = deps;
  return {
    async login({ username, password, ip, requestId }) {
      const account = await login.verifyPassword({
        by: 'username',
        login: username,
        password,
        ip,
        profile: 'admin-telegram',
      });
      const chat = await chats.ofAccount(account.id);
      if (!chat) throw telegramNotLinked();
      return tokens.issue(
        {
          accountId: account.id,
          username: account.username ?? username,
          roles: account.roles,
          chatId: chat.chatId,
        },
        requestId,
      );
    },
    refresh: ({ refreshToken, requestId }) => tokens.refresh(refreshToken, requestId),
  };
}
