/**
 * Runs a call to a store the rules depend on (Redis counters, pending records); any failure of it
 * refuses the step with `refusal()` rather than skipping the rule (fail closed; DESIGN "Security
 * baseline").
 */
export async function failClosed<T>(call: () => Promise<T>, refusal: () => Error): Promise<T> {
  try {
    return await call();
  } catch {
    throw refusal();
  }
}
