import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth: passwords, codes, tokens,
 * secrets and credentials. Matching is on the key name, case-insensitive.
 */
const SECRET_KEY =
  /pass(word)?|^code$|otp|token|secret|authorization|cookie|^access$|^refresh$|verifier|private|api[-_]?key|credential/i;
const MAX_DEPTH = 6;

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'boolean'
        ? '[redacted]'
        : redactSecrets(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  service: string;
  level?: string;
  destination?: DestinationStream;
}

export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Deep redaction: pino's path-based `redact` cannot reach arbitrary depth, and
      // request bodies carry secrets at varying depths.
      formatters: { log: (obj) => redactSecrets(obj) as Record<string, unknown> },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    destination,
  );
}
