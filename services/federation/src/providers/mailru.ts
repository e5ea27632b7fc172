import { providerUnavailable } from './errors.js';
import { defined, endpoint, providerEmail, subjectOf, text, tokensOf } from './fields.js';
import { basicAuth, createProviderFetch, refusal } from './http.js';
import type { Provider } from './provider.js';

export interface MailruSettings {
  clientId: string;
  clientSecret: string;
  /** MAILRU_OAUTH_BASE_URL */
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The mailboxes Mail.ru hosts itself (its sign-up offers exactly these domains): an address on
 * one of them is the Mail.ru account signed in, the only e-mail Mail.ru vouches for. Any other
 * address is one a Mail.ru account was opened with, which Mail.ru's `userinfo` does not say was
 * ever proven (fields.ts, providerEmail).
 */
export const MAILRU_MAILBOXES: ReadonlySet<string> = new Set([
  'mail.ru',
  'inbox.ru',
  'list.ru',
  'bk.ru',
  'internet.ru',
]);

/**
 * Mail.ru OAuth (DESIGN, "Facts about the outside services"): scope `userinfo`, the client
 * authenticated by HTTP Basic at the token endpoint, errors possibly with HTTP 200. PKCE is
 * optional at Mail.ru but honoured when the link carries a challenge, so we send one: the code
 * is then useless without our verifier. `prompt_force=1` as in document 002's example link.
 */
export function createMailruProvider(settings: MailruSettings): Provider {
  const { clientId, clientSecret, baseUrl } = settings;
  const call = createProviderFetch('mailru', settings.timeoutMs);
  return {
    id: 'mailru',
    clientId,
    usesDeviceId: false,
    authorizeUrl({ state, codeChallenge, redirectUri }) {
      return endpoint(baseUrl, '/login', {
        client_id: clientId,
        response_type: 'code',
        scope: 'userinfo',
        redirect_uri: redirectUri,
        state,
        prompt_force: '1',
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
    },
    async exchangeCode({ code, codeVerifier, redirectUri }) {
      const answer = await call({
        method: 'POST',
        url: endpoint(baseUrl, '/token'),
        headers: { authorization: basicAuth(clientId, clientSecret) },
        form: {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        },
      });
      refusal('mailru', answer, 'code');
      return tokensOf('mailru', answer.body);
    },
    async userInfo(accessToken) {
      const answer = await call({
        method: 'GET',
        url: endpoint(baseUrl, '/userinfo', { access_token: accessToken }),
      });
      refusal('mailru', answer, 'token');
      const user = answer.body;
      const issuedTo = text(user.client_id, 128);
      if (issuedTo === undefined) throw providerUnavailable('mailru', 'answered user info without client_id');
      return defined({
        provider: 'mailru' as const,
        subject: subjectOf('mailru', user.id),
        ...providerEmail(user.email, MAILRU_MAILBOXES),
        firstName: text(user.first_name),
        lastName: text(user.last_name),
        clientId: issuedTo,
      });
    },
  };
}
