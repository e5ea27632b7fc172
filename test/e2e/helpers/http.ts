/** Small HTTP helpers for the end-to-end tests: every answer as status, headers and parsed JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** The answer's JSON, or undefined when it is none (an HTML error page, an empty body). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  opts: { json?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: jsonOf(text), text };
}

export const post = (base: string, path: string, opts: Parameters<typeof call>[3] = {}) =>
  call(base, 'POST', path, opts);
export const get = (base: string, path: string, opts: Parameters<typeof call>[3] = {}) =>
  call(base, 'GET', path, opts);

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
