import { PropuskError } from '@propusk/contracts';

/** Postgres unreachable: `unavailable` (503) rather than an answer that the name is not listed. */
export function staffStoreUnavailable(): PropuskError {
  return new PropuskError('unavailable', 'staff allowlist unavailable (Postgres unreachable)');
}
