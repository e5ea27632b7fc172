import type { CodePurpose, verificationOps } from '@propusk/contracts';
import { failClosed, type Logger, type NotificationPublisher } from '@propusk/kit';
import {
  attemptsLimited,
  codeInvalid,
  noFreeCode,
  notQueued,
  resendTooSoon,
  sendLimited,
  storeUnavailable,
  subjectRequired,
} from './errors.js';
import { NO_CODE_EVENTS, type CodeEvents } from '../events/port.js';
import { failedForPurposeKey, failedFromIpKey, sentFromIpKey, sentToKey, type CodeSlot } from './keys.js';
import { codeMessage } from './messages.js';
import type { PurposePolicies } from './purposes.js';
import type { CodeService } from './service.js';
import type { CodeStore, ConsumeOutcome, CounterLimit } from './store.js';

export interface CodeLimits {
  /** Seconds between two codes for one purpose + subject (document 003's `data.timeout`). */
  readonly resendS: number;
  /** Wrong codes per purpose + subject, across resends; at the limit the code is dead. */
  readonly maxAttempts: number;
  readonly sendsPerDestination: number;
  readonly sendsPerIp: number;
  /** The window of both send limits. */
  readonly sendWindowS: number;
  readonly checkFailuresPerIp: number;
  /**
   * Code-only purposes: wrong codes from all clients together. Once spent, it refuses only
   * addresses that requested no live code of the purpose (see `checkCounters`).
   */
  readonly lookupFailuresPerPurpose: number;
  readonly checkWindowS: number;
}

export type IssueRequest = verificationOps.IssueRequest;
export type CheckRequest = verificationOps.CheckRequest;

/** The request a call serves: its id travels with the message, its logger carries it. */
export interface FlowContext {
  readonly requestId?: string | undefined;
  readonly log: Logger;
}

export interface VerificationFlow {
  /**
   * Issues a code and answers only once its message is durably queued (DESIGN: a code request
   * never answers 200 unless its message is queued). Refusals: `code_resend_too_soon`,
   * `code_attempts_limited` (the subject's wrong tries are used up until its last code expires),
   * `code_send_limited`; `unavailable` when Redis or JetStream cannot take it, in which case
   * nothing of the attempt remains (no code, no cooldown, no send counted).
   */
  issue(req: IssueRequest, ctx: FlowContext): Promise<{ expiresIn: number; resendAfter: number }>;
  /**
   * Checks and consumes a code: the subject it proves. `code_invalid` for anything but a live
   * right code; `code_attempts_limited` when this IP (or, for code-only lookups, the purpose as a
   * whole, unless this IP requested a live code of it) made too many wrong tries; `unavailable`
   * without Redis (fail closed).
   */
  check(req: CheckRequest, ctx: FlowContext): Promise<{ subject: string }>;
}

/** A code just stored, and how to take it back. */
interface StoredCode {
  readonly code: string;
  withdraw(): Promise<void>;
}

/** Draws per issue before giving up on finding a code no live code of the purpose holds. */
const MAX_DRAWS = 8;
/** contracts' Notification.requestId is at most this long. */
const REQUEST_ID_MAX = 128;

/**
 * The purpose-wide budget as a requester of a live code meets it: counted, never refusing. A
 * number, not a missing counter, so the requester's failures still spend the budget of the others.
 */
const UNCAPPED = Number.MAX_SAFE_INTEGER;

/** Runs a store call; any failure of the store refuses the request rather than skipping a rule. */
const guarded = <T>(call: () => Promise<T>): Promise<T> => failClosed(call, storeUnavailable);

export function createVerificationFlow(deps: {
  store: CodeStore;
  codes: CodeService;
  publisher: Pick<NotificationPublisher, 'publish'>;
  policies: PurposePolicies;
  limits: CodeLimits;
  /** Reports issued, verified and refused codes (domain events and metrics). */
  events?: CodeEvents;
  /** Milliseconds since the epoch; injected so tests can move time. */
  clock?: () => number;
}): VerificationFlow {
  const { store, codes, publisher, policies, limits } = deps;
  const events = deps.events ?? NO_CODE_EVENTS;
  const clock = deps.clock ?? Date.now;

  function sendCounters(req: IssueRequest): CounterLimit[] {
    const counters = [
      { key: sentToKey(codes.destinationId(req.channel, req.to)), limit: limits.sendsPerDestination },
    ];
    if (req.ip) counters.push({ key: sentFromIpKey(req.ip), limit: limits.sendsPerIp });
    return counters;
  }

  /** Stores a fresh code in the slot, drawing again while it collides with a live one. */
  async function storeFreshCode(req: IssueRequest, slot: CodeSlot): Promise<StoredCode> {
    const policy = policies[req.purpose];
    const sends = sendCounters(req);
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const code = codes.generate();
      const outcome = await guarded(() =>
        store.issue({
          slot,
          record: {
            digest: codes.digest(req.purpose, req.subject, code),
            subject: req.subject,
            expiresAt: clock() + policy.ttlS * 1000,
          },
          lookup: policy.lookup === 'code' ? codes.lookupDigest(req.purpose, code) : undefined,
          ttlMs: policy.ttlS * 1000,
          cooldownMs: limits.resendS * 1000,
          maxAttempts: limits.maxAttempts,
          sends,
          sendWindowMs: limits.sendWindowS * 1000,
        }),
      );
      switch (outcome.kind) {
        case 'issued':
          return { code, withdraw: outcome.withdraw };
        case 'cooldown':
          throw resendTooSoon(outcome.retryAfterMs);
        case 'attempts-exhausted':
          throw attemptsLimited(outcome.retryAfterMs);
        case 'send-limited':
          throw sendLimited(outcome.retryAfterMs);
        case 'collision':
          continue;
      }
    }
    throw noFreeCode();
  }

  /**
   * The failure counters a check takes. A code-only guess is tried against every live code of
   * the purpose at once, so the purpose as a whole has a ceiling too (many IPs cannot share out
   * a million guesses). But anyone with enough addresses can spend that ceiling, and it must not
   * lock the staff out of registering (issue 15; OWASP ASVS 5.0 V6.3: an attacker-triggered
   * lockout must leave the owner's own way in): an address that requested a live code of the
   * purpose (the staff member asks for the code and types it from the same place, document 000)
   * is held to its own per-IP budget only (its failures still count against the purpose). The
   * mark lasts the code's lifetime even when the code is used sooner: it lifts no per-IP limit.
   * An attacker who requests codes from his addresses too gains nothing beyond those addresses'
   * per-IP budgets (CODE_CHECK_FAILURES_PER_IP a window while the code lives), and each address
   * costs him a code request, which is limited on its own (an allowlisted username with a
   * linked chat, sends per chat and per IP in the hour) and tells the staff member by Telegram
   * that someone at that address chose a password. So the cap on guessing bends by a bounded,
   * visible amount; without the exemption a few addresses disable every staff registration.
   */
  function checkCounters(
    purpose: CodePurpose,
    byCodeAlone: boolean,
    ip: string | undefined,
    requester: boolean,
  ): CounterLimit[] {
    const counters: CounterLimit[] = [];
    if (ip) counters.push({ key: failedFromIpKey(ip), limit: limits.checkFailuresPerIp });
    if (byCodeAlone) {
      const limit = requester ? UNCAPPED : limits.lookupFailuresPerPurpose;
      counters.push({ key: failedForPurposeKey(purpose), limit });
    }
    return counters;
  }

  /**
   * Code-only purposes: marks the requesting address for as long as its code lives (see
   * `checkCounters`). Best effort, after the message is queued: the code is out and the caller
   * must hear so; a lost mark only takes the requester's exemption from the purpose-wide budget.
   */
  async function markRequester(req: IssueRequest, ctx: FlowContext): Promise<void> {
    const policy = policies[req.purpose];
    if (policy.lookup !== 'code' || !req.ip) return;
    await store.recordRequester(req.purpose, req.ip, policy.ttlS * 1000).catch((err: unknown) => {
      ctx.log.warn({ purpose: req.purpose, err: (err as Error).message }, 'code requester not recorded');
    });
  }

  /** Whether a code-only check comes from an address that requested a live code of the purpose. */
  async function fromRequester(req: CheckRequest, byCodeAlone: boolean): Promise<boolean> {
    const ip = req.ip;
    if (!byCodeAlone || !ip) return false;
    return guarded(() => store.isRequester(req.purpose, ip));
  }

  /** Queues the code's message; when JetStream does not take it, withdraws the code (`unavailable`). */
  async function deliver(req: IssueRequest, issued: StoredCode, ctx: FlowContext): Promise<void> {
    const message = codeMessage(req.purpose, issued.code, policies[req.purpose].ttlS, {
      at: clock(),
      ip: req.ip,
    });
    try {
      await publisher.publish({
        channel: req.channel,
        to: req.to,
        text: message.text,
        subject: message.subject,
        kind: req.purpose,
        requestId: ctx.requestId?.slice(0, REQUEST_ID_MAX),
      });
    } catch (err) {
      // Nobody received this code: withdraw it with its cooldown and sends, so the caller can
      // retry at once and nothing half-done remains.
      await issued.withdraw().catch((withdrawErr: unknown) => {
        ctx.log.error(
          { purpose: req.purpose, err: (withdrawErr as Error).message },
          'unqueued code not withdrawn',
        );
      });
      ctx.log.warn(
        { purpose: req.purpose, channel: req.channel, err: (err as Error).message },
        'code not queued',
      );
      throw notQueued();
    }
  }

  /** Consumes the code in its slot: the named subject's, or the one the code's lookup digest names. */
  async function consume(req: CheckRequest): Promise<ConsumeOutcome> {
    const subject =
      req.subject ??
      (await guarded(() => store.findSubject(req.purpose, codes.lookupDigest(req.purpose, req.code))));
    if (subject === undefined) return { kind: 'none' };
    return guarded(() =>
      store.consume({
        slot: { purpose: req.purpose, subjectId: codes.subjectId(subject) },
        digest: codes.digest(req.purpose, subject, req.code),
        now: clock(),
        maxAttempts: limits.maxAttempts,
      }),
    );
  }

  return {
    async issue(req, ctx) {
      const slot = { purpose: req.purpose, subjectId: codes.subjectId(req.subject) };
      await deliver(req, await storeFreshCode(req, slot), ctx);
      await markRequester(req, ctx);
      ctx.log.info({ purpose: req.purpose, channel: req.channel }, 'code queued');
      events.issued({ purpose: req.purpose, channel: req.channel, requestId: ctx.requestId });
      return { expiresIn: policies[req.purpose].ttlS, resendAfter: limits.resendS };
    },

    async check(req, ctx) {
      if (req.subject === undefined && policies[req.purpose].lookup !== 'code')
        throw subjectRequired(req.purpose);
      const byCodeAlone = req.subject === undefined;
      const requester = await fromRequester(req, byCodeAlone);
      const counters = checkCounters(req.purpose, byCodeAlone, req.ip, requester);
      if (counters.length) {
        const taken = await guarded(() => store.take(counters, limits.checkWindowS * 1000));
        if (!taken.allowed) {
          events.failed({ purpose: req.purpose, reason: 'attempts_limited', requestId: ctx.requestId });
          throw attemptsLimited(taken.retryAfterMs);
        }
      }
      const outcome = await consume(req);
      if (outcome.kind !== 'consumed') {
        ctx.log.info({ purpose: req.purpose, outcome: outcome.kind }, 'code refused');
        events.failed({ purpose: req.purpose, reason: 'invalid', requestId: ctx.requestId });
        throw codeInvalid();
      }
      // A right code is not a failure: the counters taken up front are given back (best
      // effort: the code is already used, the caller must hear its success).
      await store.giveBack(counters.map((c) => c.key)).catch(() => {
        ctx.log.warn({ purpose: req.purpose }, 'check counters not given back');
      });
      events.verified({ purpose: req.purpose, requestId: ctx.requestId });
      return { subject: outcome.subject };
    },
  };
}
