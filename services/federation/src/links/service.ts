import type { ProviderId } from '../providers/provider.js';
import { codeInvalid, stateInvalid } from './errors.js';
import { newState, newVerifier, s256, secretId } from './pkce.js';
import type { CodeBinding, LinkStore } from './store.js';

export interface LinkTtls {
  /** OAUTH_STATE_TTL_S: how long a link may take to come back to the callback. */
  readonly stateS: number;
  /** OAUTH_CODE_TTL_S: how long a code may wait at the callback for get/token. */
  readonly codeS: number;
}

export interface OpenedLink {
  state: string;
  codeChallenge: string;
}

/**
 * The state and PKCE bookkeeping of a sign-in (DESIGN, "Security baseline": OAuth `state`
 * single use and PKCE S256), independent of any provider's dialect:
 * link → `open` (state + verifier stored) → callback → `consumeState` (single use) and
 * `bindCode` (the code remembers its verifier) → get/token → `redeemCode` (single use).
 * A state or code used with another provider is refused, and spent all the same: whoever
 * replays it somewhere else must not get a second try.
 */
export interface LinkService {
  open(provider: ProviderId): Promise<OpenedLink>;
  /** Throws oauth_state_invalid (unknown, expired, used, another provider's). */
  consumeState(provider: ProviderId, state: string): Promise<{ verifier: string }>;
  /** Throws oauth_code_invalid when the code came through a callback already. */
  bindCode(provider: ProviderId, code: string, binding: Omit<CodeBinding, 'provider'>): Promise<void>;
  /** Throws oauth_code_invalid (unknown, expired, used, another provider's). */
  redeemCode(provider: ProviderId, code: string): Promise<CodeBinding>;
}

/** 256-bit states do not collide; a few tries only guard the impossible without looping forever. */
const OPEN_TRIES = 3;

export function createLinkService(deps: { store: LinkStore; ttls: LinkTtls }): LinkService {
  const { store, ttls } = deps;
  return {
    async open(provider) {
      for (let i = 0; i < OPEN_TRIES; i += 1) {
        const state = newState();
        const verifier = newVerifier();
        if (await store.putState(secretId(state), { provider, verifier }, ttls.stateS)) {
          return { state, codeChallenge: s256(verifier) };
        }
      }
      throw new Error('could not store a fresh OAuth state');
    },
    async consumeState(provider, state) {
      const pending = await store.takeState(secretId(state));
      if (!pending || pending.provider !== provider) throw stateInvalid();
      return { verifier: pending.verifier };
    },
    async bindCode(provider, code, binding) {
      const stored = await store.putCode(secretId(code), { provider, ...binding }, ttls.codeS);
      if (!stored) throw codeInvalid();
    },
    async redeemCode(provider, code) {
      const binding = await store.takeCode(secretId(code));
      if (!binding || binding.provider !== provider) throw codeInvalid();
      return binding;
    },
  };
}
