import { Writable } from 'node:stream';
// The root package does not depend on kit or contracts by name (yet): their sources, directly.
import { namespace, tokenOps } from '../../../packages/contracts/src/index.js';
import { connectNats, createLogger, createRpcClient } from '../../../packages/kit/src/index.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const silentLog = createLogger({
  service: 'e2e',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

/**
 * RFC 7009 revocation as an internal service asks for it (DESIGN: "for internal services, also
 * over NATS"): `tokenOps.revoke` in the booted suite's namespace. Answers `revoked`.
 */
export async function revokeToken(
  suiteEnv: Readonly<Record<string, string>>,
  token: string,
): Promise<boolean> {
  const nats = await connectNats(suiteEnv.NATS_URL ?? NATS_URL, 'e2e-revoke', silentLog);
  try {
    const client = createRpcClient(nats.nc, namespace(suiteEnv.PROPUSK_NAMESPACE), { timeoutMs: 10_000 });
    const { revoked } = await client.call(tokenOps.revoke, { token });
    return revoked;
  } finally {
    await nats.drain();
  }
}
