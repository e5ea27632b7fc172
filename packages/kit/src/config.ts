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
}
interface UrlVar extends VarBase {
  readonly kind: 'url';
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
export type VarSpec = StringVar | UrlVar | IntVar | EnumVar;
export type ConfigSpec = Readonly<Record<string, VarSpec>>;

type ValueOf<V extends VarSpec> = V extends IntVar ? number : string;
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

function parseVar(name: string, spec: VarSpec, raw: string): string | number {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw))
        throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
      const n = Number(raw);
      if (n < spec.min || n > spec.max)
        throw new ConfigError(name, `must be between ${spec.min} and ${spec.max}`);
      return n;
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ConfigError(name, `must be a URL (${spec.protocols.join(', ')})`);
      }
      if (!spec.protocols.includes(url.protocol.replace(/:$/, ''))) {
        throw new ConfigError(name, `must use ${spec.protocols.join(' or ')}, got ${url.protocol}`);
      }
      return raw.replace(/\/+$/, '') || raw;
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
      return raw;
  }
}

function defaultOf(spec: VarSpec, env: Env): string | number | undefined {
  const d = spec.default;
  return typeof d === 'function' ? d(env) : d;
}

/** Reads and validates `spec` from `env`. Empty strings count as unset. */
export function loadConfig<S extends ConfigSpec>(spec: S, env: Env = process.env): ConfigOf<S> {
  const out: Record<string, string | number> = {};
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

/** The configuration as safe to log: secrets shown only as set/unset. */
export function describeConfig(
  spec: ConfigSpec,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(spec)) {
    const value = config[name];
    if (value === undefined) continue;
    out[name] = v.secret ? '[set]' : v.kind === 'url' ? redactUrlCredentials(String(value)) : value;
  }
  return out;
}

/** `postgresql://user:pw@host/db` → `postgresql://user:***@host/db`. */
export function redactUrlCredentials(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}
