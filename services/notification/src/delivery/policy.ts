import type { ChannelError } from '../channels/channel.js';

/** How often and how patiently one notification is retried. */
export interface RetryPolicy {
  /** NOTIFY_MAX_DELIVERIES: the delivery after which a failure dead-letters the message. */
  readonly maxDeliveries: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export type Decision = { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: string };

/**
 * Exponential backoff with "equal jitter": the delay doubles per delivery up to the cap, and
 * half of it is random so messages that failed together (a provider outage) do not all come
 * back in the same instant (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function backoffDelay(deliveryCount: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.max(0, deliveryCount - 1);
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(exponent, 40));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * What to do after a failed send on delivery number `deliveryCount` (1 for the first):
 * a permanent failure is dead-lettered at once; a retryable one comes back after the
 * provider's retry_after when it gave one (exactly, it knows best), else after the backoff,
 * until the last allowed delivery, whose failure is dead-lettered.
 */
export function decideOnFailure(
  err: ChannelError,
  deliveryCount: number,
  policy: RetryPolicy,
  random: () => number,
): Decision {
  if (!err.retryable) return { action: 'dead-letter', reason: `permanent failure: ${err.message}` };
  if (deliveryCount >= policy.maxDeliveries) {
    return { action: 'dead-letter', reason: `gave up after ${deliveryCount} deliveries: ${err.message}` };
  }
  return { action: 'retry', delayMs: err.retryAfterMs ?? backoffDelay(deliveryCount, policy, random) };
}
