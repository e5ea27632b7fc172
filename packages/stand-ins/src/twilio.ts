import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  createApp,
  FailureQueue,
  listenLocal,
  type ListenOptions,
  parseBasicAuth,
  randomHex,
  Recorder,
  stringFields,
  type Predicate,
} from './util.js';

/**
 * Twilio Messages API stand-in: `POST {url}/2010-04-01/Accounts/{sid}/Messages.json` with basic
 * auth `sid:token` and form fields To, From, Body; answers Twilio-shaped bodies and errors.
 */

export interface TwilioStandInOptions extends ListenOptions {
  /** Defaults to a realistic random "AC" + 32 hex. */
  accountSid?: string;
  authToken?: string;
  /** The account's sending number; a different From is refused like Twilio does (21606). */
  from?: string;
}

export interface TwilioMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  dateCreated: string;
  numSegments: number;
  /** The raw form fields as received. */
  params: Record<string, string>;
}

export interface TwilioStandIn {
  url: string;
  accountSid: string;
  authToken: string;
  from: string;
  messages: TwilioMessage[];
  requests: { method: string; path: string; params: Record<string, string> }[];
  waitForMessage(predicate?: Predicate<TwilioMessage>, timeoutMs?: number): Promise<TwilioMessage>;
  /** The next n Messages POSTs answer this HTTP status with a Twilio error body (default 500). */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

const API_VERSION = '2010-04-01';
const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_BODY = 1600;

/** Twilio error codes for HTTP-level failures injected with failNext. */
const HTTP_ERRORS: Record<number, { code: number; message: string }> = {
  429: { code: 20429, message: 'Too Many Requests' },
  500: { code: 20500, message: 'Internal Server Error' },
  502: { code: 20502, message: 'Bad Gateway' },
  503: { code: 20503, message: 'Service Unavailable' },
};

export async function startTwilioStandIn(options: TwilioStandInOptions = {}): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${randomHex(16)}`;
  const authToken = options.authToken ?? randomHex(16);
  const from = options.from ?? '+15005550006';
  const log = new Recorder<TwilioMessage>();
  const requests: TwilioStandIn['requests'] = [];
  const failures = new FailureQueue<number>();

  function twilioError(reply: FastifyReply, status: number, code: number, message: string) {
    return reply
      .code(status)
      .send({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  }

  /** Twilio authenticates before it looks at the resource; an account mismatch is a 404. */
  function checkAuth(request: FastifyRequest<{ Params: { sid: string } }>, reply: FastifyReply): boolean {
    const auth = parseBasicAuth(request.headers.authorization);
    if (!auth || auth.user !== accountSid || auth.pass !== authToken) {
      twilioError(reply, 401, 20003, 'Authenticate');
      return false;
    }
    if (request.params.sid !== accountSid) {
      twilioError(reply, 404, 20404, `The requested resource ${request.url.split('?')[0]} was not found`);
      return false;
    }
    return true;
  }

  /** Answers the first validation error Twilio would report, or undefined. */
  function validate(params: Record<string, string>): { code: number; message: string } | undefined {
    const to = params.To;
    if (!to) return { code: 21604, message: "A 'To' phone number is required." };
    if (!E164.test(to)) return { code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
    if (!params.From && !params.MessagingServiceSid)
      return { code: 21603, message: "A 'From' phone number is required." };
    if (params.From && params.From !== from) {
      return {
        code: 21606,
        message: `The From phone number ${params.From} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      };
    }
    const body = params.Body;
    if (!body) return { code: 21602, message: 'Message body is required.' };
    if (body.length > MAX_BODY)
      return { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
    return undefined;
  }

  function messageResource(message: TwilioMessage, messagingServiceSid: string | null) {
    const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}.json`;
    return {
      account_sid: message.accountSid,
      api_version: API_VERSION,
      body: message.body,
      date_created: message.dateCreated,
      date_sent: null,
      date_updated: message.dateCreated,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.from,
      messaging_service_sid: messagingServiceSid,
      num_media: '0',
      num_segments: String(message.numSegments),
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: 'queued',
      subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
      to: message.to,
      uri,
    };
  }

  async function createMessage(request: FastifyRequest<{ Params: { sid: string } }>, reply: FastifyReply) {
    const params = stringFields(request.body);
    requests.push({ method: request.method, path: request.url, params });
    if (!checkAuth(request, reply)) return reply;
    const injected = failures.take();
    if (injected !== undefined) {
      const known = HTTP_ERRORS[injected] ?? { code: 20000 + injected, message: 'Error' };
      return twilioError(reply, injected, known.code, known.message);
    }
    const invalid = validate(params);
    if (invalid) return twilioError(reply, 400, invalid.code, invalid.message);
    const message: TwilioMessage = {
      sid: `SM${randomHex(16)}`,
      accountSid,
      to: params.To ?? '',
      from: params.From ?? from,
      body: params.Body ?? '',
      dateCreated: rfc2822(new Date()),
      numSegments: countSegments(params.Body ?? ''),
      params,
    };
    log.push(message);
    return reply.code(201).send(messageResource(message, params.MessagingServiceSid ?? null));
  }

  async function fetchMessage(
    request: FastifyRequest<{ Params: { sid: string; messageSid: string } }>,
    reply: FastifyReply,
  ) {
    requests.push({ method: request.method, path: request.url, params: {} });
    if (!checkAuth(request, reply)) return reply;
    const message = log.items.find((m) => m.sid === request.params.messageSid);
    if (!message)
      return twilioError(reply, 404, 20404, `The requested resource ${request.url} was not found`);
    return reply.send(messageResource(message, message.params.MessagingServiceSid ?? null));
  }

  const app = await createApp();
  app.post(`/${API_VERSION}/Accounts/:sid/Messages.json`, createMessage);
  app.get(`/${API_VERSION}/Accounts/:sid/Messages/:messageSid.json`, fetchMessage);
  app.setNotFoundHandler((request, reply) =>
    twilioError(reply, 404, 20404, `The requested resource ${request.url.split('?')[0]} was not found`),
  );
  const url = await listenLocal(app, options.port);

  return {
    url,
    accountSid,
    authToken,
    from,
    messages: log.items,
    requests,
    waitForMessage: (predicate, timeoutMs) => log.waitFor(predicate, timeoutMs, 'Twilio message'),
    failNext: (n, status = 500) => failures.add(n, status),
    close: () => app.close(),
  };
}

/** Twilio's date format: "Thu, 24 Aug 2023 05:01:45 +0000". */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/**
 * Segment count as Twilio bills it: GSM-7 fits 160 (153 per part), anything else (Cyrillic!)
 * is UCS-2 with 70 (67 per part). The GSM test is approximated by printable ASCII.
 */
function countSegments(body: string): number {
  const gsm = /^[\x20-\x7e\r\n]*$/.test(body);
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  const length = [...body].length;
  return length <= single ? 1 : Math.ceil(length / part);
}
