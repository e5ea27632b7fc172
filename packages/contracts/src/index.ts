export * from './services.js';
export * from './subjects.js';
export * from './errors.js';
export * from './schema.js';
export * from './rpc.js';
export * from './profiles.js';
export * as ops from './ops.js';
export * as identityOps from './identity.js';
export * as tokenOps from './token.js';
export * as verificationOps from './verification.js';
export * as federationOps from './federation.js';
export * from './notification.js';
export { CODE_PURPOSES, CodePurposeSchema, type CodePurpose } from './verification.js';
export { AdminTelegramPair } from './token.js';
export {
  AccountView,
  RoleSchema,
  FEDERATION_PROVIDERS,
  FederatedProfile,
  FederationProviderSchema,
  type FederationProvider,
} from './identity.js';
export { IntrospectionResult, SessionRevokedEvent, V2_AUDIENCE, V2_TYP } from './token.js';
export * from './redis-keys.js';
export * from './http/index.js';
export * from './events.js';
