// The consumer rides out a NATS restart: a private nats-server (the real binary, JetStream on
// disk) is killed and started again; a notification published afterwards is still delivered.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from '@propusk/testkit';
import { startHarness } from './fixtures/notification.js';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

function startNats(port: number, dir: string): ChildProcess {
  return spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
}

async function listening(port: number): Promise<boolean> {
  const r = await fetch(`http://127.0.0.1:${port}`).catch((e: Error) => e);
  return !(r instanceof Error && /ECONNREFUSED/.test(String(r.cause)));
}

t.test('delivery continues after NATS was killed and restarted', async (t) => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'propusk-notify-nats-'));
  let nats = startNats(port, dir);
  t.teardown(() => {
    nats.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await eventually(() => listening(port), 5000, 50);
  const h = await startHarness({
    natsUrl: `nats://127.0.0.1:${port}`,
    env: { NOTIFY_ACK_WAIT_MS: '5000', NOTIFY_SEND_TIMEOUT_MS: '4000' },
  });
  t.teardown(() => h.close());
  const ready = async () => (await fetch(`${h.replicas[0]!.url}/readyz`)).status;

  await h.publisher.publish({ channel: 'telegram', to: '1', text: 'before', kind: 'test' });
  await h.telegram.waitForMessage((m) => m.text === 'before', 10_000);

  nats.kill('SIGKILL');
  await eventually(async () => (await ready()) === 503, 10_000);
  nats = startNats(port, dir);
  await eventually(async () => (await ready()) === 200, 15_000);

  // The publisher's connection reconnects too; retry until JetStream answers again (one id:
  // a retried publish is no second message).
  const id = randomUUID();
  await eventually(
    async () =>
      Boolean(await h.publisher.publish({ id, channel: 'telegram', to: '2', text: 'after', kind: 'test' })),
    15_000,
    250,
  );
  const after = await h.telegram.waitForMessage((m) => m.text === 'after', 30_000);
  t.equal(after.chat_id, 2);
  // SIGKILL may cost the server the ack of "before" (its file store syncs periodically): it is
  // redelivered after ack_wait, and the sent marker keeps it from going out a second time.
  await eventually(async () => (await h.notifyStreamDepth()) === 0, 20_000);
  t.equal(h.telegram.sent.filter((m) => m.text === 'after').length, 1, 'delivered once');
  t.equal(h.telegram.sent.filter((m) => m.text === 'before').length, 1, 'nothing sent twice');
  t.equal(h.replicas[0]!.runtime.nats.isConnected(), true);
});
