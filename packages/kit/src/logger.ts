import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import { isDescribedConfig, loadConfig } from './config.js';
import { CORE_SETTINGS } from './settings.js';

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth: passwords, codes, tokens,
 * secrets and credentials. Matching is on the key name, case-insensitive. A config dump
 * (`describeConfig`) is exempt: each setting's declared `secret` flag has redacted it already.
 */
const SECRET_KEY =
  /pass(word)?|^code$|otp|token|secret|authorization|cookie|^access$|^refresh$|verifier|private|api[-_]?key|credential/i;
const MAX_DEPTH = 6;

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error || isDescribedConfig(value)) return value;
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

/** How log lines are written: one JSON object per line, or pino-pretty's coloured lines. */
export type LogFormat = 'json' | 'pretty';

export interface LogFormatInputs {
  /** Whether the process's stdout is a terminal. */
  isTTY: boolean;
  /** NODE_ENV (validated: development, production or test). */
  nodeEnv: string;
  /** LOG_FORMAT: `auto` decides by the two above; `pretty` or `json` decide alone. */
  requested: string;
}

/**
 * Pretty lines for a developer at a terminal; JSON everywhere else — a pipe, a file, a log
 * collector, the tests — and always in production and test, where something reads the lines.
 * LOG_FORMAT overrides: a supervisor that pipes its children's output to a terminal (so they
 * see no TTY) passes `pretty`.
 */
export function logFormat({ isTTY, nodeEnv, requested }: LogFormatInputs): LogFormat {
  if (requested === 'pretty' || requested === 'json') return requested;
  return isTTY && nodeEnv === 'development' ? 'pretty' : 'json';
}

/** This process's format, from its stdout and the environment (validated by CORE_SETTINGS). */
function processLogFormat(): LogFormat {
  const { NODE_ENV, LOG_FORMAT } = loadConfig({
    NODE_ENV: CORE_SETTINGS.NODE_ENV,
    LOG_FORMAT: CORE_SETTINGS.LOG_FORMAT,
  });
  return logFormat({ isTTY: process.stdout.isTTY === true, nodeEnv: NODE_ENV, requested: LOG_FORMAT });
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

/**
 * pino-pretty, loaded only when a terminal asks for it (it is CommonJS, and JSON processes
 * never need it). Synchronous, so the last lines before an exit are not lost.
 */
function prettyDestination(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  return pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    messageFormat: '[{service}] {msg}',
  });
}

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; by default stdout, as `logFormat` decides for this process. */
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
    destination ?? (processLogFormat() === 'pretty' ? prettyDestination() : undefined),
  );
}
