import { drfHttp, type TSchema } from '@propusk/contracts';

/**
 * What is wrong with a login body of document 004 that contracts' drfHttp.LoginBody refused,
 * said as Django REST framework's serializers say it: per field, in DRF's Russian
 * (rest_framework/locale/ru/LC_MESSAGES/django.po), type names as Python gives them (DRF's
 * "Ожидался dictionary, но был получен list."). The answer stays the document's 400; a login or
 * password that is truly missing keeps the document's own "Отсутствует логин или пароль"
 * (errors.ts), so this answers only bodies that have both.
 */

const LOGIN_FIELDS = drfHttp.LoginBody.properties;
type LoginField = keyof typeof LOGIN_FIELDS & string;
const FIELD_NAMES = Object.keys(LOGIN_FIELDS) as LoginField[];

const DRF_TEXT = Object.freeze({
  /** serializers.py: "Invalid data. Expected a dictionary, but got {datatype}." */
  notObject: (type: string) => `Недопустимые данные. Ожидался dictionary, но был получен ${type}.`,
  /**
   * CharField's "Not a valid string." has no Russian in DRF's catalogue; worded as its
   * relations.py "Некорректный тип. Ожидалось …, получен {data_type}." is.
   */
  notString: (type: string) => `Некорректный тип. Ожидалась строка, получен ${type}.`,
  /** CharField: "Ensure this field has no more than {max_length} characters." */
  tooLong: (max: number) => `Убедитесь, что в этом поле не больше ${max} символов.`,
  /** DRF would drop a field it does not know; this login refuses it (contracts: nothing else). */
  unknown: `Неизвестное поле: передаются только ${FIELD_NAMES.join(' и ')}.`,
});

/** The name Python gives the type of a JSON value, as DRF's messages show it. */
function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** No value at all: absent, `null` or `""` — the document's "Отсутствует логин или пароль" (also of a whole body). */
function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** A field's problem, if its value breaks the contract's schema: type, then length. */
function fieldProblem(schema: TSchema, value: unknown): string | undefined {
  if (typeof value !== 'string') return DRF_TEXT.notString(pythonType(value));
  // TypeBox counts UTF-16 units (String.length), as the contract's check did.
  const max = schema.maxLength as number | undefined;
  if (max !== undefined && value.length > max) return DRF_TEXT.tooLong(max);
  return undefined;
}

/**
 * `field: message` per problem, in the contract's field order then the unknown fields, joined
 * as one sentence list; undefined when the login or the password is missing (or there is no
 * body at all), or when nothing here explains the refusal.
 */
export function loginBodyProblems(body: unknown): string | undefined {
  if (isMissing(body)) return undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return DRF_TEXT.notObject(pythonType(body));
  }
  const fields = body as Record<string, unknown>;
  if (FIELD_NAMES.some((name) => isMissing(fields[name]))) return undefined;
  const problems: string[] = [];
  for (const name of FIELD_NAMES) {
    const problem = fieldProblem(LOGIN_FIELDS[name], fields[name]);
    if (problem) problems.push(`${name}: ${problem}`);
  }
  for (const name of Object.keys(fields)) {
    if (!(FIELD_NAMES as string[]).includes(name)) problems.push(`${name}: ${DRF_TEXT.unknown}`);
  }
  return problems.length > 0 ? problems.join(' ') : undefined;
}
