import { SERVICE_NAMES, ops } from '@propusk/contracts';
import type { Runtime } from '@propusk/kit';

/** The gateway is ready when every service answers its NATS ping as ready. */
export function addServiceChecks(rt: Runtime): void {
  for (const service of SERVICE_NAMES) {
    rt.readiness[service] = async () => {
      const pong = await rt.client.call(ops.ping[service], {}, { timeoutMs: 1000 });
      if (!pong.ready) {
        const failing = Object.entries(pong.checks)
          .filter(([, ok]) => !ok)
          .map(([name]) => name);
        throw new Error(`${service} not ready: ${failing.join(', ')}`);
      }
    };
  }
}
