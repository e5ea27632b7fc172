import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';

/** Anything the stand-ins record can be awaited by tests with a predicate. */
export type Predicate<T> = (item: T) => boolean;

/**
 * Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`.
 * Generic on purpose: service tests use it for "eventually" assertions on their own state too.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 2000,
  what = 'condition',
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * An append-only list whose waiters are woken on push, so `waitForMessage` resolves as soon as
 * the stand-in records the item instead of polling. Items recorded before the wait also count.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<{ predicate: Predicate<T>; resolve: (item: T) => void }>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (!waiter.predicate(item)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(item);
    }
  }

  waitFor(predicate: Predicate<T> = () => true, timeoutMs = 2000, what = 'message'): Promise<T> {
    const found = this.items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching ${what} within ${timeoutMs} ms (recorded: ${this.items.length})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  clear(): void {
    this.items.length = 0;
  }
}

/** "Fail the next n calls" counter shared by the fault-injection hooks. */
export class FailureQueue<T> {
  private pending: T[] = [];

  add(n: number, failure: T): void {
    for (let i = 0; i < n; i += 1) this.pending.push(failure);
  }

  /** Takes the next queued failure, if any. */
  take(): T | undefined {
    return this.pending.shift();
  }

  clear(): void {
    this.pending = [];
  }
}

/**
 * Requests held open on purpose (outage 'timeout'). They are hijacked from Fastify so it never
 * answers them; close() destroys their sockets so nothing keeps the process alive.
 */
export class HeldRequests {
  private readonly held = new Set<FastifyReply['raw']>();

  hold(reply: FastifyReply): FastifyReply {
    reply.hijack();
    const raw = reply.raw;
    this.held.add(raw);
    raw.on('close', () => this.held.delete(raw));
    return reply;
  }

  releaseAll(): void {
    for (const raw of this.held) raw.destroy();
    this.held.clear();
  }
}

/** A Fastify app configured the same way for every HTTP stand-in. */
export async function createApp(): Promise<FastifyInstance> {
  // forceCloseConnections: close() must not wait for keep-alive sockets of clients (grammY, axios).
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(formbody);
  // Clients send `content-type: application/json` with an empty body on some calls; real
  // providers do not mind, so neither do we.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (err) {
      (err as Error & { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });
  return app;
}

/** Every stand-in can be asked for a fixed port (`npm start -- --stand-ins`); tests take a free one. */
export interface ListenOptions {
  /** Loopback port to listen on; 0 or absent: a free one. */
  port?: number;
}

/** Listens on a loopback port (a free one unless given) and answers the base URL (no trailing slash). */
export async function listenLocal(app: FastifyInstance, port = 0): Promise<string> {
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** PKCE S256 transform (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
export function isValidVerifier(verifier: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
}

/** Parses `Authorization: Basic …` into user and password, or undefined when absent or broken. */
export function parseBasicAuth(header: string | undefined): { user: string; pass: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: OAuth clients form-urlencode id and secret before Basic encoding.
  return { user: safeDecode(decoded.slice(0, colon)), pass: safeDecode(decoded.slice(colon + 1)) };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** Flattens a parsed form/JSON/query object into string values (first value of arrays). */
export function stringFields(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (input === null || typeof input !== 'object') return out;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const first = Array.isArray(value) ? (value[0] as unknown) : value;
    if (first === undefined || first === null) continue;
    out[key] = typeof first === 'string' ? first : String(first);
  }
  return out;
}
