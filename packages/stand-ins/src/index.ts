// Helpers tests use alongside the stand-ins (the rest of util.ts is internal).
export { waitFor, sleep, Recorder, s256, isValidVerifier, type Predicate } from './util.js';
export * from './authorize.js';
export type {
  OutageMode,
  OAuthClient,
  OAuthControls,
  RecordedRequest,
  CodeGrant,
  AccessGrant,
} from './oauth.js';
export * from './telegram.js';
export * from './twilio.js';
export * from './smtp.js';
export * from './vk.js';
export * from './yandex.js';
export * from './mailru.js';
export * from './all.js';
