import type { PasswordHasher } from '../credentials/hasher.js';
import { checkPassword } from '../credentials/policy.js';
import { NO_IDENTITY_EVENTS, type IdentityEvents } from '../events/port.js';
import { passwordRejected } from '../credentials/policy.js';
import { loginTaken } from './errors.js';
import { tokenSubject, type V2Tokens } from './ports.js';
import type { V2AccountStore } from './store.js';

/** Registration's input, already checked field by field and normalised by the profile. */
export interface V2Registration {
  name: string;
  surname: string;
  patronymic: string | null;
  /** Lower-cased. */
  email: string;
  /** E.164. */
  phone: string;
  password: string;
  requestId?: string | undefined;
}

export interface V2RegistrationFlow {
  /**
   * Document 003, "/v2/auth/registration": the password policy (`password_rejected`), then
   * `email_taken` before `phone_taken`, then the account (argon2id hash, no roles) and a token.
   */
  register(input: V2Registration): Promise<{ token: string }>;
}

export function createV2RegistrationFlow(deps: {
  accounts: V2AccountStore;
  hasher: Pick<PasswordHasher, 'hash'>;
  tokens: Pick<V2Tokens, 'issue'>;
  events?: IdentityEvents;
}): V2RegistrationFlow {
  const { accounts, hasher, tokens } = deps;
  const events = deps.events ?? NO_IDENTITY_EVENTS;
  return {
    async register({ password, requestId, ...person }) {
      const problem = checkPassword(password);
      if (problem) throw passwordRejected(problem);
      // Checked before hashing so a duplicate costs no hash; the unique index still decides a race.
      if (await accounts.findByEmail(person.email)) throw loginTaken('email');
      if (await accounts.findByPhone(person.phone)) throw loginTaken('phone');
      const account = await accounts.create({ ...person, passwordHash: await hasher.hash(password) });
      events.registered({ accountId: account.id, profile: 'v2', method: 'password' });
      return tokens.issue(tokenSubject(account), requestId);
    },
  };
}
