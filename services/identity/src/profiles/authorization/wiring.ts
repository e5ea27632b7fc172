import { identityOps, tokenOps } from '@propusk/contracts';
import type { PrismaClient } from '@propusk/db';
import type { Runtime } from '@propusk/kit';
import { createPrismaContactAccountStore } from '../../accounts/prisma-store.js';
import type { PasswordHasher } from '../../credentials/hasher.js';
import type { IdentityEvents } from '../../events/port.js';
import { createFederatedSignIn } from '../../federated/flow.js';
import { createPrismaFederatedIdentityStore } from '../../federated/prisma-store.js';
import type { LoginFlow } from '../../login/flow.js';
import { createAuthorizationFlow } from './flow.js';
import { registerAuthorizationRoutes } from './routes.js';

/**
 * Document 002's identity side, wired (transport → domain → store): the `/authorization/…`
 * routes, and identity.federatedSignIn for federation's provider routes.
 */
export async function setupAuthorization(
  rt: Runtime,
  deps: { prisma: PrismaClient; hasher: PasswordHasher; login: LoginFlow; events: IdentityEvents },
): Promise<void> {
  const contacts = createPrismaContactAccountStore(deps.prisma);
  const federated = createFederatedSignIn({
    accounts: contacts,
    identities: createPrismaFederatedIdentityStore(deps.prisma),
    events: deps.events,
  });
  rt.rpc.handle(identityOps.federatedSignIn, async (req) => ({ account: await federated.signIn(req) }));
  await registerAuthorizationRoutes(rt.http, {
    flow: createAuthorizationFlow({
      accounts: contacts,
      hasher: deps.hasher,
      login: deps.login,
      events: deps.events,
      tokens: {
        issue: (subject, requestId) => rt.client.call(tokenOps.issueAuthorization, subject, { requestId }),
      },
    }),
  });
}
