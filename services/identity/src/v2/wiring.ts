import { tokenOps, verificationOps } from '@propusk/contracts';
import type { PrismaClient } from '@propusk/db';
import type { RedisClient, RpcClient } from '@propusk/kit';
import type { PasswordHasher } from '../credentials/hasher.js';
import type { IdentityEvents } from '../events/port.js';
import type { LoginFlow } from '../login/flow.js';
import { createV2Flow, type V2Flow } from './flow.js';
import { createPrismaV2AccountStore } from './prisma-store.js';
import { createRedisGrantStore, createRedisPurposeStore } from './redis-store.js';
import { createPendingPurposes, createRecoveryGrants } from './service.js';

/**
 * Document 003's domain wired to its stores (Postgres, Redis) and neighbours over NATS; kept
 * here so the process's main.ts needs one line for the profile.
 */
export function wireV2Flow(deps: {
  prisma: PrismaClient;
  redis: RedisClient;
  client: RpcClient;
  hasher: Pick<PasswordHasher, 'hash'>;
  login: LoginFlow;
  events: IdentityEvents;
}): V2Flow {
  const { prisma, redis, client, hasher, login, events } = deps;
  return createV2Flow({
    events,
    accounts: createPrismaV2AccountStore(prisma),
    hasher,
    login,
    purposes: createPendingPurposes(createRedisPurposeStore(redis)),
    grants: createRecoveryGrants(createRedisGrantStore(redis)),
    codes: {
      issue: (req, requestId) => client.call(verificationOps.issue, req, { requestId }),
      check: (req, requestId) => client.call(verificationOps.check, req, { requestId }),
    },
    tokens: {
      issue: (subject, requestId) => client.call(tokenOps.issueV2, subject, { requestId }),
      revokeOthers: (req, requestId) => client.call(tokenOps.revokeAccountSessions, req, { requestId }),
    },
  });
}
