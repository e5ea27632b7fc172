import { randomUUID } from 'node:crypto';
import {
  headers as natsHeaders,
  RequestError,
  TimeoutError,
  NoRespondersError,
  type Msg,
  type Subscription,
} from '@nats-io/nats-core';
import {
  HEADERS,
  PropuskError,
  errorFromWire,
  issues,
  queueGroup,
  replyEnvelope,
  rpcSubject,
  validate,
  type Namespace,
  type RpcContract,
  type RpcReply,
  type RpcRequest,
  type RpcResponse,
} from '@propusk/contracts';
import type { NatsConnection } from './nats.js';
import type { Logger } from './logger.js';
import { rpcMetrics } from './metrics.js';
import { currentRequestId, withRequestId } from './request-context.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface RpcContext {
  requestId: string;
  log: Logger;
}

export type RpcHandler<C extends RpcContract> = (
  req: RpcRequest<C>,
  ctx: RpcContext,
) => Promise<RpcResponse<C>>;

export interface RpcServer {
  /** Serves one operation in the service's queue group (N replicas share the load). */
  handle<C extends RpcContract>(contract: C, handler: RpcHandler<C>): void;
  /** Stops taking requests and waits for the ones in flight. */
  drain(): Promise<void>;
  inFlight(): number;
}

function encodeReply(reply: RpcReply<unknown>): Uint8Array {
  return encoder.encode(JSON.stringify(reply));
}

function parseJson(data: Uint8Array): unknown {
  if (data.length === 0) return {};
  return JSON.parse(decoder.decode(data));
}

function requestIdOf(msg: Msg): string {
  return msg.headers?.get(HEADERS.requestId) || randomUUID();
}

export function createRpcServer(nc: NatsConnection, ns: Namespace, log: Logger): RpcServer {
  const subs: Subscription[] = [];
  let inFlight = 0;
  let idle: (() => void) | undefined;

  async function answer<C extends RpcContract>(contract: C, handler: RpcHandler<C>, msg: Msg): Promise<void> {
    const requestId = requestIdOf(msg);
    const reqLog = log.child({ reqId: requestId, op: `${contract.service}.${contract.op}` });
    const stop = rpcMetrics.serverDuration.startTimer({ op: `${contract.service}.${contract.op}` });
    let reply: RpcReply<unknown>;
    try {
      let body: unknown;
      try {
        body = parseJson(msg.data);
      } catch {
        throw new PropuskError('invalid_request', 'request body is not JSON');
      }
      if (!validate(contract.request, body)) {
        throw new PropuskError('invalid_request', 'request does not match its schema', {
          issues: issues(contract.request, body),
        });
      }
      const data = await withRequestId(requestId, () =>
        handler(body as RpcRequest<C>, { requestId, log: reqLog }),
      );
      reply = { ok: true, data };
    } catch (err) {
      if (err instanceof PropuskError) {
        reply = { ok: false, error: err.toWire() };
      } else {
        reqLog.error({ err }, 'rpc handler failed');
        reply = { ok: false, error: new PropuskError('internal').toWire() };
      }
    }
    const outcome = reply.ok ? 'ok' : reply.error.code;
    const seconds = stop({ outcome });
    // One line per answered request, like kit's HTTP request line, so a request id can be
    // followed across hops; readiness pings are left out as HTTP probes are.
    if (contract.op !== 'ping') reqLog.info({ outcome, ms: Math.round(seconds * 1000) }, 'rpc');
    if (msg.reply) msg.respond(encodeReply(reply));
  }

  return {
    handle(contract, handler) {
      const subject = rpcSubject(ns, contract.service, contract.op);
      const sub = nc.subscribe(subject, {
        queue: queueGroup(contract.service),
        callback: (err, msg) => {
          if (err) {
            log.error({ err, subject }, 'rpc subscription error');
            return;
          }
          inFlight++;
          void answer(contract, handler, msg).finally(() => {
            inFlight--;
            if (inFlight === 0 && idle) idle();
          });
        },
      });
      subs.push(sub);
    },
    async drain() {
      await Promise.allSettled(subs.map((s) => s.drain()));
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
    },
    inFlight: () => inFlight,
  };
}

export interface CallOptions {
  requestId?: string;
  timeoutMs?: number;
}

export interface RpcClient {
  /** Calls an operation; answers its validated reply or throws a typed PropuskError. */
  call<C extends RpcContract>(contract: C, req: RpcRequest<C>, opts?: CallOptions): Promise<RpcResponse<C>>;
}

function transportError(err: unknown, contract: RpcContract): PropuskError {
  const what = `${contract.service}.${contract.op}`;
  if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
    return new PropuskError('unavailable', `no ${contract.service} service is answering (${what})`);
  }
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
    return new PropuskError('timeout', `${what} did not answer in time`);
  }
  return new PropuskError('unavailable', `${what}: ${(err as Error)?.message ?? 'request failed'}`);
}

export function createRpcClient(
  nc: NatsConnection,
  ns: Namespace,
  defaults: { timeoutMs: number },
): RpcClient {
  return {
    async call(contract, req, opts = {}) {
      const what = `${contract.service}.${contract.op}`;
      if (!validate(contract.request, req)) {
        throw new PropuskError('invalid_request', `${what}: request does not match its schema`, {
          issues: issues(contract.request, req),
        });
      }
      const h = natsHeaders();
      h.set(HEADERS.requestId, opts.requestId ?? currentRequestId() ?? randomUUID());
      const stop = rpcMetrics.clientDuration.startTimer({ op: what });
      let msg: Msg;
      try {
        msg = await nc.request(
          rpcSubject(ns, contract.service, contract.op),
          encoder.encode(JSON.stringify(req)),
          {
            timeout: opts.timeoutMs ?? defaults.timeoutMs,
            headers: h,
          },
        );
      } catch (err) {
        const e = transportError(err, contract);
        stop({ outcome: e.code });
        throw e;
      }
      let reply: unknown;
      try {
        reply = parseJson(msg.data);
      } catch {
        reply = undefined;
      }
      const envelope = replyEnvelope(contract.response);
      if (!validate(envelope, reply)) {
        stop({ outcome: 'invalid_reply' });
        throw new PropuskError('invalid_reply', `${what} answered a reply that does not match its schema`, {
          issues: issues(envelope, reply),
        });
      }
      const r = reply as RpcReply<RpcResponse<typeof contract>>;
      stop({ outcome: r.ok ? 'ok' : r.error.code });
      if (!r.ok) throw errorFromWire(r.error);
      return r.data;
    },
  };
}
