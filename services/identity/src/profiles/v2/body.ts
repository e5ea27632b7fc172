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

/** Names, e-mail and phone texts are short; longer input is not one of them (9). */
const NAME_MAX = 100;
const EMAIL_MAX = 254;
const PHONE_MAX = 32;
const LOGIN_MAX = EMAIL_MAX;
/** Long enough for any password the policy admits (128 code points of up to 4 bytes), as login takes. */
const PASSWORD_MAX_CHARS = 1024;
const CODE_MAX = 32;
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

/** A required string, trimmed: 8 when blank, 9 when longer than `max` code points. */
function text(fields: Fields, name: string, max: number): string {
  const trimmed = present(fields, name).trim();
  if (trimmed === '') throw new V2FieldError(8, FIELD_TEXT.empty(name));
  if ([...trimmed].length > max) throw new V2FieldError(9, FIELD_TEXT.tooLong(name, max));
  return trimmed;
}

function personName(fields: Fields, name: string): string {
  const value = text(fields, name, NAME_MAX);
  if (CONTROL.test(value)) throw new V2FieldError(9, FIELD_TEXT.badCharacters(name));
  return value;
}

/** `patronymic` is "string/null": absent, null or blank all mean none. */
function patronymic(fields: Fields): string | null {
  const value = has(fields, 'patronymic') ? fields.patronymic : undefined;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new V2FieldError(9, FIELD_TEXT.notStringOrNull('patronymic'));
  if (value.trim() === '') return null;
  return personName(fields, 'patronymic');
}

function email(fields: Fields, name: string): string {
  const value = normaliseEmail(text(fields, name, EMAIL_MAX));
  if (value === undefined) throw new V2FieldError(9, FIELD_TEXT.notEmail(name));
  return value;
}

function phone(fields: Fields, name: string): string {
  const value = normaliseRussianMobile(text(fields, name, PHONE_MAX));
  if (value === undefined) throw new V2FieldError(9, FIELD_TEXT.notMobile(name));
  return value;
}

function login(fields: Fields, name: string): Login {
  const value = parseLogin(text(fields, name, LOGIN_MAX));
  if (value === undefined) throw new V2FieldError(9, FIELD_TEXT.notLogin(name));
  return value;
}

/**
 * A password exactly as sent (spaces count; only `""` is empty). Its policy is the domain's
 * (`password_rejected`, answered 9); a password beyond any the policy admits is 9 here.
 */
function password(fields: Fields, name: string): string {
  const value = present(fields, name);
  if (value === '') throw new V2FieldError(8, FIELD_TEXT.empty(name));
  if (value.length > PASSWORD_MAX_CHARS)
    throw new V2FieldError(9, FIELD_TEXT.tooLong(name, PASSWORD_MAX_CHARS));
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
    name: personName(f, 'name'),
    surname: personName(f, 'surname'),
    patronymic: patronymic(f),
    email: email(f, 'email_address'),
    phone: phone(f, 'phone_number'),
    password: password(f, 'password'),
  };
}

/** "/v2/auth/verification" and "/v2/auth/passwordRecovery": `login`. */
export function loginFields(body: unknown): { login: Login } {
  return { login: login(fieldsOf(body), 'login') };
}

/** "/v2/auth/loginByPassword": email_address, password. */
export function passwordLoginFields(body: unknown): { email: string; password: string } {
  const f = fieldsOf(body);
  return { email: email(f, 'email_address'), password: password(f, 'password') };
}

/** "/v2/auth/loginByPhone": phone_number. */
export function phoneLoginFields(body: unknown): { phone: string } {
  return { phone: phone(fieldsOf(body), 'phone_number') };
}

/**
 * "/v2/auth/сode": login, code. The code is a string; whether it is right (6 digits, live, this
 * login's) is the flow's question, answered 106.
 */
export function codeFields(body: unknown): { login: Login; code: string } {
  const f = fieldsOf(body);
  return { login: login(f, 'login'), code: text(f, 'code', CODE_MAX) };
}

/** `POST /v2/auth/password` (beyond the document: the end of password recovery): password. */
export function newPasswordFields(body: unknown): { password: string } {
  return { password: password(fieldsOf(body), 'password') };
}
