// The provider stand-ins as a process of their own, for trying Propusk without accounts at
// Telegram, Twilio, an SMTP server, VK, Yandex or Mail.ru (`npm start -- --stand-ins`). Each
// stand-in listens on a fixed loopback port from STAND_INS_PORT (default 8090; see all.ts), and
// every message a user would receive is printed here, so the codes can be read off the log.
//
// What was printed can also be read at `GET http://127.0.0.1:<STAND_INS_PORT>/messages`
// (`?to=<chat id, phone or e-mail>`), newest last, for scripts such as the README's walk-through.
//
// The first line on stdout is `PROPUSK_STAND_INS_ENV=<json>`: the settings that point the suite
// at these stand-ins (scripts/start.mjs passes them on to every process).
import { createServer, type Server } from 'node:http';
import { startAllStandIns, type AllStandIns } from './all.js';
import type { SmtpMessage } from './smtp.js';
import type { TelegramSentMessage } from './telegram.js';
import type { TwilioMessage } from './twilio.js';
import type { Predicate } from './util.js';

const ENV_LINE_PREFIX = 'PROPUSK_STAND_INS_ENV=';
const DEFAULT_BASE_PORT = 8090;
/** Recorder waits are bounded; the printer simply waits again. */
const WAIT_MS = 60_000;

function basePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_BASE_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_528) {
    throw new Error(`STAND_INS_PORT must be a port number (1–65528), got "${raw}"`);
  }
  return port;
}

/** Prints each new item of a recorder as it arrives, until `stopped()` answers true. */
async function printEach<T>(
  waitFor: (predicate: Predicate<T>, timeoutMs: number) => Promise<T>,
  describe: (item: T) => string,
  stopped: () => boolean,
): Promise<void> {
  const printed = new Set<T>();
  while (!stopped()) {
    const item = await waitFor((m) => !printed.has(m), WAIT_MS).catch(() => undefined);
    if (item === undefined) continue;
    printed.add(item);
    process.stdout.write(`${describe(item)}\n`);
  }
}

/** A message as a user received it, on any channel. */
interface Received {
  channel: 'telegram' | 'sms' | 'e-mail';
  to: string;
  text: string;
}

/** Prints every message the stand-ins receive and keeps it in `inbox`. */
function collectMessages(all: AllStandIns, inbox: Received[], stopped: () => boolean): void {
  const keep = (m: Received) => {
    inbox.push(m);
    return `${m.channel} → ${m.to}: ${m.text}`;
  };
  void printEach<TelegramSentMessage>(
    (p, ms) => all.telegram.waitForMessage(p, ms),
    (m) => keep({ channel: 'telegram', to: String(m.chat_id), text: m.text }),
    stopped,
  );
  void printEach<TwilioMessage>(
    (p, ms) => all.twilio.waitForMessage(p, ms),
    (m) => keep({ channel: 'sms', to: m.to, text: m.body }),
    stopped,
  );
  void printEach<SmtpMessage>(
    (p, ms) => all.smtp.waitForMessage(p, ms),
    (m) => keep({ channel: 'e-mail', to: m.to.join(', '), text: `${m.subject}\n${m.text.trim()}` }),
    stopped,
  );
}

/** `GET /messages[?to=…]`: what the stand-ins received, as JSON, newest last. */
function serveInbox(inbox: readonly Received[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-ins');
    if (req.method !== 'GET' || url.pathname !== '/messages') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found: GET /messages"}');
      return;
    }
    const to = url.searchParams.get('to');
    const list = to === null ? inbox : inbox.filter((m) => m.to.split(', ').includes(to));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function main(): Promise<void> {
  const base = basePort(process.env.STAND_INS_PORT);
  const all = await startAllStandIns({ basePort: base });
  const inbox: Received[] = [];
  const inboxServer = await serveInbox(inbox, base);
  let stopping = false;
  process.stdout.write(`${ENV_LINE_PREFIX}${JSON.stringify(all.env)}\n`);
  process.stdout.write(
    `stand-ins: Telegram ${all.telegram.url}, Twilio ${all.twilio.url}, SMTP ${all.smtp.url}, ` +
      `VK ID ${all.vk.url}, Yandex ${all.yandex.oauthBaseUrl}, Mail.ru ${all.mailru.url}; ` +
      `messages received: http://127.0.0.1:${base}/messages\n`,
  );
  collectMessages(all, inbox, () => stopping);
  const stop = () => {
    if (stopping) return;
    stopping = true;
    inboxServer.close();
    void all.closeAll().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => {
  console.error(`stand-ins failed to start: ${err.message}`);
  process.exit(1);
});
