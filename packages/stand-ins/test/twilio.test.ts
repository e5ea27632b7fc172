import t from 'tap';
import twilio from 'twilio';
import { startTwilioStandIn, type TwilioStandIn } from '../src/twilio.js';
import { basic, postForm } from './fixtures/http.js';

function send(tw: TwilioStandIn, fields: Record<string, string>, auth = basic(tw.accountSid, tw.authToken)) {
  return postForm(`${tw.url}/2010-04-01/Accounts/${tw.accountSid}/Messages.json`, fields, auth);
}

/*
 * RECIPE: pointing the official twilio-node client at a local base URL.
 * `edge`/`region` only rewrite the host inside *.twilio.com, so they cannot reach 127.0.0.1.
 * twilio-node sends every request through `opts.httpClient.request({ method, uri, ... })`,
 * with `uri` always absolute (`https://api.twilio.com/2010-04-01/...`). A RequestClient
 * subclass that swaps that origin for the configured base (TWILIO_API_BASE) and calls the
 * original request() keeps auth, form encoding and error mapping (RestException) intact:
 *
 *   class BaseUrlRequestClient extends twilio.RequestClient {
 *     constructor(private readonly base: string) { super(); }
 *     override request(opts) {
 *       return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, this.base) });
 *     }
 *   }
 *   const client = twilio(sid, token, { httpClient: new BaseUrlRequestClient(process.env.TWILIO_API_BASE) });
 *
 * The notification service implements the same idea itself; it is kept here, not in src, so the
 * stand-ins package does not depend on twilio at run time.
 */
type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super({ timeout: 5000 });
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, this.base) });
  }
}

t.test('sends a message with a realistic 201 body and records it', async (t) => {
  const tw = await startTwilioStandIn();
  t.teardown(() => tw.close());
  t.match(tw.accountSid, /^AC[0-9a-f]{32}$/);

  const waiting = tw.waitForMessage((m) => m.to === '+79991234567', 2000);
  const res = await send(tw, { To: '+79991234567', From: tw.from, Body: 'Your code: 123456' });
  t.equal(res.status, 201);
  t.match(res.body, {
    sid: /^SM[0-9a-f]{32}$/,
    status: 'queued',
    to: '+79991234567',
    from: tw.from,
    body: 'Your code: 123456',
    account_sid: tw.accountSid,
    num_segments: '1',
    direction: 'outbound-api',
    api_version: '2010-04-01',
    date_created: /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
  });
  t.equal(res.body.uri, `/2010-04-01/Accounts/${tw.accountSid}/Messages/${res.body.sid as string}.json`);
  const recorded = await waiting;
  t.equal(recorded.sid, res.body.sid);
  t.equal(recorded.body, 'Your code: 123456');

  const cyrillic = await send(tw, {
    To: '+79991234567',
    From: tw.from,
    Body: 'Код подтверждения: 123456. '.repeat(3),
  });
  t.equal(cyrillic.body.num_segments, '2', 'UCS-2 messages split at 70 characters');
});

t.test('refuses bad credentials and invalid fields with Twilio error bodies', async (t) => {
  const tw = await startTwilioStandIn({
    accountSid: `AC${'1'.repeat(32)}`,
    authToken: 'secret',
    from: '+15551234567',
  });
  t.teardown(() => tw.close());
  const ok = { To: '+79991234567', From: '+15551234567', Body: 'x' };

  const badAuth = await send(tw, ok, basic(tw.accountSid, 'wrong'));
  t.same(badAuth, {
    status: 401,
    body: {
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    },
  });
  t.equal((await send(tw, ok, {})).status, 401, 'no auth at all');

  const noTo = await send(tw, { From: ok.From, Body: 'x' });
  t.match(noTo, {
    status: 400,
    body: { code: 21604, message: "A 'To' phone number is required.", status: 400 },
  });
  const badTo = await send(tw, { ...ok, To: '89991234567' });
  t.match(badTo, {
    status: 400,
    body: { code: 21211, message: "The 'To' number 89991234567 is not a valid phone number." },
  });
  const noBody = await send(tw, { To: ok.To, From: ok.From });
  t.match(noBody, { status: 400, body: { code: 21602 } });
  const foreignFrom = await send(tw, { ...ok, From: '+15550000000' });
  t.match(foreignFrom, { status: 400, body: { code: 21606 } });
  const otherAccount = await postForm(
    `${tw.url}/2010-04-01/Accounts/AC${'2'.repeat(32)}/Messages.json`,
    ok,
    basic(tw.accountSid, 'secret'),
  );
  t.match(otherAccount, { status: 404, body: { code: 20404 } });
  t.equal(tw.messages.length, 0, 'nothing refused was recorded');
});

t.test('failNext answers Twilio-shaped 5xx/429, then recovers', async (t) => {
  const tw = await startTwilioStandIn();
  t.teardown(() => tw.close());
  const fields = { To: '+79991234567', From: tw.from, Body: 'x' };
  tw.failNext(1);
  tw.failNext(1, 429);
  const first = await send(tw, fields);
  t.same(first, {
    status: 500,
    body: {
      code: 20500,
      message: 'Internal Server Error',
      more_info: 'https://www.twilio.com/docs/errors/20500',
      status: 500,
    },
  });
  t.match(await send(tw, fields), { status: 429, body: { code: 20429, status: 429 } });
  t.equal((await send(tw, fields)).status, 201);
  t.equal(tw.messages.length, 1);
  await t.rejects(
    tw.waitForMessage((m) => m.to === '+70000000000', 50),
    /no matching Twilio message/,
  );
});

t.test('the official twilio client works through a base-rewriting httpClient', async (t) => {
  const tw = await startTwilioStandIn();
  t.teardown(() => tw.close());
  const client = twilio(tw.accountSid, tw.authToken, { httpClient: new BaseUrlRequestClient(tw.url) });

  const message = await client.messages.create({ to: '+79991234567', from: tw.from, body: 'Код: 654321' });
  t.match(message.sid, /^SM[0-9a-f]{32}$/);
  t.equal(message.status, 'queued');
  t.equal(message.numSegments, '1');
  t.equal(tw.messages[0]?.body, 'Код: 654321');
  t.equal(tw.requests[0]?.path, `/2010-04-01/Accounts/${tw.accountSid}/Messages.json`);

  const fetched = await client.messages(message.sid).fetch();
  t.equal(fetched.body, 'Код: 654321');

  // Errors come back as RestException with Twilio's code and status.
  const refused = await client.messages.create({ to: '8999', from: tw.from, body: 'x' }).then(
    () => undefined,
    (err: unknown) => err as { code: number; status: number; message: string },
  );
  t.match(refused, { code: 21211, status: 400 });

  tw.failNext(1, 503);
  const unavailable = await client.messages.create({ to: '+79991234567', from: tw.from, body: 'x' }).then(
    () => undefined,
    (err: unknown) => err as { code: number; status: number },
  );
  t.match(unavailable, { code: 20503, status: 503 });
});
