import { tokenId } from '@propusk/contracts';
import type { SessionIndex } from '../account-sessions/service.js';
import { epochSeconds, systemClock, type Clock } from '../shared/clock.js';
import type { TokenSubject } from '../shared/subject.js';
import { DrfTokenError } from './errors.js';
import type { DrfSession, DrfTokenStore } from './store.js';
import { isDrfToken, newDrfToken } from './token.js';

export interface DrfService {
  /** One new token per login (document 004: "Получение токена доступа"). */
  issue(subject: TokenSubject): Promise<{ token: string; session: DrfSession }>;
  /** The live session of a token, or undefined (unknown, malformed, expired). */
  lookup(token: string): Promise<DrfSession | undefined>;
  /** Deletes the session; answers it when this call removed it. */
  take(token: string): Promise<DrfSession | undefined>;
  /** As `take`, by the token's id (revokeAccountSessions knows only the id). */
  takeId(id: string): Promise<DrfSession | undefined>;
}

export interface DrfDeps {
  store: DrfTokenStore;
  sessions: SessionIndex;
  ttlS: number;
  now?: Clock;
  newToken?: () => string;
}

export function createDrfService(deps: DrfDeps): DrfService {
  const now = deps.now ?? systemClock;
  const newToken = deps.newToken ?? newDrfToken;

  function live(session: DrfSession | undefined): DrfSession | undefined {
    // Redis expires the key; this also covers a clock that ran ahead of Redis's.
    return session && epochSeconds(now) < session.exp ? session : undefined;
  }

  return {
    async issue(subject) {
      const iat = epochSeconds(now);
      const session: DrfSession = {
        accountId: subject.accountId,
        username: subject.username,
        roles: [...new Set(subject.roles)],
        iat,
        exp: iat + deps.ttlS,
      };
      // 160 random bits do not collide; the check makes a broken generator fail loudly.
      const token = newToken();
      if (!isDrfToken(token)) throw new DrfTokenError('token generator gave a malformed token');
      const id = tokenId(token);
      if (!(await deps.store.put(id, session, deps.ttlS))) {
        throw new DrfTokenError('token id already in use');
      }
      // Indexed before it is handed out: revokeAccountSessions must find every token.
      await deps.sessions.open(subject.accountId, { profile: 'drf', id, exp: session.exp });
      return { token, session };
    },
    async lookup(token) {
      if (!isDrfToken(token)) return undefined;
      return live(await deps.store.get(tokenId(token)));
    },
    async take(token) {
      if (!isDrfToken(token)) return undefined;
      return live(await deps.store.take(tokenId(token)));
    },
    async takeId(id) {
      return live(await deps.store.take(id));
    },
  };
}
