import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface NatsNode {
  readonly name: string;
  /** nats://127.0.0.1:<client port> */
  readonly url: string;
  readonly monitorUrl: string;
  /** SIGKILL (a crash): resolves once the process exited. */
  kill(): Promise<void>;
}

export interface NatsClusterServer {
  /** Every node's client URL, comma-separated: NATS_URL's list form. */
  readonly url: string;
  readonly nodes: readonly NatsNode[];
  /** Kills every node and removes their JetStream stores. */
  dispose(): Promise<void>;
}

/** The monitoring endpoint's JetStream report (https://docs.nats.io/running-a-nats-service/nats_admin/monitoring#jetstream-information). */
interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
}

/** True once this node knows a JetStream meta leader of a group of `size` servers. */
async function hasMetaLeader(monitorUrl: string, size: number): Promise<boolean> {
  const res = await fetch(`${monitorUrl}/jsz`);
  if (!res.ok) return false;
  const jsz = (await res.json()) as Jsz;
  return Boolean(jsz.meta_cluster?.leader) && jsz.meta_cluster?.cluster_size === size;
}

/**
 * A NATS cluster with JetStream on loopback from the machine's binary (clustering:
 * https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering):
 * `size` servers with distinct names, each routing to the others, each with its own store in a
 * temporary directory. Answered once every node reports a JetStream meta leader (the cluster
 * can place replicated streams from then on). One per test file: it takes a few seconds.
 *
 * A port found free may be taken before a server binds it (another test, or an outgoing
 * connection's ephemeral port): a node that exits while the cluster forms makes it start over
 * on fresh ports, up to three times.
 */
export async function startNatsCluster({ size = 3 } = {}): Promise<NatsClusterServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await tryStartNatsCluster(size);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function tryStartNatsCluster(size: number): Promise<NatsClusterServer> {
  const dir = mkdtempSync(join(tmpdir(), 'propusk-nats-cluster-'));
  const children: ChildProcess[] = [];
  const dispose = async () => {
    await Promise.all(children.map(killChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = await Promise.all(
      Array.from({ length: size }, async () => ({
        client: await freePort(),
        route: await freePort(),
        monitor: await freePort(),
      })),
    );
    const stderr: string[] = [];
    const nodes = ports.map((p, i): NatsNode => {
      const name = `n${i + 1}`;
      const routes = ports
        .filter((_, j) => j !== i)
        .map((o) => `nats://127.0.0.1:${o.route}`)
        .join(',');
      const child = spawn(
        NATS_SERVER,
        [
          ...['-a', '127.0.0.1', '-p', String(p.client), '-m', String(p.monitor), '-n', name],
          ...['-js', '-sd', join(dir, name), '--cluster_name', 'propusk-test'],
          ...['--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes],
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr?.on('data', (d: Buffer) => stderr.push(`${name}: ${d.toString().trim()}`));
      children.push(child);
      return {
        name,
        url: `nats://127.0.0.1:${p.client}`,
        monitorUrl: `http://127.0.0.1:${p.monitor}`,
        kill: () => killChild(child),
      };
    });
    const exited = () => children.some((c) => c.exitCode !== null || c.signalCode !== null);
    const formed = async () =>
      (await Promise.all(nodes.map((n) => hasMetaLeader(n.monitorUrl, size).catch(() => false)))).every(
        Boolean,
      );
    const deadline = Date.now() + 30_000;
    while (!(await formed())) {
      if (exited() || Date.now() > deadline) {
        const why = exited() ? 'a node exited' : 'no JetStream meta leader within 30 s';
        throw new Error(`NATS cluster did not form (${why}): ${stderr.slice(-5).join(' | ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url: nodes.map((n) => n.url).join(','), nodes, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
