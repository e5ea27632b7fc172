// Reachability of the three servers the suite needs, with the command that starts each
// (DEVELOPERS.md). Plain Node, no dependencies: it runs before `pnpm install`.
import net from 'node:net';

const HOW_TO_START = {
  Postgres:
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose -f docker-compose.yml -f infra/compose.dev.yml up -d postgres)',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no   (or: docker compose -f docker-compose.yml -f infra/compose.dev.yml up -d redis)',
  NATS: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server   (or: docker compose -f docker-compose.yml -f infra/compose.dev.yml up -d nats)',
};

export const DEFAULTS = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/propusk',
  REDIS_URL: 'redis://127.0.0.1:6379',
  NATS_URL: 'nats://127.0.0.1:4222',
};

function endpoint(raw, defaultPort) {
  // redis+cluster:// and redis+sentinel:// list several hosts (kit's redis-url.ts): probe the first.
  const url = new URL(raw.replace(/^([a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?[^,/]*)[^/]*/i, '$1'));
  const port = url.port || (url.protocol === 'redis+sentinel:' ? 26379 : defaultPort);
  return { host: url.hostname || '127.0.0.1', port: Number(port) };
}

export function probe({ host, port }, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** NATS_URL is one server or a comma-separated list (a cluster's): every one of them. */
function natsEndpoints(raw) {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => endpoint(s, 4222));
}

/** Reachable when any one of `eps` answers (a cluster serves with some of its servers down). */
async function probeAny(eps) {
  return (await Promise.all(eps.map((ep) => probe(ep)))).some(Boolean);
}

/** Answers the list of unreachable servers, each with how to start it. */
export async function checkInfra(env) {
  const targets = [
    ['Postgres', [endpoint(env.DATABASE_URL || DEFAULTS.DATABASE_URL, 5432)]],
    ['Redis', [endpoint(env.REDIS_URL || DEFAULTS.REDIS_URL, 6379)]],
    ['NATS', natsEndpoints(env.NATS_URL || DEFAULTS.NATS_URL)],
  ];
  const results = await Promise.all(targets.map(async ([name, eps]) => [name, eps, await probeAny(eps)]));
  return results
    .filter(([, , ok]) => !ok)
    .map(([name, eps]) => ({
      name,
      address: eps.map((ep) => `${ep.host}:${ep.port}`).join(', '),
      howToStart: HOW_TO_START[name],
    }));
}

export function describeMissing(missing) {
  return missing
    .map((m) => `${m.name} is not reachable at ${m.address}. Start it with:\n    ${m.howToStart}`)
    .join('\n');
}
