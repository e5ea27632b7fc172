import { codeRejected, providerUnavailable, tokenInvalid } from './errors.js';
import type { ProviderId } from './provider.js';

/** One request to a provider. Form fields go urlencoded (RFC 6749 §4.1.3). */
export interface ProviderRequest {
  method: 'GET' | 'POST';
  url: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface ProviderAnswer {
  status: number;
  /** The answer's JSON object (anything else was refused already). */
  body: Record<string, unknown>;
}

export type ProviderFetch = (request: ProviderRequest) => Promise<ProviderAnswer>;

/** Answers of providers are small; a larger body is not one of theirs. */
const MAX_BODY_CHARS = 64 * 1024;

/**
 * Calls a provider with a deadline for the whole exchange, headers and body
 * (AbortSignal.timeout), so a provider that hangs costs at most `timeoutMs`. Network failures,
 * 5xx and bodies that are not a JSON object become `provider_unavailable` (502); a 4xx or an
 * error object is left to `refusal` below, as providers differ in how they report them.
 */
export function createProviderFetch(id: ProviderId, timeoutMs: number): ProviderFetch {
  return async function providerFetch(request) {
    let status: number;
    let text: string;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: {
          accept: 'application/json',
          ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...request.headers,
        },
        ...(request.form ? { body: new URLSearchParams(request.form).toString() } : {}),
        // A provider's API never redirects; following one could send the form elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      const name = (err as Error | undefined)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw providerUnavailable(id, `did not answer within ${timeoutMs} ms`);
      }
      throw providerUnavailable(id, 'is unreachable');
    }
    if (status >= 500) throw providerUnavailable(id, `failed (HTTP ${status})`);
    if (status >= 300 && status < 400) throw providerUnavailable(id, `answered a redirect (HTTP ${status})`);
    if (text.length > MAX_BODY_CHARS) throw providerUnavailable(id, 'answered an oversized body');
    const body = parseObject(text);
    if (!body) throw providerUnavailable(id, `answered a body that is not JSON (HTTP ${status})`);
    return { status, body };
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The OAuth `error` name of an answer (RFC 6749 §5.2), when it looks like one. */
export function oauthError(body: Record<string, unknown>): string | undefined {
  const error = body.error;
  if (typeof error !== 'string' || error === '') return undefined;
  // Only a short token is repeated in our messages; anything else is just "an error".
  return /^[a-z0-9_.-]{1,64}$/i.test(error) ? error : 'error';
}

/**
 * Throws when the answer is a refusal. VK ID and Mail.ru report some errors with HTTP 200,
 * so the body's `error` counts whatever the status. What the client can fix maps to a 4xx:
 * a refused code (invalid_grant) when exchanging, a refused token (invalid_token) when reading
 * user info. Everything else (invalid_client: our credentials; server_error; an unexplained
 * 4xx) is the provider's or our configuration's fault: 502.
 */
export function refusal(id: ProviderId, answer: ProviderAnswer, context: 'code' | 'token'): void {
  const error = oauthError(answer.body);
  if (error === undefined && answer.status >= 200 && answer.status < 300) return;
  if (context === 'code' && error === 'invalid_grant') throw codeRejected(id, error);
  if (context === 'token' && error === 'invalid_token') throw tokenInvalid(id);
  if (error !== undefined) throw providerUnavailable(id, `answered the error ${error}`);
  throw providerUnavailable(id, `answered HTTP ${answer.status}`);
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before the Basic encoding. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
