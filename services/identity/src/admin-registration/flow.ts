import type { RpcRequest, verificationOps } from '@propusk/contracts';
import type { PasswordHasher } from '../credentials/hasher.js';
import { checkPassword, passwordRejected } from '../credentials/policy.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import { normaliseTelegramUsername } from '../staff/service.js';
import type { StaffService } from '../staff/service.js';
import type { TelegramChatsService } from '../telegram-chats/service.js';
import {
  alreadyRegistered,
  codeSuperseded,
  malformedCode,
  notOnAllowlist,
  registrationExpired,
  telegramChatMissing,
} from './errors.js';
import type { PendingRegistrations } from './service.js';
import type { RegistrationAccountStore } from './store.js';

/** The verification service's purpose for these codes (contracts: CODE_PURPOSES). */
export const PURPOSE = 'admin-registration' as const;

type IssueRequest = RpcRequest<typeof verificationOps.issue>;
type CheckRequest = RpcRequest<typeof verificationOps.check>;

/** The verification service as registration uses it (verificationOps.issue / check over NATS). */
export interface RegistrationCodes {
  issue(req: IssueRequest, requestId?: string): Promise<{ expiresIn: number; resendAfter: number }>;
  check(req: CheckRequest, requestId?: string): Promise<{ subject: string }>;
}

export interface CodeRequest {
  username: string;
  password: string;
  ip?: string | undefined;
  requestId?: string | undefined;
}

export interface CodeEntry {
  /** As sent: document 000 shows a JSON number (`588227`); a 6-digit string is taken too. */
  code: number | string;
  ip?: string | undefined;
  requestId?: string | undefined;
}

export interface AdminRegistrationFlow {
  /**
   * Step one (`POST /api/v1/admin/registration/code`): checks the password, the allowlist, the
   * recorded chat and that the username has no account yet, and admits the request (cooldown per
   * username and client address, hourly cap per username: service.ts); keeps a pending
   * registration, replacing the username's older one (whose code then completes nothing), and has
   * its code sent by Telegram. Resolves once the message is durably queued.
   */
  requestCode(input: CodeRequest): Promise<void>;
  /** Step two (`POST /api/v1/admin/registration`): the code's pending registration becomes a staff account. */
  complete(input: CodeEntry): Promise<{ accountId: string }>;
}

/**
 * A code as the verification service takes it: 6 digits. A number loses its leading zeros in
 * JSON (`012345` is sent as `12345`), so numbers are zero-padded; anything else is no code.
 */
export function normaliseCode(code: number | string): string | undefined {
  if (typeof code === 'number') {
    return Number.isInteger(code) && code >= 0 && code <= 999_999 ? String(code).padStart(6, '0') : undefined;
  }
  return /^[0-9]{6}$/.test(code) ? code : undefined;
}

/**
 * A code's subject: the Telegram username and the pending registration's id. The code completes
 * exactly that request, and only while it is the username's newest (issue 15: a stranger's
 * request must not be completed by the owner's code, nor his code survive the owner's request).
 */
export function pendingSubject(telegramUsername: string, id: string): string {
  return `${telegramUsername}:${id}`;
}

export function parsePendingSubject(subject: string): { telegramUsername: string; id: string } | undefined {
  const match = /^([a-z0-9_]{5,32}):([0-9a-f]{1,64})$/.exec(subject);
  return match ? { telegramUsername: match[1] as string, id: match[2] as string } : undefined;
}

/** The account's username: as typed (Telegram shows it in any case), without a leading `@`. */
export function accountUsername(typed: string): string {
  return typed.trim().replace(/^@/, '');
}

export function createAdminRegistrationFlow(deps: {
  staff: Pick<StaffService, 'isAllowed'>;
  chats: Pick<TelegramChatsService, 'ofUsername'>;
  accounts: RegistrationAccountStore;
  hasher: Pick<PasswordHasher, 'hash'>;
  pending: PendingRegistrations;
  codes: RegistrationCodes;
  events?: IdentityEvents;
}): AdminRegistrationFlow {
  const { staff, chats, accounts, hasher, pending, codes } = deps;
  const events = deps.events ?? NO_IDENTITY_EVENTS;

  /** The recorded chat of an allowlisted username that has no account yet. */
  async function admissibleChat(telegramUsername: string | undefined) {
    if (!telegramUsername || !(await staff.isAllowed(telegramUsername))) throw notOnAllowlist();
    const chat = await chats.ofUsername(telegramUsername);
    if (!chat) throw telegramChatMissing();
    if (chat.accountId !== null || (await accounts.usernameTaken(telegramUsername)))
      throw alreadyRegistered();
    return chat;
  }

  return {
    async requestCode({ username, password, ip, requestId }) {
      const problem = checkPassword(password);
      if (problem) throw passwordRejected(problem);
      const telegramUsername = normaliseTelegramUsername(username);
      const chat = await admissibleChat(telegramUsername);
      // Admitted before the password is hashed, so repeated requests cost neither a hash nor a message.
      const admission = await pending.admit(chat.username, ip);
      let id: string | undefined;
      try {
        const passwordHash = await hasher.hash(password);
        // Replaces the username's older pending registration: its code completes nothing any more.
        id = await pending.open(chat.username, {
          username: accountUsername(username),
          passwordHash,
          chatId: chat.chatId,
        });
        // The message names this request's time and address, so the owner can tell it is his.
        await codes.issue(
          {
            purpose: PURPOSE,
            subject: pendingSubject(chat.username, id),
            channel: 'telegram',
            to: String(chat.chatId),
            ...(ip ? { ip } : {}),
          },
          requestId,
        );
      } catch (err) {
        // No code went out: nothing to complete, and nothing to wait for. Best effort; the cause matters.
        if (id !== undefined) await pending.discard(chat.username, id).catch(() => undefined);
        await admission.release().catch(() => undefined);
        throw err;
      }
    },

    async complete({ code, ip, requestId }) {
      const digits = normaliseCode(code);
      if (digits === undefined) throw malformedCode();
      const { subject } = await codes.check(
        { purpose: PURPOSE, code: digits, ...(ip ? { ip } : {}) },
        requestId,
      );
      const ref = parsePendingSubject(subject);
      if (!ref) throw registrationExpired();
      const taken = await pending.take(ref.telegramUsername, ref.id);
      if (taken.kind === 'superseded') throw codeSuperseded();
      if (taken.kind === 'gone') throw registrationExpired();
      const { registration } = taken;
      const telegramUsername = ref.telegramUsername;
      const account = await accounts.createStaff({
        username: registration.username,
        passwordHash: registration.passwordHash,
        telegramUsername,
      });
      events.registered({ accountId: account.id, profile: 'admin-telegram', method: 'telegram_code' });
      return { accountId: account.id };
    },
  };
}
