import { v2Http, type TObject, type TProperties, type TSchema } from '@propusk/contracts';
import { normaliseEmail, normaliseRussianMobile } from '../../accounts/contacts.js';
import { parseLogin, type Login } from '../../v2/logins.js';
import { FIELD_TEXT, V2_TEXT } from './messages.js';

/**
 * Request bodies of document 003, checked field by field in the document's order; the first
 * problem is answered. DESIGN, 003: a field that is absent is 7, present but empty (or only
 * spaces) is 8, anything else unusable is 9 — a wrong JSON type included. Fields the document
 * does not list are ignored, as clients of an API commonly send extras. `null` in a required
 * field is a field with no value (8); only `patronymic` is documented as "string/null".
 */
export type FieldCode = 7 | 8 | 9;

export class V2FieldError extends Error {
  constructor(
    readonly code: FieldCode,
    message: string,
  ) {
    super(message);
    this.name = 'V2FieldError';
  }
}

type Fields = Readonly<Record<string, unknown>>;

/**
 * The contracts schema of each body (v2Http, which the OpenAPI document shows): every field's
 * name and length limit below comes from these, so the document and the checks cannot drift.
 */
export const V2_BODY_SCHEMAS = Object.freeze({
  registration: v2Http.RegistrationBody,
  login: v2Http.LoginBody,
  passwordLogin: v2Http.PasswordLoginBody,
  phoneLogin: v2Http.PhoneLoginBody,
  code: v2Http.CodeBody,
  newPassword: v2Http.NewPasswordBody,
});

/** One field of a body: its name and its longest value (code points; a password's UTF-16 units). */
interface FieldSpec {
  readonly name: string;
  readonly max: number;
}

/** A string schema's maxLength, or that of the first string of a union (`string/null`). */
function maxLengthOf(schema: TSchema): number | undefined {
  if (typeof schema.maxLength === 'number') return schema.maxLength;
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  return anyOf?.map(maxLengthOf).find((max) => max !== undefined);
}

/** The field `name` of `schema` (the compiler checks the name exists); a schema without a limit is a bug. */
function fieldOf<P extends TProperties>(schema: TObject<P>, name: keyof P & string): FieldSpec {
  const property: TSchema | undefined = schema.properties[name];
  const max = property && maxLengthOf(property);
  if (max === undefined) throw new Error(`v2 body schema: field ${name} has no maxLength`);
  return Object.freeze({ name, max });
}

const REGISTRATION = {
  name: fieldOf(V2_BODY_SCHEMAS.registration, 'name'),
  surname: fieldOf(V2_BODY_SCHEMAS.registration, 'surname'),
  patronymic: fieldOf(V2_BODY_SCHEMAS.registration, 'patronymic'),
  email: fieldOf(V2_BODY_SCHEMAS.registration, 'email_address'),
  phone: fieldOf(V2_BODY_SCHEMAS.registration, 'phone_number'),
  password: fieldOf(V2_BODY_SCHEMAS.registration, 'password'),
};
const LOGIN = fieldOf(V2_BODY_SCHEMAS.login, 'login');
const PASSWORD_LOGIN = {
  email: fieldOf(V2_BODY_SCHEMAS.passwordLogin, 'email_address'),
  password: fieldOf(V2_BODY_SCHEMAS.passwordLogin, 'password'),
};
const PHONE_LOGIN = fieldOf(V2_BODY_SCHEMAS.phoneLogin, 'phone_number');
const CODE = {
  login: fieldOf(V2_BODY_SCHEMAS.code, 'login'),
  code: fieldOf(V2_BODY_SCHEMAS.code, 'code'),
};
const NEW_PASSWORD = fieldOf(V2_BODY_SCHEMAS.newPassword, 'password');

/** Control characters (line breaks included) have no place in a name. */
const CONTROL = /\p{Cc}/u;

/** The body as an object of fields: no body is `{}` (every field missing); JSON that is not an object is 9. */
export function fieldsOf(body: unknown): Fields {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new V2FieldError(9, V2_TEXT.notJsonObject);
  }
  return body as Fields;
}

function has(fields: Fields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name);
}

/**
 * A required field's string: 7 when absent, 8 when `null` (present, holding no value), 9 when of
 * another JSON type.
 */
function present(fields: Fields, name: string): string {
  if (!has(fields, name) || fields[name] === undefined) throw new V2FieldError(7, FIELD_TEXT.missing(name));
  const value = fields[name];
  if (value === null) throw new V2FieldError(8, FIELD_TEXT.empty(name));
  if (typeof value !== 'string') throw new V2FieldError(9, FIELD_TEXT.notString(name));
  return value;
}

/** A required string, trimmed: 8 when blank, 9 when longer than the field's limit in code points. */
function text(fields: Fields, { name, max }: FieldSpec): string {
  const trimmed = present(fields, name).trim();
  if (trimmed === '') throw new V2FieldError(8, FIELD_TEXT.empty(name));
  if ([...trimmed].length > max) throw new V2FieldError(9, FIELD_TEXT.tooLong(name, max));
  return trimmed;
}

function personName(fields: Fields, field: FieldSpec): string {
  const value = text(fields, field);
  if (CONTROL.test(value)) throw new V2FieldError(9, FIELD_TEXT.badCharacters(field.name));
  return value;
}

/**
 * `patronymic` is "string/null": absent or `null` mean none. A string is a name like the others,
 * so an empty (or blank) one is 8, "объект содержит поле с пустым значением" (document 003,
 * registration): `null` is how a client says there is none.
 */
function patronymic(fields: Fields, field: FieldSpec): string | null {
  const value = has(fields, field.name) ? fields[field.name] : undefined;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new V2FieldError(9, FIELD_TEXT.notStringOrNull(field.name));
  return personName(fields, field);
}

function email(fields: Fields, field: FieldSpec): string {
  const value = normaliseEmail(text(fields, field));
  if (value === undefined) throw new V2FieldError(9, FIELD_TEXT.notEmail(field.name));
  return value;
}

function phone(fields: Fields, field: FieldSpec): string {
  const value = normaliseRussianMobile(text(fields, field));
  if (value === undefined) throw new V2FieldError(9, FIELD_TEXT.notMobile(field.name));
  return value;
}

function login(fields: Fields, field: FieldSpec): Login {
  const value = parseLogin(text(fields, field));
  if (value === undefined) throw new V2FieldError(9, FIELD_TEXT.notLogin(field.name));
  return value;
}

/**
 * A password exactly as sent (spaces count; only `""` is empty). Its policy is the domain's
 * (`password_rejected`, answered 9); a password beyond any the policy admits is 9 here.
 */
function password(fields: Fields, { name, max }: FieldSpec): string {
  const value = present(fields, name);
  if (value === '') throw new V2FieldError(8, FIELD_TEXT.empty(name));
  if (value.length > max) throw new V2FieldError(9, FIELD_TEXT.tooLong(name, max));
  return value;
}

export interface RegistrationFields {
  name: string;
  surname: string;
  patronymic: string | null;
  email: string;
  phone: string;
  password: string;
}

/** "/v2/auth/registration": name, surname, patronymic, email_address, phone_number, password. */
export function registrationFields(body: unknown): RegistrationFields {
  const f = fieldsOf(body);
  return {
    name: personName(f, REGISTRATION.name),
    surname: personName(f, REGISTRATION.surname),
    patronymic: patronymic(f, REGISTRATION.patronymic),
    email: email(f, REGISTRATION.email),
    phone: phone(f, REGISTRATION.phone),
    password: password(f, REGISTRATION.password),
  };
}

/** "/v2/auth/verification" and "/v2/auth/passwordRecovery": `login`. */
export function loginFields(body: unknown): { login: Login } {
  return { login: login(fieldsOf(body), LOGIN) };
}

/** "/v2/auth/loginByPassword": email_address, password. */
export function passwordLoginFields(body: unknown): { email: string; password: string } {
  const f = fieldsOf(body);
  return { email: email(f, PASSWORD_LOGIN.email), password: password(f, PASSWORD_LOGIN.password) };
}

/** "/v2/auth/loginByPhone": phone_number. */
export function phoneLoginFields(body: unknown): { phone: string } {
  return { phone: phone(fieldsOf(body), PHONE_LOGIN) };
}

/**
 * "/v2/auth/сode": login, code. The code is a string; whether it is right (6 digits, live, this
 * login's) is the flow's question, answered 106.
 */
export function codeFields(body: unknown): { login: Login; code: string } {
  const f = fieldsOf(body);
  return { login: login(f, CODE.login), code: text(f, CODE.code) };
}

/** `POST /v2/auth/password` (beyond the document: the end of password recovery): password. */
export function newPasswordFields(body: unknown): { password: string } {
  return { password: password(fieldsOf(body), NEW_PASSWORD) };
}
