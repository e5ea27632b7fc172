/**
 * The arithmetic of the benchmark, kept apart from the processes it drives so a unit test can
 * pin it (test/bench/stats.test.ts): percentiles, ratios against a bare limit, per-request
 * overhead, verdicts against the targets and the printed table.
 */

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The p-th percentile (0 < p ≤ 100) of ascending `sorted` values by the nearest-rank method:
 * the smallest value with at least p% of the samples at or below it. NaN when empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Count, mean and the percentiles the report shows, of unsorted samples. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? NaN : (sorted[sorted.length - 1] as number),
  };
}

/** The median of unsorted values (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** measured ÷ reference; NaN when the reference is not a positive number. */
export function ratio(measured: number, reference: number): number {
  return reference > 0 && Number.isFinite(measured) ? measured / reference : NaN;
}

/**
 * What each request costs beyond the reference, in microseconds, from two saturated throughputs
 * (requests per second): 1/rps − 1/rpsRef. On a CPU-bound machine that is the extra CPU time a
 * request takes divided by the cores serving it.
 */
export function overheadUs(rps: number, referenceRps: number): number {
  if (!(rps > 0) || !(referenceRps > 0)) return NaN;
  return 1e6 / rps - 1e6 / referenceRps;
}

/** Half the target rate (960/s), or half of what this machine reached when lower. */
export function halfLoadRate(maxRps: number, targetRps = 960): number {
  return Math.max(1, Math.floor(Math.min(targetRps, maxRps) / 2));
}

/**
 * A key's kind: its name with the namespace prefix dropped and every id-like part as `*`; a hash
 * tag (`{family:<id>}`, the slot of a Redis Cluster) is one id-like part.
 */
export function keyClass(key: string, prefix: string): string {
  return key
    .slice(key.startsWith(prefix) ? prefix.length : 0)
    .replace(/\{[^}]*\}/g, '*')
    .split(':')
    .map((part) => (part.length >= 16 || /^\d+$/.test(part) ? '*' : part))
    .join(':');
}

/** A target of the issue: the figure must be at least (`min`) or at most (`max`) `value`. */
export interface Target {
  kind: 'min' | 'max';
  value: number;
  /** How the target reads in the table, e.g. "≥ 85% of bare argon2". */
  text: string;
}

export type Verdict = 'met' | 'missed' | 'n/a';

export function judge(figure: number, target: Target | undefined): Verdict {
  if (!target || !Number.isFinite(figure)) return 'n/a';
  return (target.kind === 'min' ? figure >= target.value : figure <= target.value) ? 'met' : 'missed';
}

/** One line of the printed table. */
export interface Row {
  measure: string;
  /** The figure as printed (units included). */
  figure: string;
  target?: string;
  /** The number the target compares (a ratio, a rate, milliseconds…), when one applies. */
  compared?: number;
  verdict?: Verdict;
}

/** A number for the table: 3 significant digits below 100, whole numbers above. */
export function fmt(n: number, unit = ''): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  const s = abs >= 100 ? Math.round(n).toString() : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

export function pct(r: number): string {
  return Number.isFinite(r) ? `${(r * 100).toFixed(1)}%` : '—';
}

const COLUMNS = ['measure', 'figure', 'target', 'ratio/value', 'verdict'];

/** A plain-text grid: columns padded to their widest cell, one rule under the header. */
export function formatGrid(header: readonly string[], cells: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    widths
      .map((w, i) => (c[i] ?? '').padEnd(w))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

/** The figures table: measure, figure, target, the compared value, the verdict. */
export function formatTable(rows: readonly Row[]): string {
  return formatGrid(
    COLUMNS,
    rows.map((r) => [r.measure, r.figure, r.target ?? '', comparedText(r), r.verdict ?? '']),
  );
}

/**
 * CPU time per answered request, in µs, by process, from the CPU ms each process used over a run
 * and the answers of that run.
 */
export function cpuPerRequestUs(
  cpuMs: Readonly<Record<string, number>>,
  answered: number,
): Record<string, number> {
  if (!(answered > 0)) return {};
  return Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, (ms * 1000) / answered]));
}

/**
 * The compared column: a ratio (no target, or a target in %) as a percentage, a rate or a time
 * (a target in its own unit) as a plain number.
 */
export function comparedText(row: Row): string {
  if (row.compared === undefined) return '';
  return !row.target || row.target.includes('%') ? pct(row.compared) : fmt(row.compared);
}
