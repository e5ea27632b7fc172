/**
 * Environment configuration: declared once (names and defaults from DESIGN's table),
 * validated once at start, frozen. A bad value stops the start with a message naming
 * the variable. Secrets are marked so that `describeConfig` never prints them.
 */
export type Env = Readonly<Record<string, string | undefined>>;

interface VarBase {
  readonly doc: string;
  readonly secret?: boolean;
}
interface StringVar extends VarBase {
  readonly kind: 'string';
  readonly default?: string | ((env: Env) => string);
  readonly pattern?: RegExp;
  /** Validation beyond a pattern: throws an Error saying why (never repeating the value). */
  readonly check?: (raw: string) => void;
}
interface UrlVar extends VarBase {
  readonly kind: 'url';
  readonly default?: string | ((env: Env) => string);
  readonly protocols: readonly string[];
}
/**
 * One or more URLs separated by commas (the gateway's upstreams: one base URL per replica).
 * Each is checked as a `url` is; the value is a frozen list in the order given.
 */
interface UrlListVar extends VarBase {
  readonly kind: 'url-list';
  readonly default?: string | ((env: Env) => string);
  readonly protocols: readonly string[];
}
interface IntVar extends VarBase {
  readonly kind: 'int';
  readonly default?: number;
  readonly min: number;
  readonly max: number;
}
interface EnumVar extends VarBase {
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}
export type VarSpec = StringVar | UrlVar | UrlListVar | IntVar | EnumVar;
export type ConfigSpec = Readonly<Record<string, VarSpec>>;

type ValueOf<V extends VarSpec> = V extends IntVar
  ? number
  : V extends UrlListVar
    ? readonly string[]
    : string;
type Required<V extends VarSpec> = V extends { default: unknown } ? true : false;
export type ConfigOf<S extends ConfigSpec> = Readonly<
  { [K in keyof S as Required<S[K]> extends true ? K : never]: ValueOf<S[K]> } & {
    [K in keyof S as Required<S[K]> extends true ? never : K]?: ValueOf<S[K]>;
  }
>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/**
 * The error for a secret that production must be given. It says how to make one, so that the
 * operator who meets it (often through `docker compose up`, which now defaults to production)
 * does not reach for a weak value.
 */
export function requiredInProduction(variable: string): ConfigError {
  return new ConfigError(
    variable,
    'is required in production: make one with `openssl rand -hex 32` and set it in .env or your secret store (infra/compose.dev.yml opts into development instead)',
  );
}

type Value = string | number | readonly string[];

function parseUrl(name: string, protocols: readonly string[], raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(', ')})`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${url.protocol}`);
  }
  return raw.replace(/\/+$/, '') || raw;
}

function parseVar(name: string, spec: VarSpec, raw: string): Value {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw))
        throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
      const n = Number(raw);
      if (n < spec.min || n > spec.max)
        throw new ConfigError(name, `must be between ${spec.min} and ${spec.max}`);
      return n;
    }
    case 'url':
      return parseUrl(name, spec.protocols, raw);
    case 'url-list': {
      const items = raw.split(',').map((item) => item.trim());
      if (items.some((item) => item === ''))
        throw new ConfigError(name, 'must be URLs separated by commas, none empty');
      return Object.freeze(items.map((item) => parseUrl(name, spec.protocols, item)));
    }
    case 'enum':
      if (!spec.values.includes(raw)) throw new ConfigError(name, `must be one of ${spec.values.join(', ')}`);
      return raw;
    case 'string':
      if (spec.pattern && !spec.pattern.test(raw)) {
        throw new ConfigError(
          name,
          spec.secret ? 'has an invalid format' : `has an invalid format: ${JSON.stringify(raw)}`,
        );
      }
      if (spec.check) {
        try {
          spec.check(raw);
        } catch (err) {
          throw new ConfigError(name, (err as Error).message);
        }
      }
      return raw;
  }
}

function defaultOf(spec: VarSpec, env: Env): string | number | undefined {
  const d = spec.default;
  return typeof d === 'function' ? d(env) : d;
}

/** Reads and validates `spec` from `env`. Empty strings count as unset. */
export function loadConfig<S extends ConfigSpec>(spec: S, env: Env = process.env): ConfigOf<S> {
  const out: Record<string, Value> = {};
  for (const [name, v] of Object.entries(spec)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') {
      out[name] = parseVar(name, v, raw);
      continue;
    }
    const d = defaultOf(v, env);
    if (d !== undefined) out[name] = typeof d === 'string' ? parseVar(name, v, d) : d;
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Config dumps made by `describeConfig`: their secrets are gone already (see isDescribedConfig). */
const DESCRIBED = new WeakSet<object>();

/**
 * The configuration as safe to log: each setting's declared `secret` flag decides, not its name
 * (TOKEN_PORT is a port; INTROSPECTION_CLIENTS holds secrets): a secret shows only as set, a URL
 * without its password, anything else as it is.
 */
export function describeConfig(
  spec: ConfigSpec,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(spec)) {
    const value = config[name];
    if (value === undefined) continue;
    if (v.secret) out[name] = '[set]';
    else if (v.kind === 'url') out[name] = redactUrlCredentials(String(value));
    else if (v.kind === 'url-list') out[name] = (value as readonly string[]).map(redactUrlCredentials);
    else if (v.kind === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(String(value)))
      out[name] = redactUrlCredentials(String(value));
    else out[name] = value;
  }
  DESCRIBED.add(out);
  return out;
}

/**
 * True for a dump `describeConfig` made: the logger writes it as it is instead of guessing
 * secrets from key names again (that hid TOKEN_PORT, a port, as "[redacted]").
 */
export function isDescribedConfig(value: object): boolean {
  return DESCRIBED.has(value);
}

/** `postgresql://user:pw@host/db` → `postgresql://user:***@host/db`. */
export function redactUrlCredentials(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Several hosts (redis+cluster://u:pw@h1:1,h2:2) make no WHATWG URL: mask by position.
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
  }
}
