import { providerUnavailable, tokenInvalid } from './errors.js';
import { defined, emailOf, endpoint, objectAt, phoneOf, subjectOf, text, tokensOf } from './fields.js';
import { basicAuth, createProviderFetch, refusal } from './http.js';
import type { Provider } from './provider.js';

export interface YandexSettings {
  clientId: string;
  clientSecret: string;
  /** YANDEX_OAUTH_BASE_URL: authorize and token. */
  oauthBaseUrl: string;
  /** YANDEX_LOGIN_BASE_URL: user info. */
  loginBaseUrl: string;
  timeoutMs: number;
}

/**
 * Yandex ID (DESIGN, "Facts about the outside services"). Document 002's example link has no
 * state and no PKCE; we add both (DESIGN, 002), with the upper-case `S256` Yandex expects.
 * `/info` answers for any valid token; its `client_id` tells whose token it is.
 */
export function createYandexProvider(settings: YandexSettings): Provider {
  const { clientId, clientSecret, oauthBaseUrl, loginBaseUrl } = settings;
  const call = createProviderFetch('yandex', settings.timeoutMs);
  return {
    id: 'yandex',
    clientId,
    usesDeviceId: false,
    authorizeUrl({ state, codeChallenge, redirectUri }) {
      return endpoint(oauthBaseUrl, '/authorize', {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
    },
    async exchangeCode({ code, codeVerifier }) {
      const answer = await call({
        method: 'POST',
        url: endpoint(oauthBaseUrl, '/token'),
        headers: { authorization: basicAuth(clientId, clientSecret) },
        form: { grant_type: 'authorization_code', code, code_verifier: codeVerifier },
      });
      refusal('yandex', answer, 'code');
      return tokensOf('yandex', answer.body);
    },
    async userInfo(accessToken) {
      // It travels in a header (RFC 9110 §5.5: visible ASCII and spaces): anything else is no
      // token Yandex issued, and fetch would refuse the header (it is not an outage).
      if (!/^[\x21-\x7e]+$/.test(accessToken)) throw tokenInvalid('yandex');
      const answer = await call({
        method: 'GET',
        url: endpoint(loginBaseUrl, '/info', { format: 'json' }),
        headers: { authorization: `OAuth ${accessToken}` },
      });
      refusal('yandex', answer, 'token');
      const user = answer.body;
      const issuedTo = text(user.client_id, 128);
      if (issuedTo === undefined) throw providerUnavailable('yandex', 'answered user info without client_id');
      const emails = Array.isArray(user.emails) ? (user.emails as unknown[]) : [];
      return defined({
        provider: 'yandex' as const,
        subject: subjectOf('yandex', user.id),
        email: emailOf(user.default_email) ?? emailOf(emails[0]),
        phone: phoneOf(objectAt(user, 'default_phone')?.number),
        firstName: text(user.first_name),
        lastName: text(user.last_name),
        clientId: issuedTo,
      });
    },
  };
}
