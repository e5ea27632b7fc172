import { clientIp } from '@propusk/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CodePurpose } from '@propusk/contracts';
import type { V2Flow } from '../../v2/flow.js';
import { V2_PURPOSES } from '../../v2/code-flow.js';
import {
  codeFields,
  loginFields,
  newPasswordFields,
  passwordLoginFields,
  phoneLoginFields,
  registrationFields,
} from './body.js';
import { requireV2Caller } from './caller.js';
import { v2ErrorHandler } from './errors.js';
import { V2_TEXT } from './messages.js';
import { timeoutData, tokenData, v2Success } from './presenter.js';

/** Document 003's paths (served with and without a trailing slash by kit's router options). */
export const V2_PATHS = Object.freeze({
  registration: '/v2/auth/registration',
  verification: '/v2/auth/verification',
  loginByPassword: '/v2/auth/loginByPassword',
  loginByPhone: '/v2/auth/loginByPhone',
  passwordRecovery: '/v2/auth/passwordRecovery',
  /** The document spells it with a Cyrillic `с` (U+0441): `/v2/auth/%D1%81ode` on the wire. */
  codeCyrillic: '/v2/auth/\u0441ode',
  code: '/v2/auth/code',
  /** Beyond the document: a new password after a recovery code (DESIGN, 003 leaves it open). */
  password: '/v2/auth/password',
});

export interface V2RouteDeps {
  v2: V2Flow;
}

/** The contracts take an address of at most 64 characters; anything longer is not one we can use. */
function ipOf(req: FastifyRequest): string | undefined {
  const ip = clientIp(req);
  return ip && ip.length <= 64 ? ip : undefined;
}

/** Tokens are never stored by caches on the way (RFC 6749 §5.1). */
function sendToken(reply: FastifyReply, message: string, token: string) {
  return reply
    .code(200)
    .header('cache-control', 'no-store')
    .send(v2Success(message, tokenData(token)));
}

/** What a right code did, in the answer's message. */
const CODE_TEXT: Readonly<Partial<Record<CodePurpose, string>>> = {
  [V2_PURPOSES.verification]: V2_TEXT.verified,
  [V2_PURPOSES.login]: V2_TEXT.signedIn,
  [V2_PURPOSES.recovery]: V2_TEXT.recoverySignedIn,
};

/**
 * JSON bodies as Fastify parses them (prototype poisoning refused), except that an empty body
 * is no body: every field is then missing (7), not the whole request malformed.
 */
function acceptEmptyJson(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    return parseJson(req, text, done);
  });
}

/**
 * Document 003's identity routes in their own Fastify scope (its body parser and error
 * handlers apply to them only). Signout is the token service's (`POST /v2/auth/signout`).
 */
export async function registerV2Routes(app: FastifyInstance, deps: V2RouteDeps): Promise<void> {
  const { v2 } = deps;
  await app.register(async (scope) => {
    acceptEmptyJson(scope);
    scope.setErrorHandler(v2ErrorHandler());

    scope.post(V2_PATHS.registration, async (req, reply) => {
      const fields = registrationFields(req.body);
      const { token } = await v2.register({ ...fields, requestId: req.id });
      return sendToken(reply, V2_TEXT.registered, token);
    });

    scope.post(V2_PATHS.verification, async (req, reply) => {
      const { accountId } = requireV2Caller(req.headers);
      const { login } = loginFields(req.body);
      const sent = await v2.requestVerification({ accountId, login, ip: ipOf(req), requestId: req.id });
      return reply.code(200).send(v2Success(V2_TEXT.codeSent, timeoutData(sent.timeout)));
    });

    scope.post(V2_PATHS.loginByPassword, async (req, reply) => {
      const { email, password } = passwordLoginFields(req.body);
      const { token } = await v2.signIn({ email, password, ip: ipOf(req), requestId: req.id });
      return sendToken(reply, V2_TEXT.signedIn, token);
    });

    scope.post(
      V2_PATHS.loginByPhone,
      // Document 003 gives an unknown phone code 100 here (101 elsewhere).
      { errorHandler: v2ErrorHandler({ phoneNotFoundCode: 100 }) },
      async (req, reply) => {
        const { phone } = phoneLoginFields(req.body);
        const sent = await v2.requestLoginCode({ phone, ip: ipOf(req), requestId: req.id });
        return reply.code(200).send(v2Success(V2_TEXT.codeSent, timeoutData(sent.timeout)));
      },
    );

    scope.post(V2_PATHS.passwordRecovery, async (req, reply) => {
      const { login } = loginFields(req.body);
      const sent = await v2.requestRecovery({ login, ip: ipOf(req), requestId: req.id });
      return reply.code(200).send(v2Success(V2_TEXT.codeSent, timeoutData(sent.timeout)));
    });

    for (const url of [V2_PATHS.codeCyrillic, V2_PATHS.code]) {
      scope.post(url, async (req, reply) => {
        const { login, code } = codeFields(req.body);
        const accepted = await v2.submitCode({ login, code, ip: ipOf(req), requestId: req.id });
        return sendToken(reply, CODE_TEXT[accepted.purpose] ?? V2_TEXT.signedIn, accepted.token);
      });
    }

    scope.post(V2_PATHS.password, async (req, reply) => {
      const { accountId, tokenId } = requireV2Caller(req.headers);
      const { password } = newPasswordFields(req.body);
      await v2.resetPassword({ accountId, tokenId, password, requestId: req.id });
      return reply.code(200).send(v2Success(V2_TEXT.passwordChanged, {}));
    });
  });
}
