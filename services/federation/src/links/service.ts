import type { ProviderId } from '../providers/provider.js';
import { codeInvalid, stateInvalid } from './errors.js';
import { matchesSecretId, newBinding, newState, newVerifier, s256, secretId } from './pkce.js';
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
  /** The browser binding: goes to the browser in a cookie, only its hash is stored. */
  binding: string;
}

/**
 * The state and PKCE bookkeeping of a sign-in (DESIGN, "Security baseline": OAuth `state`
 * single use and PKCE S256), independent of any provider's dialect:
 * link → `open` (state + verifier + browser binding stored) → callback → `consumeState` (single
 * use, same browser) and `bindCode` (the code remembers its verifier and browser) → get/token →
 * `redeemCode` (single use, same browser). A state or code from a browser without its binding
 * is refused and left as it was: the binding is what a stranger cannot have (256 bits), so a
 * leaked state or code (login CSRF, a leaked front-end URL) neither works for them nor lets them
 * spoil the user's own sign-in (RFC 9700 §4.7.1, §4.5). Used by its browser with another
 * provider, it is refused and spent all the same: a mixed-up flow gets no second try.
 */
export interface LinkService {
  open(provider: ProviderId): Promise<OpenedLink>;
  /** Throws oauth_state_invalid (unknown, expired, used, another provider's or browser's). */
  consumeState(
    provider: ProviderId,
    state: string,
    binding: string | undefined,
  ): Promise<{ verifier: string; browser: string }>;
  /** Throws oauth_code_invalid when the code came through a callback already. */
  bindCode(provider: ProviderId, code: string, binding: Omit<CodeBinding, 'provider'>): Promise<void>;
  /** Throws oauth_code_invalid (unknown, expired, used, another provider's or browser's). */
  redeemCode(provider: ProviderId, code: string, binding: string | undefined): Promise<CodeBinding>;
}

/** 256-bit states do not collide; a few tries only guard the impossible without looping forever. */
const OPEN_TRIES = 3;

export function createLinkService(deps: { store: LinkStore; ttls: LinkTtls }): LinkService {
  const { store, ttls } = deps;
  return {
    async open(provider) {
      const binding = newBinding();
      for (let i = 0; i < OPEN_TRIES; i += 1) {
        const state = newState();
        const verifier = newVerifier();
        const pending = { provider, verifier, browser: secretId(binding) };
        if (await store.putState(secretId(state), pending, ttls.stateS)) {
          return { state, codeChallenge: s256(verifier), binding };
        }
      }
      throw new Error('could not store a fresh OAuth state');
    },
    async consumeState(provider, state, binding) {
      const id = secretId(state);
      const seen = await store.peekState(id);
      if (!seen || !matchesSecretId(binding, seen.browser)) throw stateInvalid();
      // Records never change: the take gets what the peek saw, unless another request won it.
      const pending = await store.takeState(id);
      if (!pending || pending.provider !== provider) throw stateInvalid();
      return { verifier: pending.verifier, browser: pending.browser };
    },
    async bindCode(provider, code, binding) {
      const stored = await store.putCode(secretId(code), { provider, ...binding }, ttls.codeS);
      if (!stored) throw codeInvalid();
    },
    async redeemCode(provider, code, binding) {
      const id = secretId(code);
      const seen = await store.peekCode(id);
      if (!seen || !matchesSecretId(binding, seen.browser)) throw codeInvalid();
      const bound = await store.takeCode(id);
      if (!bound || bound.provider !== provider) throw codeInvalid();
      return bound;
    },
  };
}
