// Document 003's request bodies, field by field: 7 (missing), 8 (empty), 9 (invalid) for every
// field of every endpoint; Russian mobile numbers and e-mail normalised; extras ignored.
import t from 'tap';
import {
  codeFields,
  loginFields,
  newPasswordFields,
  passwordLoginFields,
  phoneLoginFields,
  registrationFields,
  V2FieldError,
} from '../src/profiles/v2/body.js';
import { parseLogin } from '../src/v2/logins.js';

const REGISTRATION = {
  name: 'Иван',
  surname: 'Петров',
  patronymic: 'Сергеевич',
  email_address: 'Ivan.Petrov@Example.RU',
  phone_number: '8 (916) 123-45-67',
  password: 'длинный пароль 42',
};

/** The field error a parse throws: its code and message. */
function fieldError(parse: () => unknown): { code: number; message: string } {
  try {
    parse();
  } catch (err) {
    if (err instanceof V2FieldError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no field error');
}

/** The assertion a helper needs (tap's Test and the root TAP both have it). */
type Assert = Pick<typeof t, 'same'>;

const without = (body: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));

/** Every required field of an endpoint × missing / empty / blank / null / wrong JSON type. */
function eachRequiredField(
  t: Assert,
  parse: (body: unknown) => unknown,
  valid: Record<string, unknown>,
  fields: readonly string[],
) {
  for (const field of fields) {
    t.same(
      fieldError(() => parse(without(valid, field))),
      { code: 7, message: `Поле ${field} обязательно` },
    );
    for (const empty of ['', null]) {
      t.same(
        fieldError(() => parse({ ...valid, [field]: empty })),
        {
          code: 8,
          message: `Поле ${field} не может быть пустым`,
        },
      );
    }
    for (const wrong of [42, true, ['x'], { value: 'x' }]) {
      t.same(
        fieldError(() => parse({ ...valid, [field]: wrong })),
        { code: 9, message: `Поле ${field} должно быть строкой` },
        `${field}: ${JSON.stringify(wrong)}`,
      );
    }
  }
}

t.test('registration: a valid body, normalised', async (t) => {
  t.same(registrationFields(REGISTRATION), {
    name: 'Иван',
    surname: 'Петров',
    patronymic: 'Сергеевич',
    email: 'ivan.petrov@example.ru',
    phone: '+79161234567',
    password: 'длинный пароль 42',
  });
  t.same(
    registrationFields({ ...REGISTRATION, name: '  Иван ', extra: 1, role: 'admin' }).name,
    'Иван',
    'names trimmed; unknown fields ignored',
  );
});

t.test('registration: every required field × 7 / 8 / 9', async (t) => {
  eachRequiredField(t, registrationFields, REGISTRATION, [
    'name',
    'surname',
    'email_address',
    'phone_number',
    'password',
  ]);
  t.same(
    fieldError(() => registrationFields({ ...REGISTRATION, name: '   ' })).code,
    8,
    'only spaces: empty',
  );
  t.same(
    fieldError(() => registrationFields({ ...REGISTRATION, name: 'И'.repeat(101) })),
    {
      code: 9,
      message: 'Поле name должно быть не длиннее 100 символов',
    },
  );
  t.same(
    fieldError(() => registrationFields({ ...REGISTRATION, surname: 'Пет\nров' })),
    {
      code: 9,
      message: 'Поле surname содержит недопустимые символы',
    },
  );
});

t.test('registration: the first problem in the document order is answered', async (t) => {
  t.same(fieldError(() => registrationFields({})).message, 'Поле name обязательно');
  t.same(
    fieldError(() => registrationFields({ ...REGISTRATION, surname: '', email_address: 'nope' })).message,
    'Поле surname не может быть пустым',
  );
  t.same(
    fieldError(() => registrationFields({ ...REGISTRATION, email_address: 'nope', phone_number: '' })).code,
    9,
  );
});

t.test('patronymic: string or null; absent and null mean none, empty is 8', async (t) => {
  t.equal(registrationFields(without(REGISTRATION, 'patronymic')).patronymic, null);
  t.equal(registrationFields({ ...REGISTRATION, patronymic: null }).patronymic, null);
  t.equal(registrationFields({ ...REGISTRATION, patronymic: ' Оглы ' }).patronymic, 'Оглы');
  for (const empty of ['', '  ']) {
    t.same(
      fieldError(() => registrationFields({ ...REGISTRATION, patronymic: empty })),
      { code: 8, message: 'Поле patronymic не может быть пустым' },
      `document 003: 422:8 for ${JSON.stringify(empty)}`,
    );
  }
  for (const wrong of [1, false, [], {}]) {
    t.same(
      fieldError(() => registrationFields({ ...REGISTRATION, patronymic: wrong })),
      {
        code: 9,
        message: 'Поле patronymic должно быть строкой или null',
      },
    );
  }
  t.equal(fieldError(() => registrationFields({ ...REGISTRATION, patronymic: 'О'.repeat(101) })).code, 9);
});

t.test('e-mail: syntax checked, lower-cased', async (t) => {
  for (const bad of [
    'ivan',
    'ivan@',
    '@example.ru',
    'ivan@example',
    'iv an@example.ru',
    'a@b@c.ru',
    'ivan@.ru',
    'ivan@ex_ample.ru',
  ]) {
    t.same(
      fieldError(() => registrationFields({ ...REGISTRATION, email_address: bad })),
      { code: 9, message: 'Поле email_address должно содержать адрес электронной почты' },
      bad,
    );
  }
  t.equal(
    fieldError(() => registrationFields({ ...REGISTRATION, email_address: `${'a'.repeat(65)}@example.ru` }))
      .code,
    9,
  );
  t.equal(
    fieldError(() => registrationFields({ ...REGISTRATION, email_address: `a@${'b'.repeat(250)}.ru` })).code,
    9,
  );
  t.equal(registrationFields({ ...REGISTRATION, email_address: ' Anna@Почта.РФ ' }).email, 'anna@почта.рф');
});

t.test('phones: Russian mobile numbers in every usual spelling become E.164', async (t) => {
  for (const phone of [
    '89161234567',
    '79161234567',
    '+79161234567',
    '8 916 123 45 67',
    '7 916 123-45-67',
    '+7 (916) 123-45-67',
    '8-916-123-45-67',
    '9161234567',
  ]) {
    t.equal(phoneLoginFields({ phone_number: phone }).phone, '+79161234567', phone);
  }
  for (const phone of [
    '+7 495 123-45-67', // Moscow fixed line
    '84951234567',
    '+7 701 123 45 67', // Kazakhstan shares +7
    '+380501234567', // another country
    '+7916123456', // too short
    '+791612345678', // too long
    '+7 916 123 45 67 ext 5',
    'телефон 89161234567',
    '8916abc1234567',
  ]) {
    t.same(
      fieldError(() => phoneLoginFields({ phone_number: phone })),
      {
        code: 9,
        message:
          'Поле phone_number должно содержать номер мобильного телефона российского оператора, например +79161234567',
      },
      phone,
    );
  }
});

t.test('login: an e-mail when it holds @, otherwise a phone', async (t) => {
  t.same(parseLogin('Ivan@Example.ru'), { kind: 'email', value: 'ivan@example.ru' });
  t.same(parseLogin('8 916 123 45 67'), { kind: 'phone', value: '+79161234567' });
  t.equal(parseLogin('ivan@example'), undefined);
  t.equal(parseLogin('+7 495 123 45 67'), undefined);
  t.same(loginFields({ login: '+79161234567' }), { login: { kind: 'phone', value: '+79161234567' } });
  eachRequiredField(t, loginFields, { login: 'ivan@example.ru' }, ['login']);
  t.same(
    fieldError(() => loginFields({ login: 'ivan' })),
    {
      code: 9,
      message:
        'Поле login должно содержать адрес электронной почты или номер мобильного телефона российского оператора',
    },
  );
});

t.test('loginByPassword, loginByPhone, code and password bodies × 7 / 8 / 9', async (t) => {
  eachRequiredField(t, passwordLoginFields, { email_address: 'a@example.ru', password: 'x' }, [
    'email_address',
    'password',
  ]);
  eachRequiredField(t, phoneLoginFields, { phone_number: '+79161234567' }, ['phone_number']);
  eachRequiredField(t, codeFields, { login: 'a@example.ru', code: '000123' }, ['login', 'code']);
  eachRequiredField(t, newPasswordFields, { password: 'new password 42' }, ['password']);
  t.same(
    passwordLoginFields({ email_address: 'A@Example.ru', password: ' x ' }),
    {
      email: 'a@example.ru',
      password: ' x ',
    },
    'a password is taken exactly as sent',
  );
  t.equal(
    newPasswordFields({ password: '   ' }).password,
    '   ',
    'spaces are a password (the policy judges it)',
  );
  t.equal(fieldError(() => newPasswordFields({ password: 'x'.repeat(1025) })).code, 9);
  t.same(codeFields({ login: 'a@example.ru', code: ' 000123 ' }).code, '000123', 'code trimmed');
  t.equal(fieldError(() => codeFields({ login: 'a@example.ru', code: 123456 })).code, 9, 'a number is 9');
});

t.test('a body that is not a JSON object is 9; no body is every field missing', async (t) => {
  for (const body of [null, 'text', 42, [], [REGISTRATION], true]) {
    t.same(
      fieldError(() => registrationFields(body)),
      {
        code: 9,
        message: 'Тело запроса должно быть JSON-объектом',
      },
      JSON.stringify(body),
    );
  }
  t.same(
    fieldError(() => loginFields(undefined)),
    { code: 7, message: 'Поле login обязательно' },
  );
});

t.test('own fields only: inherited names are missing', async (t) => {
  const body = Object.create({ login: 'a@example.ru' }) as object;
  t.equal(fieldError(() => loginFields(body)).code, 7);
  t.equal(fieldError(() => loginFields(JSON.parse('{"__proto__": {"login": "a@example.ru"}}'))).code, 7);
});
