/**
 * The three forms of REDIS_URL (README, "Configuration"):
 * - `redis://[user:password@]host:port[/db]` (or `rediss://`): one server, as ioredis reads it;
 * - `redis+cluster://[user:password@]host1:port1,host2:port2,...`: seed nodes of a Redis Cluster
 *   (ioredis `Cluster` learns the other nodes from them: https://github.com/redis/ioredis#cluster);
 * - `redis+sentinel://[user:password@]host1:26379,host2:26379/<master-name>[/db]`: Sentinels that
 *   name the master (ioredis `sentinels` + `name`: https://github.com/redis/ioredis#sentinel).
 * Several hosts make no WHATWG URL, so the two multi-host forms are read here by hand. The
 * credentials are the Redis servers' (AUTH); Sentinels are reached without them.
 */
export interface RedisHost {
  readonly host: string;
  readonly port: number;
}

interface Credentials {
  readonly username?: string;
  readonly password?: string;
}

export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | ({ readonly kind: 'cluster'; readonly nodes: readonly RedisHost[] } & Credentials)
  | ({
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisHost[];
      readonly name: string;
      readonly db: number;
    } & Credentials);

const MULTI_HOST = /^(redis\+cluster|redis\+sentinel):\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;
const DEFAULT_PORT = { cluster: 6379, sentinel: 26379 } as const;

/** The reason a value is refused; it never repeats the value (it may hold a password). */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

function parseHosts(list: string, defaultPort: number): RedisHost[] {
  if (list === '') throw new RedisUrlError('names no host');
  return list.split(',').map((item) => {
    const m = HOST_PORT.exec(item.trim());
    const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
    if (!m?.[1] || port < 1 || port > 65535)
      throw new RedisUrlError('must list hosts as host:port separated by commas');
    return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
  });
}

function parseCredentials(userinfo: string | undefined): Credentials {
  if (!userinfo) return {};
  const colon = userinfo.indexOf(':');
  const [user, password] =
    colon < 0 ? [userinfo, undefined] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  return {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
}

function parseDb(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,2}$/.test(raw)) throw new RedisUrlError('has a database number that is not a whole number');
  return Number(raw);
}

function parseSingle(raw: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RedisUrlError('must be a URL: redis://, rediss://, redis+cluster:// or redis+sentinel://');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new RedisUrlError(
      `must use redis, rediss, redis+cluster or redis+sentinel, got ${url.protocol.replace(/:$/, '')}`,
    );
  parseDb(url.pathname.replace(/^\//, ''));
  return { kind: 'single', url: raw };
}

/** Reads REDIS_URL; throws RedisUrlError with the reason for a value of none of the three forms. */
export function parseRedisUrl(raw: string): RedisTarget {
  const m = MULTI_HOST.exec(raw);
  if (!m) return parseSingle(raw);
  const [, scheme, userinfo, hosts = '', path = ''] = m;
  const credentials = parseCredentials(userinfo);
  if (scheme === 'redis+cluster') {
    // A cluster serves database 0 only (https://redis.io/docs/latest/commands/select/).
    if (path !== '' && path !== '/') throw new RedisUrlError('of a cluster takes no path (database 0 only)');
    return { kind: 'cluster', nodes: parseHosts(hosts, DEFAULT_PORT.cluster), ...credentials };
  }
  const [, name = '', db, ...rest] = path.split('/');
  if (name === '' || rest.length > 0)
    throw new RedisUrlError('of Sentinel must end with /<master-name> (optionally /<db>)');
  return {
    kind: 'sentinel',
    sentinels: parseHosts(hosts, DEFAULT_PORT.sentinel),
    name: decodeURIComponent(name),
    db: parseDb(db),
    ...credentials,
  };
}

/** For config (kit settings' REDIS_URL): refuses a value of none of the three forms. */
export function checkRedisUrl(raw: string): void {
  parseRedisUrl(raw);
}
