import { missingParameter } from '../request-errors.js';
import { providerUnavailable, tokenForeign } from './errors.js';
import { defined, endpoint, objectAt, phoneOf, providerEmail, subjectOf, text, tokensOf } from './fields.js';
import { createProviderFetch, oauthError, refusal } from './http.js';
import type { Provider } from './provider.js';

export interface VkSettings {
  clientId: string;
  /** VK_ID_BASE_URL */
  baseUrl: string;
  timeoutMs: number;
}

/**
 * VK ID hosts no mailboxes: the e-mail its `user_info` gives is one the user attached to the
 * account, with no word on whether it was ever proven (fields.ts, providerEmail), so VK ID
 * vouches for none.
 */
export const VK_MAILBOXES: ReadonlySet<string> = new Set();

/**
 * VK ID (OAuth 2.1 at id.vk.com; DESIGN, "Facts about the outside services"): PKCE S256 is
 * mandatory, the code is bound to the `device_id` of the callback, errors may come with HTTP 200.
 * Scope `email phone` so user info carries both (document 002's example asks for `email`).
 */
export function createVkProvider(settings: VkSettings): Provider {
  const { clientId, baseUrl } = settings;
  const call = createProviderFetch('vk', settings.timeoutMs);
  return {
    id: 'vk',
    clientId,
    usesDeviceId: true,
    authorizeUrl({ state, codeChallenge, redirectUri }) {
      // Parameter order and the lower-case `s256` as in document 002's example link.
      return endpoint(baseUrl, '/authorize', {
        response_type: 'code',
        client_id: clientId,
        scope: 'email phone',
        redirect_uri: redirectUri,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 's256',
      });
    },
    async exchangeCode({ code, codeVerifier, redirectUri, deviceId, state }) {
      if (!deviceId) throw missingParameter('device_id');
      const answer = await call({
        method: 'POST',
        url: endpoint(baseUrl, '/oauth2/auth'),
        form: {
          grant_type: 'authorization_code',
          code,
          code_verifier: codeVerifier,
          client_id: clientId,
          device_id: deviceId,
          redirect_uri: redirectUri,
          state: state ?? '',
        },
      });
      refusal('vk', answer, 'code');
      // VK echoes the request's state; another one means the answer is not to this request.
      if (state && typeof answer.body.state === 'string' && answer.body.state !== state) {
        throw providerUnavailable('vk', 'answered the token request with another state');
      }
      return tokensOf('vk', answer.body);
    },
    async userInfo(accessToken) {
      // VK checks the token against the client_id we send: a foreign token is refused by VK
      // itself, which says so in its description (the one place we read a description).
      const answer = await call({
        method: 'POST',
        url: endpoint(baseUrl, '/oauth2/user_info'),
        form: { access_token: accessToken, client_id: clientId },
      });
      if (oauthError(answer.body) === 'invalid_token' && issuedToAnotherClient(answer.body)) {
        throw tokenForeign('vk');
      }
      refusal('vk', answer, 'token');
      const user = objectAt(answer.body, 'user');
      if (!user) throw providerUnavailable('vk', 'answered user info without a user');
      return defined({
        provider: 'vk' as const,
        subject: subjectOf('vk', user.user_id),
        ...providerEmail(user.email, VK_MAILBOXES),
        phone: phoneOf(user.phone),
        firstName: text(user.first_name),
        lastName: text(user.last_name),
        // Answered at all only for a token of ours: VK checked it against our client_id.
        clientId,
      });
    },
  };
}

function issuedToAnotherClient(body: Record<string, unknown>): boolean {
  const description = body.error_description;
  return typeof description === 'string' && /another (client|app)/i.test(description);
}
