import twilio from 'twilio';
import { ChannelError, type Channel } from './channel.js';

export interface SmsChannelOptions {
  accountSid: string;
  authToken: string;
  from: string;
  /** TWILIO_API_BASE: where `https://api.twilio.com` requests really go. */
  apiBase: string;
  timeoutMs: number;
}

type RequestOptions<T> = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0] & { data?: T };

const TWILIO_ORIGIN = /^https:\/\/api\.twilio\.com/;

/**
 * twilio-node's `edge`/`region` only rewrite the host inside *.twilio.com (DESIGN, "Facts about
 * the outside services"); every request passes through `httpClient.request` with an absolute
 * `https://api.twilio.com/...` uri, so swapping that origin reaches any configured base while
 * auth, form encoding and RestException mapping stay twilio-node's own.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: string,
    timeoutMs: number,
  ) {
    // autoRetry stays off: retries belong to the delivery loop, which knows the attempt count.
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override request<T>(opts: RequestOptions<T>) {
    return super.request<T>({ ...opts, uri: opts.uri.replace(TWILIO_ORIGIN, this.base) });
  }
}

/** SMS through Twilio's Messages API: `to` is an E.164 phone number. */
export function createSmsChannel(opts: SmsChannelOptions): Channel {
  const client = twilio(opts.accountSid, opts.authToken, {
    httpClient: new BaseUrlRequestClient(opts.apiBase, opts.timeoutMs),
  });
  return {
    id: 'sms',
    provider: 'twilio',
    async send(n) {
      try {
        await client.messages.create({ to: n.to, from: opts.from, body: n.text });
      } catch (err) {
        throw classifyTwilioError(err);
      }
    },
  };
}

/**
 * Twilio answers RestException with the HTTP status and its own error code
 * (https://www.twilio.com/docs/api/errors): 429 and 5xx are transient, 401 is a credentials
 * problem an operator fixes (retried until the bound), other 4xx such as 21211 (invalid "To")
 * or 21610 (unsubscribed recipient) stay wrong. No status at all means the network failed.
 */
export function classifyTwilioError(err: unknown): ChannelError {
  const e = err as { status?: unknown; code?: unknown; message?: string };
  if (typeof e?.status === 'number') {
    const what = `twilio ${e.status}${typeof e.code === 'number' ? ` (${e.code})` : ''}: ${e.message ?? ''}`;
    return new ChannelError(what, e.status === 429 || e.status === 401 || e.status >= 500);
  }
  return new ChannelError(`twilio unreachable: ${e?.message ?? String(err)}`, true);
}
