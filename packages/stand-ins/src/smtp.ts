import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import PostalMime, { type Address } from 'postal-mime';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { FailureQueue, Recorder, type ListenOptions, type Predicate } from './util.js';

/**
 * SMTP sink: accepts every message (with or without AUTH, no TLS), parses it with postal-mime
 * and records it. Point Nodemailer at `sink.url` (`smtp://127.0.0.1:PORT`).
 */

export interface SmtpMessage {
  envelopeFrom: string;
  envelopeTo: string[];
  /** Address of the From header ('' when absent); the display name is in fromName. */
  from: string;
  fromName: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
  /** The user name given to AUTH, if the client authenticated. */
  authUser: string | undefined;
  raw: string;
}

export interface SmtpFailure {
  /** SMTP reply code for the DATA command; 451 (temporary) by default, 5xx for permanent. */
  code?: number;
  message?: string;
}

export interface SmtpSink {
  url: string;
  host: string;
  port: number;
  messages: SmtpMessage[];
  waitForMessage(predicate?: Predicate<SmtpMessage>, timeoutMs?: number): Promise<SmtpMessage>;
  /** The next n DATA commands are answered with an SMTP error instead of 250. */
  failNext(n: number, failure?: SmtpFailure): void;
  close(): Promise<void>;
}

export async function startSmtpSink(options: ListenOptions = {}): Promise<SmtpSink> {
  const log = new Recorder<SmtpMessage>();
  const failures = new FailureQueue<SmtpFailure>();

  async function receive(stream: Readable, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const failure = failures.take();
    if (failure) {
      const code = failure.code ?? 451;
      const err = new Error(
        failure.message ??
          (code >= 500 ? '5.3.0 Rejected by the stand-in' : '4.3.0 Temporary failure (stand-in)'),
      );
      (err as Error & { responseCode: number }).responseCode = code;
      throw err;
    }
    const raw = Buffer.concat(chunks);
    log.push(await toMessage(raw, session));
  }

  const server = new SMTPServer({
    secure: false,
    // No TLS at all: Nodemailer would otherwise try STARTTLS against a self-signed certificate.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    banner: 'Propusk SMTP sink',
    logger: false,
    // A client that keeps its connection (pooling) must not delay close() by 30 s.
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(),
        (err: Error) => callback(err),
      );
    },
  });
  // Client disconnects surface as 'error'; a sink shrugs them off rather than crash the test.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    messages: log.items,
    waitForMessage: (predicate, timeoutMs) => log.waitFor(predicate, timeoutMs, 'e-mail'),
    failNext: (n, failure = {}) => failures.add(n, failure),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function toMessage(raw: Buffer, session: SMTPServerSession): Promise<SmtpMessage> {
  const email = await PostalMime.parse(raw);
  const from = firstMailbox(email.from);
  const headers: Record<string, string> = {};
  for (const header of email.headers) headers[header.key] = header.value;
  const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
  return {
    envelopeFrom,
    envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    from: from?.address ?? '',
    fromName: from?.name ?? '',
    to: (email.to ?? []).flatMap(mailboxAddresses),
    subject: email.subject ?? '',
    text: email.text ?? '',
    html: email.html ?? '',
    messageId: email.messageId ?? '',
    headers,
    authUser: typeof session.user === 'string' ? session.user : undefined,
    raw: raw.toString('utf8'),
  };
}

function firstMailbox(address: Address | undefined): { name: string; address: string } | undefined {
  if (!address) return undefined;
  if (address.group) return address.group[0];
  return { name: address.name, address: address.address };
}

function mailboxAddresses(address: Address): string[] {
  return address.group ? address.group.map((m) => m.address) : [address.address];
}
