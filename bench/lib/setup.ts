import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootSuite, freePort, type Suite } from '@propusk/testkit';
import { namespace, tokenId, tokenOps } from '../../packages/contracts/src/index.js';
import { createRpcClient, type NatsHandle, type RpcClient } from '../../packages/kit/src/index.js';
import { PROCESSES } from '../../scripts/lib/supervisor.mjs';
import type { VerifiedToken } from '../../gateway/src/auth/identity.js';
import { createUsers } from '../../test/e2e/helpers/accounts.js';
import { connectBenchNats } from './nats.js';
import { ROOT, spawnTs, waitReady, type Server } from './procs.js';

export const BENCH_USER = { username: 'bench-drf', password: 'Bench-passw0rd-for-load!' };
const SERVICES = PROCESSES.filter((p) => p.name !== 'gateway').map((p) => p.name);

export interface Bench {
  suite: Suite;
  env: Record<string, string>;
  nats: NatsHandle;
  rpc: RpcClient;
  /** The gateway of the suite, a second gateway (revocation), and the bench's own servers. */
  gateway: Server;
  gateway2: Server;
  noauth: Server;
  tokenService: string;
  bareOrigin: Server;
  bareProxy: Server;
  echo: Server;
  /** Every process to watch (RSS), by name. */
  processes(): Array<{ name: string; pid: number | undefined }>;
  /** A drf token of BENCH_USER and what the gateway verifies it as. */
  drf: { token: string; identity: VerifiedToken };
  /** A document 002 access token (for /validate/jwt/access). */
  authorizationAccess: string;
  /** Where --cpu-prof profiles go, when one process is profiled. */
  profileDir: string | undefined;
}

export interface SetupOptions {
  logLevel: string;
  /** A process of the suite to run with --cpu-prof. */
  cpuProf?: string;
  profileDir: string;
  log(msg: string): void;
}

/**
 * One suite process spawned by the bench itself, as the supervisor spawns it (`node --import tsx
 * src/main.ts` in its folder), so that it can carry its own flags: --cpu-prof is refused in
 * NODE_OPTIONS.
 */
async function startSuiteProcess(
  name: string,
  env: Record<string, string>,
  port: string,
  execArgv: string[] = [],
): Promise<Server> {
  const proc = PROCESSES.find((p) => p.name === name);
  if (!proc) throw new Error(`no suite process named ${name}`);
  const server = spawnTs(
    name,
    'src/main.ts',
    [],
    { ...process.env, ...env, [proc.portVar]: port },
    `http://127.0.0.1:${port}`,
    { execArgv, dir: join(ROOT, proc.dir) },
  );
  await waitReady(server);
  return server;
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** drf login through the gateway (document 004): answers the token. */
export async function drfLogin(gatewayUrl: string): Promise<string> {
  const r = await json(`${gatewayUrl}/api/v1/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_USER),
  });
  const token = (r.body as { data?: { token?: string } }).data?.token;
  if (r.status !== 200 || !token) throw new Error(`drf login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return token;
}

/**
 * Boots the five services (bootSuite: fresh database, namespace, stand-ins), then the gateway and
 * a second gateway (spawned here so either can be profiled), the bench's own servers, and seeds
 * an account (through identity's domain, as `authctl users create` does) and its tokens.
 */
export async function setupBench(opts: SetupOptions, onSuite: (suite: Suite) => void): Promise<Bench> {
  const profileDir = opts.cpuProf ? opts.profileDir : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // No --cpu-prof-name: tsx's loader thread writes a profile of its own, which would overwrite it.
  const prof = (name: string) =>
    name === opts.cpuProf && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];

  opts.log(`booting the services${opts.cpuProf ? ` (${opts.cpuProf} under --cpu-prof)` : ''}`);
  const suite = await bootSuite({
    env: { LOG_LEVEL: opts.logLevel },
    only: SERVICES.filter((s) => s !== opts.cpuProf),
  });
  onSuite(suite);
  const env = { ...suite.env };
  const extra: Server[] = [];
  if (opts.cpuProf && SERVICES.includes(opts.cpuProf)) {
    const proc = PROCESSES.find((p) => p.name === opts.cpuProf);
    if (!proc) throw new Error(`--cpu-prof: no process named ${opts.cpuProf}`);
    extra.push(await startSuiteProcess(proc.name, env, env[proc.portVar] as string, prof(proc.name)));
  }
  const gateway = await startSuiteProcess('gateway', env, env.GATEWAY_PORT as string, prof('gateway'));
  const gateway2 = await startSuiteProcess('gateway', env, String(await freePort()));
  gateway2.name = 'gateway-2';

  const nats = await connectBenchNats(env.NATS_URL ?? 'nats://127.0.0.1:4222', 'bench');
  const rpc = createRpcClient(nats.nc, namespace(env.PROPUSK_NAMESPACE), { timeoutMs: 10_000 });

  opts.log('seeding an account and its tokens');
  await createUsers(suite.databaseUrl, [{ ...BENCH_USER }]);
  const token = await drfLogin(gateway.url);
  const seen = await rpc.call(tokenOps.introspect, { token });
  if (!seen.active || !seen.sub || !seen.exp)
    throw new Error('the fresh drf token does not introspect active');
  const identity: VerifiedToken = {
    subject: seen.sub,
    username: seen.username ?? BENCH_USER.username,
    profile: 'drf',
    tokenId: tokenId(token),
    roles: seen.roles ?? [],
    expiresAtMs: seen.exp * 1000,
  };
  const pair = await rpc.call(tokenOps.issueAuthorization, {
    accountId: seen.sub,
    userName: BENCH_USER.username,
    roles: [],
  });

  opts.log(
    'starting the comparison servers (gateway with auth constant, bare Fastify, bare proxy, NATS echo)',
  );
  const noauthPort = String(await freePort());
  const noauth = spawnTs(
    'gateway-noauth',
    join(ROOT, 'bench/noauth/main.ts'),
    [],
    {
      ...process.env,
      ...env,
      GATEWAY_PORT: noauthPort,
      BENCH_NOAUTH_IDENTITY: JSON.stringify(identity),
    },
    `http://127.0.0.1:${noauthPort}`,
    { dir: join(ROOT, 'gateway'), execArgv: prof('gateway-noauth') },
  );
  const originPort = String(await freePort());
  const bareOrigin = spawnTs(
    'bare-fastify',
    'bench/bare.ts',
    ['origin', originPort],
    process.env,
    `http://127.0.0.1:${originPort}`,
  );
  const proxyPort = String(await freePort());
  const bareProxy = spawnTs(
    'bare-proxy',
    'bench/bare.ts',
    ['proxy', proxyPort, bareOrigin.url],
    process.env,
    `http://127.0.0.1:${proxyPort}`,
  );
  const echo = spawnTs(
    'nats-echo',
    'bench/nats-echo.ts',
    [env.NATS_URL ?? 'nats://127.0.0.1:4222', env.PROPUSK_NAMESPACE ?? ''],
    process.env,
    '',
  );
  await Promise.all([waitReady(noauth), waitReady(bareOrigin), waitReady(bareProxy)]);
  // The echo responder has no HTTP: give it a moment to subscribe (its first answer is checked later).
  await new Promise((r) => setTimeout(r, 500));

  const mine = [gateway, gateway2, ...extra, noauth, bareOrigin, bareProxy, echo];
  return {
    suite,
    env,
    nats,
    rpc,
    gateway,
    gateway2,
    noauth,
    tokenService: `http://127.0.0.1:${env.TOKEN_PORT}`,
    bareOrigin,
    bareProxy,
    echo,
    processes: () => [
      ...suite.handles.map((h) => ({ name: h.proc.name, pid: h.child.pid })),
      ...mine.map((s) => ({ name: s.name, pid: s.child.pid })),
    ],
    drf: { token, identity },
    authorizationAccess: pair.access,
    profileDir,
  };
}
