import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports handed out by any test process on this machine, one file each holding the pid that
 * took it. Test files run side by side: two of them asking the OS for a free port can be given
 * the same one, closed a moment ago, and then one suite's gateway talks to the other suite's
 * service (it answered 401 to everything: the other suite's INTERNAL_SECRET). A port stays taken
 * while the pid that took it lives; a dead pid's files are stale and taken over.
 */
const CLAIMS = join(tmpdir(), 'propusk-test-ports');
const ATTEMPTS = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `port` for this process; false when a living process (this one included) holds it. */
export function claimPort(port: number): boolean {
  mkdirSync(CLAIMS, { recursive: true });
  const file = join(CLAIMS, String(port));
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSync(file, 'utf8'));
    // Handed out to this process before: a port is given once.
    if (holder === process.pid || (holder > 0 && alive(holder))) return false;
    try {
      unlinkSync(file);
    } catch {
      // Another process took over the stale claim first: try again, the write decides.
    }
  }
  return false;
}

/** A port the OS says is free on 127.0.0.1 right now. */
function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A port free on 127.0.0.1 right now (the OS picks it), and handed out to no other living test
 * process (see CLAIMS).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = await osFreePort();
    if (claimPort(port)) return port;
  }
  throw new Error(`no free port unclaimed by another test process in ${ATTEMPTS} tries`);
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports free on 127.0.0.1 right now, for processes that take a
 * base port and count up from it (the stand-ins of `npm start -- --stand-ins`).
 */
export async function freePortRange(count: number, tries = 50): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = (await isFree(p)) && claimPort(p);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in ${tries} tries`);
}
