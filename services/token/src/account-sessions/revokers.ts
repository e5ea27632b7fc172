import type { AdminTelegramService } from '../admin-telegram/service.js';
import type { AuthorizationService } from '../authorization/service.js';
import type { DrfService } from '../drf/service.js';
import type { RevocationService } from '../revocation/service.js';
import type { SessionRevoker, SessionRevokers } from './flow.js';

export interface RevokersDeps {
  drf: DrfService;
  adminTelegram: AdminTelegramService;
  authorization: AuthorizationService;
  revocation: RevocationService;
}

/** A token with no state of its own (envelope, v2): a revocation record and event end it. */
function statelessJwt(revocation: RevocationService, profile: 'envelope' | 'v2'): SessionRevoker {
  return {
    holds: async (ref, id) => ref.id === id,
    revoke: (ref) => revocation.revoke({ jti: ref.id, profile, exp: ref.exp }),
  };
}

/** How each profile ends one of its sessions, by the id the index keeps for it. */
export function sessionRevokers(deps: RevokersDeps): SessionRevokers {
  const { drf, adminTelegram, authorization, revocation } = deps;
  return {
    drf: {
      holds: async (ref, id) => ref.id === id,
      async revoke(ref) {
        // The session goes first (the token stops working at once); the record tells the caches.
        const session = await drf.takeId(ref.id);
        if (!session) return false;
        await revocation.revoke({ jti: ref.id, profile: 'drf', exp: session.exp });
        return true;
      },
    },
    envelope: statelessJwt(revocation, 'envelope'),
    v2: statelessJwt(revocation, 'v2'),
    'admin-telegram': {
      holds: (ref, id) => adminTelegram.familyHolds(ref.id, id),
      revoke: (ref) => adminTelegram.killFamily(ref.id),
    },
    authorization: {
      holds: (ref, id) => authorization.sessionHolds(ref.id, id),
      revoke: (ref) => authorization.endSession(ref.id),
    },
  };
}
