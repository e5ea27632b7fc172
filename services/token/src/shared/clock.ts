/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** RFC 7519 NumericDate: whole seconds since the epoch. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}

/**
 * Leeway for clock differences between machines when checking `exp` and `iat`
 * (RFC 7519 §4.1.4: "implementers MAY provide for some small leeway ... a few minutes");
 * kept small because access tokens are short-lived.
 */
export const CLOCK_SKEW_S = 30;
