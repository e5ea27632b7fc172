import { providerUnavailable, tokenInvalid } from './errors.js';
import {
  defined,
  emailOf,
  endpoint,
  objectAt,
  phoneOf,
  providerEmail,
  subjectOf,
  text,
  tokensOf,
} from './fields.js';
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
 * The mailboxes Yandex Mail hosts itself: a `default_email` on one of them is the Yandex
 * account signed in (Yandex Mail answers every one of them for the same login), the only
 * e-mail Yandex vouches for. A `default_email` elsewhere (Yandex lets an account name an
 * outside address, e.g. a Yandex 360 domain or one typed at sign-up) and the `emails` list
 * are not proven by anything `/info` says (fields.ts, providerEmail).
 */
export const YANDEX_MAILBOXES: ReadonlySet<string> = new Set([
  'yandex.ru',
  'ya.ru',
  'yandex.com',
  'yandex.by',
  'yandex.kz',
  'yandex.ua',
  'yandex.com.tr',
]);

/**
 * The e-mail of `/info`: `default_email` (vouched when Yandex hosts it), else the first of
 * `emails`, never vouched: only the default one is a mailbox we know is the account's own.
 */
function yandexEmail(user: Record<string, unknown>) {
  const primary = providerEmail(user.default_email, YANDEX_MAILBOXES);
  if (primary.email !== undefined) return primary;
  const emails = Array.isArray(user.emails) ? (user.emails as unknown[]) : [];
  const other = emailOf(emails[0]);
  return other === undefined ? {} : { email: other, emailVerified: false };
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
      return defined({
        provider: 'yandex' as const,
        subject: subjectOf('yandex', user.id),
        ...yandexEmail(user),
        phone: phoneOf(objectAt(user, 'default_phone')?.number),
        firstName: text(user.first_name),
        lastName: text(user.last_name),
        clientId: issuedTo,
      });
    },
  };
}
