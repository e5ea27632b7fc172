import { createTransport } from 'nodemailer';
import { ChannelError, type Channel } from './channel.js';

export interface EmailChannelOptions {
  /** SMTP_URL (`smtp://` or `smtps://`, may hold credentials). */
  url: string;
  /** MAIL_FROM, e.g. `Propusk <no-reply@example.org>`. */
  from: string;
  timeoutMs: number;
  maxConnections: number;
}

/** Used when a producer gave no subject (the Notification's subject is optional). */
const DEFAULT_SUBJECT = 'Propusk';

/** E-mail through Nodemailer's pooled SMTP transport: `to` is an address. */
export function createEmailChannel(opts: EmailChannelOptions): Channel {
  const transport = createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  return {
    id: 'email',
    provider: 'smtp',
    async send(n) {
      try {
        await transport.sendMail({
          from: opts.from,
          to: n.to,
          subject: n.subject ?? DEFAULT_SUBJECT,
          text: n.text,
          // The notification id names the message, so a resend is recognisable downstream.
          messageId: `<${n.id}@propusk>`,
        });
      } catch (err) {
        throw classifySmtpError(err);
      }
    },
    close: () => transport.close(),
  };
}

/**
 * SMTP reply codes (RFC 5321 §4.2.1): 4yz is a transient failure worth retrying, 5yz is
 * permanent. No reply code means the connection itself failed (refused, timed out, TLS):
 * transient too, as is a failed login, which is the operator's to fix.
 */
export function classifySmtpError(err: unknown): ChannelError {
  const e = err as { responseCode?: unknown; code?: unknown; message?: string };
  const responseCode = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const what = `smtp${responseCode ? ` ${responseCode}` : ''}${typeof e?.code === 'string' ? ` ${e.code}` : ''}: ${e?.message ?? String(err)}`;
  if (responseCode === undefined || e.code === 'EAUTH') return new ChannelError(what, true);
  return new ChannelError(what, responseCode < 500);
}
