import type { AdminTelegramPair, RpcRequest, tokenOps } from '@propusk/contracts';
import type { LoginFlow } from '../login/flow.js';
import type { TelegramChatsService } from '../telegram-chats/service.js';
import type { TelegramChat } from '../telegram-chats/store.js';

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
   * unknown names), admitting only accounts with a linked Telegram chat (its `chat_id` goes into
   * the tokens; without one: `invalid_credentials`, as for a wrong password), then a new pair
   * from the token service.
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
      // Document 000 answers nothing of its own for an account without a linked chat (it is no
      // admin of the panel: its tokens carry `chat_id`), so it gets the wrong password's answer,
      // status, throttle count and timing: the login flow looks the chat up beside the hash
      // (issue 15: a distinct answer for the right password was a password oracle).
      let chat: TelegramChat | undefined;
      const account = await login.verifyPassword({
        by: 'username',
        login: username,
        password,
        ip,
        profile: 'admin-telegram',
        permitted: async ({ id }) => {
          chat = await chats.ofAccount(id);
          return chat !== undefined;
        },
      });
      if (!chat) throw new Error('admitted without a linked Telegram chat');
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
