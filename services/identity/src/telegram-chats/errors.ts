import { PropuskError } from '@propusk/contracts';

/** Postgres unreachable: `unavailable` (503), so the bot can tell an outage from a refusal. */
export function chatStoreUnavailable(): PropuskError {
  return new PropuskError('unavailable', 'telegram chat store unavailable (Postgres unreachable)');
}
