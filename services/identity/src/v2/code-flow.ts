import { isPropuskError, tokenId, type CodePurpose } from '@propusk/contracts';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import { loginNotFound, noPendingCode } from './errors.js';
import type { Login, LoginKind } from './logins.js';
import { tokenSubject, type V2Codes, type V2Tokens } from './ports.js';
import type { PendingPurposes, RecoveryGrants } from './service.js';
import type { V2Account, V2AccountStore } from './store.js';

/** The verification service's purposes of document 003 (contracts: CODE_PURPOSES). */
export const V2_PURPOSES = Object.freeze({
  verification: 'v2-verification',
  login: 'v2-login',
  recovery: 'v2-recovery',
} as const satisfies Record<string, CodePurpose>);

interface Caller {
  /** The client's address, for the verification service's per-IP limits. */
  ip?: string | undefined;
  requestId?: string | undefined;
}

/** `data.timeout` of document 003: seconds until another code may be requested. */
export interface CodeSent {
  timeout: number;
}

/** What a right code did: the purpose it was sent for, and the token it signed in with. */
export interface CodeAccepted {
  purpose: CodePurpose;
  token: string;
}

export interface V2CodeFlow {
  /** "/v2/auth/verification": a code to the signed-in account's own e-mail or phone. */
  requestVerification(input: Caller & { accountId: string; login: Login }): Promise<CodeSent>;
  /** "/v2/auth/loginByPhone": a sign-in code by SMS. */
  requestLoginCode(input: Caller & { phone: string }): Promise<CodeSent>;
  /** "/v2/auth/passwordRecovery": a recovery code by SMS or e-mail, as the login is. */
  requestRecovery(input: Caller & { login: Login }): Promise<CodeSent>;
  /**
   * "/v2/auth/сode": the code proves the login it was sent to, for the purpose of the login's
   * last request (DESIGN, 003); answers a token. After a recovery code the token may set a new
   * password (a grant by token id).
   */
  submitCode(input: Caller & { login: Login; code: string }): Promise<CodeAccepted>;
}

/** True when `kind` of the account is unproven while its other contact is proven. */
export function outranked(account: V2Account, kind: LoginKind): boolean {
  return kind === 'email'
    ? !account.emailVerified && account.phoneVerified
    : !account.phoneVerified && account.emailVerified;
}

/** Why a code sign-in was refused, for auth.login.failed; undefined for an outage (no verdict). */
function codeLoginRefusal(err: unknown): 'unknown_user' | 'wrong_code' | 'throttled' | undefined {
  if (!isPropuskError(err)) return undefined;
  if (err.code === 'email_not_found' || err.code === 'phone_not_found') return 'unknown_user';
  if (err.code === 'code_invalid') return 'wrong_code';
  if (err.code === 'code_attempts_limited') return 'throttled';
  return undefined;
}

export function createV2CodeFlow(deps: {
  accounts: Pick<V2AccountStore, 'findByEmail' | 'findByPhone' | 'findById' | 'markVerified'>;
  purposes: PendingPurposes;
  grants: Pick<RecoveryGrants, 'grant'>;
  codes: V2Codes;
  tokens: Pick<V2Tokens, 'issue' | 'revokeOthers'>;
  events?: IdentityEvents;
}): V2CodeFlow {
  const { accounts, purposes, grants, codes, tokens } = deps;
  const events = deps.events ?? NO_IDENTITY_EVENTS;

  /**
   * The account a login enters. A contact nobody has proven never lets anyone into an account
   * whose other contact was proven (pre-account hijacking, issue 15): it answers as a login
   * nobody has, the document's not-found code.
   */
  async function accountOf(login: Login, { entering = true } = {}): Promise<V2Account> {
    const account =
      login.kind === 'email'
        ? await accounts.findByEmail(login.value)
        : await accounts.findByPhone(login.value);
    if (!account || (entering && outranked(account, login.kind))) throw loginNotFound(login.kind);
    return account;
  }

  /**
   * Sends the code, then records its purpose: a refused request (cooldown, limits, outage)
   * leaves the purpose of the code already out there untouched.
   */
  async function send(login: Login, purpose: CodePurpose, { ip, requestId }: Caller): Promise<CodeSent> {
    const { resendAfter } = await codes.issue(
      {
        purpose,
        subject: login.value,
        channel: login.kind === 'email' ? 'email' : 'sms',
        to: login.value,
        ...(ip ? { ip } : {}),
      },
      requestId,
    );
    await purposes.remember(login.value, purpose);
    return { timeout: resendAfter };
  }

  /**
   * What a right code does, before the token is answered: the login it went to is proven. A
   * first proof outside a session of the account (a sign-in or recovery code: whoever holds the
   * mailbox or phone, maybe not who registered) ends every session of the account, so whoever
   * registered it with someone else's contact is signed out, and from then on the contact he
   * added, unproven, no longer enters (accountOf: Sudhodanan & Paverd, "Pre-hijacked accounts",
   * 2022). A verification code is requested from a session of the account itself.
   *
   * Why the unproven contact stays attached rather than being detached: nobody can tell who
   * added it. The owner who registered with both and proves one by SMS would lose the other
   * (document 003 has no way to add it back, and its password login takes only the e-mail),
   * while the attacker gains nothing from a contact that cannot enter and that he cannot
   * prove without a session.
   */
  async function prove(account: V2Account, login: Login, purpose: CodePurpose, requestId?: string) {
    const already = login.kind === 'email' ? account.emailVerified : account.phoneVerified;
    if (already) return;
    await accounts.markVerified(account.id, login.kind, login.value);
    if (purpose !== V2_PURPOSES.verification) await tokens.revokeOthers({ accountId: account.id }, requestId);
  }

  return {
    async requestVerification({ accountId, login, ...caller }) {
      const account = await accounts.findById(accountId);
      // Only the account's own e-mail or phone: anyone else's is "not found" for this account.
      const own = login.kind === 'email' ? account?.email : account?.phone;
      if (!account || own !== login.value) throw loginNotFound(login.kind);
      return send(login, V2_PURPOSES.verification, caller);
    },

    async requestLoginCode({ phone, ...caller }) {
      const login: Login = { kind: 'phone', value: phone };
      await accountOf(login);
      return send(login, V2_PURPOSES.login, caller);
    },

    async requestRecovery({ login, ...caller }) {
      await accountOf(login);
      return send(login, V2_PURPOSES.recovery, caller);
    },

    async submitCode({ login, code, ip, requestId }) {
      const how = { profile: 'v2', method: 'code', by: login.kind } as const;
      let account: V2Account | undefined;
      let purpose: CodePurpose | undefined;
      try {
        // Entering is judged once the purpose is known: a verification code is the signed-in
        // owner proving a contact of his own, which no other contact outranks.
        account = await accountOf(login, { entering: false });
        // Codes are 6 digits (contract verificationOps.check): anything else cannot be right.
        if (!/^[0-9]{6}$/.test(code)) throw noPendingCode();
        purpose = await purposes.of(login.value);
        if (!purpose) throw noPendingCode();
        if (purpose !== V2_PURPOSES.verification && outranked(account, login.kind))
          throw loginNotFound(login.kind);
        const { subject } = await codes.check(
          { purpose, subject: login.value, code, ...(ip ? { ip } : {}) },
          requestId,
        );
        // The service binds the code to the subject named; a different answer is not this login's code.
        if (subject !== login.value) throw noPendingCode();
      } catch (err) {
        const reason = codeLoginRefusal(err);
        if (reason) events.loginFailed({ ...how, reason, accountId: account?.id });
        throw err;
      }
      await purposes.settle(login.value, purpose);
      await prove(account, login, purpose, requestId);
      events.loginSucceeded({ ...how, accountId: account.id });
      const { token } = await tokens.issue(tokenSubject(account), requestId);
      if (purpose === V2_PURPOSES.recovery) await grants.grant(tokenId(token), account.id);
      return { purpose, token };
    },
  };
}
