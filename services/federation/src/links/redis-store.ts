import { PropuskError } from '@propusk/contracts';
import type { RedisClient } from '@propusk/kit';
import { PROVIDER_PATHS, type ProviderId } from '../providers/provider.js';
import type { CodeBinding, LinkStore, PendingState } from './store.js';

/**
 * `oauth:state:<sha256(state)>` → JSON {provider, verifier, browser}; `oauth:code:<sha256(code)>`
 * → JSON {provider, verifier, state, browser, deviceId?} (`browser`: the binding cookie's hash);
 * both with EX, written NX and never rewritten (so a peek's GET and a later GETDEL see the same
 * record), taken with GETDEL (Redis 6.2: read and delete in one step, so only one caller ever
 * gets a record). kit's client adds the namespace prefix `propusk:<ns>:`.
 */
export function stateKey(id: string): string {
  return `oauth:state:${id}`;
}

export function codeKey(id: string): string {
  return `oauth:code:${id}`;
}

/** Any Redis failure becomes `unavailable` (503): kit's client fails fast while Redis is down. */
async function redisCall<T>(what: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch {
    throw new PropuskError('unavailable', `redis: ${what} failed`);
  }
}

function isProvider(value: unknown): value is ProviderId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROVIDER_PATHS, value);
}

function parse(raw: string | null): Record<string, unknown> | undefined {
  if (raw === null) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A corrupt record is no record: the state or code is simply unknown. */
function parseState(raw: string | null): PendingState | undefined {
  const v = parse(raw);
  if (!v || !isProvider(v.provider) || typeof v.verifier !== 'string' || typeof v.browser !== 'string') {
    return undefined;
  }
  return { provider: v.provider, verifier: v.verifier, browser: v.browser };
}

function parseBinding(raw: string | null): CodeBinding | undefined {
  const v = parse(raw);
  if (
    !v ||
    !isProvider(v.provider) ||
    typeof v.verifier !== 'string' ||
    typeof v.state !== 'string' ||
    typeof v.browser !== 'string'
  ) {
    return undefined;
  }
  const binding: CodeBinding = {
    provider: v.provider,
    verifier: v.verifier,
    state: v.state,
    browser: v.browser,
  };
  if (typeof v.deviceId === 'string') binding.deviceId = v.deviceId;
  return binding;
}

export function createRedisLinkStore(redis: RedisClient): LinkStore {
  return {
    async putState(id, state, ttlS) {
      const ok = await redisCall('state put', () =>
        redis.set(stateKey(id), JSON.stringify(state), 'EX', ttlS, 'NX'),
      );
      return ok === 'OK';
    },
    async peekState(id) {
      return parseState(await redisCall('state peek', () => redis.get(stateKey(id))));
    },
    async takeState(id) {
      return parseState(await redisCall('state take', () => redis.getdel(stateKey(id))));
    },
    async putCode(id, binding, ttlS) {
      const ok = await redisCall('code put', () =>
        redis.set(codeKey(id), JSON.stringify(binding), 'EX', ttlS, 'NX'),
      );
      return ok === 'OK';
    },
    async peekCode(id) {
      return parseBinding(await redisCall('code peek', () => redis.get(codeKey(id))));
    },
    async takeCode(id) {
      return parseBinding(await redisCall('code take', () => redis.getdel(codeKey(id))));
    },
  };
}
