import { clientIp } from '@propusk/kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorizationHttp } from '@propusk/contracts';
import { normaliseEmail, normaliseRussianMobile } from '../../accounts/contacts.js';
import { authorizationValidator, BadField, fieldList } from './body.js';
import { authorizationErrorHandler } from './errors.js';
import type { AuthorizationFlow, AuthorizationPair } from './flow.js';
import { authorizationBody } from './presenter.js';

/** Document 002's paths (served with and without a trailing slash by kit's router options). */
export const AUTHORIZATION_REGISTRATION_PATH = '/authorization/registration';
export const AUTHORIZATION_EMAIL_LOGIN_PATH = '/authorization/login/email';
export const AUTHORIZATION_PHONE_LOGIN_PATH = '/authorization/login/phone/number';

const { EmailLoginBody, PhoneLoginBody, RegistrationBody } = authorizationHttp;

const PHONE_EXPECTED = 'a Russian mobile number, e.g. +79001234567 or 8 900 123-45-67';
const WRONG_EMAIL_LOGIN = 'wrong e-mail or password';
const WRONG_PHONE_LOGIN = 'wrong phone number or password';

export interface AuthorizationRouteDeps {
  flow: AuthorizationFlow;
}

/** The contracts take an address of at most 64 characters; anything longer is not one we can use. */
function ipOf(req: FastifyRequest): string | undefined {
  const ip = clientIp(req);
  return ip && ip.length <= 64 ? ip : undefined;
}

const bodyOf = (what: string) => `send a JSON object with ${what}`;

/** A phone for login: a Russian mobile in any spelling registration takes, or any E.164 number as stored. */
function loginPhone(phone: string): string {
  const normalised = normaliseRussianMobile(phone) ?? (/^\+[1-9]\d{7,14}$/.test(phone) ? phone : undefined);
  if (!normalised) throw new BadField('phone_number', `"phone_number" must be ${PHONE_EXPECTED}`);
  return normalised;
}

/** Tokens are never stored by caches on the way (RFC 6749 §5.1). */
function sendPair(reply: FastifyReply, pair: AuthorizationPair) {
  return reply.code(200).header('cache-control', 'no-store').send(authorizationBody(pair));
}

/**
 * Document 002's `/authorization/…` routes in their own Fastify scope. The provider routes
 * (`/vk/…`, `/mail.ru/…`, `/yandex/…`) are federation's, `/validate/jwt/…` the token service's.
 */
export async function registerAuthorizationRoutes(
  app: FastifyInstance,
  deps: AuthorizationRouteDeps,
): Promise<void> {
  await app.register(async (scope) => {
    scope.post(
      AUTHORIZATION_REGISTRATION_PATH,
      {
        schema: { body: RegistrationBody },
        validatorCompiler: authorizationValidator,
        errorHandler: authorizationErrorHandler({
          badInput: bodyOf(fieldList(RegistrationBody)),
          invalidCredentials: WRONG_EMAIL_LOGIN,
        }),
      },
      async (req, reply) => {
        const body = req.body as authorizationHttp.RegistrationBody;
        const email = normaliseEmail(body.email);
        if (!email) throw new BadField('email', '"email" must be an e-mail address, e.g. name@example.com');
        const phone = normaliseRussianMobile(body.phone_number);
        if (!phone) throw new BadField('phone_number', `"phone_number" must be ${PHONE_EXPECTED}`);
        const pair = await deps.flow.register({
          email,
          phone,
          password: body.hash_password,
          requestId: req.id,
        });
        return sendPair(reply, pair);
      },
    );

    scope.post(
      AUTHORIZATION_EMAIL_LOGIN_PATH,
      {
        schema: { body: EmailLoginBody },
        validatorCompiler: authorizationValidator,
        errorHandler: authorizationErrorHandler({
          badInput: bodyOf(fieldList(EmailLoginBody)),
          invalidCredentials: WRONG_EMAIL_LOGIN,
        }),
      },
      async (req, reply) => {
        const { email, hash_password } = req.body as authorizationHttp.EmailLoginBody;
        // Any text is looked up (lower-cased by the login flow): one that is no account's
        // e-mail gets the same 401 as a wrong password.
        const pair = await deps.flow.login({
          by: 'email',
          login: email.trim(),
          password: hash_password,
          ip: ipOf(req),
          requestId: req.id,
        });
        return sendPair(reply, pair);
      },
    );

    scope.post(
      AUTHORIZATION_PHONE_LOGIN_PATH,
      {
        schema: { body: PhoneLoginBody },
        validatorCompiler: authorizationValidator,
        errorHandler: authorizationErrorHandler({
          badInput: bodyOf(fieldList(PhoneLoginBody)),
          invalidCredentials: WRONG_PHONE_LOGIN,
        }),
      },
      async (req, reply) => {
        const { phone_number, hash_password } = req.body as authorizationHttp.PhoneLoginBody;
        const pair = await deps.flow.login({
          by: 'phone',
          login: loginPhone(phone_number.trim()),
          password: hash_password,
          ip: ipOf(req),
          requestId: req.id,
        });
        return sendPair(reply, pair);
      },
    );
  });
}
