import { counter } from '@propusk/kit';

/** Token checks by profile and outcome (verified, missing, invalid, unavailable), on /metrics. */
export const tokenChecks = counter(
  'propusk_gateway_token_checks_total',
  'Access-token checks at the gateway, by profile and outcome',
  ['profile', 'outcome'],
);
