import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, served at /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const httpMetrics = {
  duration: new Histogram({
    name: 'propusk_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
};

export const rpcMetrics = {
  serverDuration: new Histogram({
    name: 'propusk_rpc_server_duration_seconds',
    help: 'Time to answer a NATS request, by operation and outcome',
    labelNames: ['op', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  clientDuration: new Histogram({
    name: 'propusk_rpc_client_duration_seconds',
    help: 'NATS request latency seen by the caller, by operation and outcome',
    labelNames: ['op', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
};

/**
 * A counter in the process's registry. Asking twice for one name answers the same counter
 * (several services may run in one test process, and wiring may run again), so long as the
 * labels agree; different labels under one name are a programming error.
 */
export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) {
    const known = (existing as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    if (!(existing instanceof Counter) || known.join() !== labelNames.join()) {
      throw new Error(`metric ${name} is registered already with other labels or type`);
    }
    return existing;
  }
  return new Counter({ name, help, labelNames, registers: [registry] });
}
