import type { PasswordHasher } from '../credentials/hasher.js';
import type { IdentityEvents } from '../events/port.js';
import type { LoginFlow } from '../login/flow.js';
import { createV2CodeFlow, type V2CodeFlow } from './code-flow.js';
import { createV2PasswordFlow, type V2PasswordFlow } from './password-flow.js';
import type { V2Codes, V2Tokens } from './ports.js';
import { createV2RegistrationFlow, type V2RegistrationFlow } from './registration-flow.js';
import type { PendingPurposes, RecoveryGrants } from './service.js';
import type { V2AccountStore } from './store.js';

/** Every operation of document 003 that identity serves (signout is the token service's). */
export type V2Flow = V2RegistrationFlow & V2CodeFlow & V2PasswordFlow;

export interface V2FlowDeps {
  accounts: V2AccountStore;
  hasher: Pick<PasswordHasher, 'hash'>;
  login: LoginFlow;
  purposes: PendingPurposes;
  grants: RecoveryGrants;
  codes: V2Codes;
  tokens: V2Tokens;
  events?: IdentityEvents;
}

export function createV2Flow(deps: V2FlowDeps): V2Flow {
  return {
    ...createV2RegistrationFlow(deps),
    ...createV2CodeFlow(deps),
    ...createV2PasswordFlow(deps),
  };
}
