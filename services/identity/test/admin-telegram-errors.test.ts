// Profile admin-telegram (document 000): every error as {"message"} with its status.
import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { adminFailure } from '../src/profiles/admin-telegram/errors.js';

const BAD = 'route-specific bad input';

t.test('each code of the profile: status, message, Retry-After for 429s', async (t) => {
  const cases: Array<[PropuskError, number, RegExp, number?]> = [
    [new PropuskError('password_rejected', 'password is too common'), 400, /^password is too common$/],
    [new PropuskError('not_on_allowlist'), 403, /not on the staff list/],
    [new PropuskError('telegram_chat_missing'), 409, /open the Telegram bot, press \/start/],
    [new PropuskError('already_registered'), 409, /already exists/],
    [new PropuskError('registration_expired'), 400, /expired; request a new code/],
    [new PropuskError('code_invalid'), 400, /wrong, expired or already used/],
    [
      new PropuskError('code_resend_too_soon', 'x', { retryAfter: 42 }),
      429,
      /wait 42 seconds before requesting/,
      42,
    ],
    [
      new PropuskError('code_send_limited', 'x', { retryAfter: 1 }),
      429,
      /wait 1 second before requesting/,
      1,
    ],
    [
      new PropuskError('code_attempts_limited', 'x', { retryAfter: 300 }),
      429,
      /too many wrong codes; wait 300 seconds/,
      300,
    ],
    [
      new PropuskError('too_many_attempts', 'x', { retryAfter: 900 }),
      429,
      /sign-in attempts; wait 900 seconds/,
      900,
    ],
    [new PropuskError('code_resend_too_soon'), 429, /wait 1 second/, 1],
    [new PropuskError('invalid_credentials'), 401, /^wrong username or password$/],
    [new PropuskError('invalid_token'), 401, /refresh token is invalid or expired/],
    [new PropuskError('refresh_reused'), 401, /all sessions of this login were revoked/],
    [new PropuskError('unavailable'), 503, /temporarily unavailable/],
    [new PropuskError('timeout'), 503, /temporarily unavailable/],
    [new PropuskError('invalid_reply'), 503, /temporarily unavailable/],
    [new PropuskError('invalid_request'), 500, /^internal error$/],
    [new PropuskError('account_not_found'), 500, /^internal error$/],
  ];
  for (const [err, status, message, retryAfterS] of cases) {
    const failure = adminFailure(err, BAD);
    t.equal(failure.status, status, err.code);
    t.match(failure.message, message, err.code);
    t.equal(failure.retryAfterS, retryAfterS, `${err.code} Retry-After`);
  }
});

t.test("Fastify's parsing failures and anything unexpected", async (t) => {
  const fastify = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode });
  t.same(adminFailure(fastify('FST_ERR_CTP_INVALID_JSON_BODY', 400), BAD), {
    status: 400,
    message: 'the request body is not valid JSON',
  });
  t.same(adminFailure(fastify('FST_ERR_CTP_EMPTY_JSON_BODY', 400), BAD), { status: 400, message: BAD });
  t.same(adminFailure(Object.assign(new Error('v'), { validation: [] }), BAD), { status: 400, message: BAD });
  t.same(adminFailure(fastify('FST_ERR_CTP_BODY_TOO_LARGE', 413), BAD), {
    status: 413,
    message: 'the request body is too large',
  });
  t.equal(adminFailure(fastify('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), BAD).status, 415);
  t.same(adminFailure(new TypeError('boom'), BAD), { status: 500, message: 'internal error' });
});
