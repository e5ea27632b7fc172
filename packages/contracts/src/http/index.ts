import { Kind, type TSchema } from '@sinclair/typebox';
import * as adminTelegramHttp from './admin-telegram.js';
import * as authorizationHttp from './authorization.js';
import * as drfHttp from './drf.js';
import * as envelopeHttp from './envelope.js';
import * as standardHttp from './standard.js';
import * as v2Http from './v2.js';

/**
 * The HTTP side of every documented API: request bodies, form bodies and query strings as the
 * services check them, and the shapes of their answers. One module per profile (names repeat
 * across profiles: `v2Http.LoginBody` is not `drfHttp.LoginBody`). The gateway documents these
 * very objects (gateway/src/docs), so what the OpenAPI document says is what the services check.
 */
export { adminTelegramHttp, authorizationHttp, drfHttp, envelopeHttp, standardHttp, v2Http };
export { PasswordLoginBody } from './password-login.js';

/** Every module, under the prefix its schemas take in the OpenAPI document's components. */
export const HTTP_SCHEMA_MODULES = Object.freeze({
  AdminTelegram: adminTelegramHttp,
  Envelope: envelopeHttp,
  Authorization: authorizationHttp,
  V2: v2Http,
  Drf: drfHttp,
  Standard: standardHttp,
});

/** A TypeBox schema (every one carries TypeBox's `Kind` symbol), as opposed to a helper or constant. */
export function isSchema(value: unknown): value is TSchema {
  return typeof value === 'object' && value !== null && Kind in value;
}

export type { TObject, TProperties, TSchema } from '@sinclair/typebox';
