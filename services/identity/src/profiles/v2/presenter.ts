import type { v2Http } from '@propusk/contracts';

/**
 * Document 003's answers: `{"message", "data"}` on success; on failure the HTTP status and a
 * numeric code travel together as `{"code", "message"}` (DESIGN, 003).
 */
export interface V2Success<D> {
  message: string;
  data: D;
}

export interface V2Failure {
  status: number;
  body: v2Http.Failure;
  /** Seconds to wait, for `Retry-After` on a 429. */
  retryAfterS?: number;
}

export function v2Success<D>(message: string, data: D): V2Success<D> {
  return { message, data };
}

export function v2Failure(status: number, code: number, message: string, retryAfterS?: number): V2Failure {
  return { status, body: { code, message }, ...(retryAfterS === undefined ? {} : { retryAfterS }) };
}

/** `data.token` answers (registration, loginByPassword, code). */
export function tokenData(token: string): { token: string } {
  return { token };
}

/** `data.timeout` answers (verification, loginByPhone, passwordRecovery): seconds until a resend. */
export function timeoutData(timeout: number): { timeout: number } {
  return { timeout };
}
