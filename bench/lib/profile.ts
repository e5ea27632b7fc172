import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (node --cpu-prof) the summary reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package of node_modules, Node's own, or the project's file. */
export function packageOf(url: string): string {
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = url.replace(/^file:\/\//, '');
  const m = /\/(gateway|services\/[^/]+|packages\/[^/]+|bench)\/src\//.exec(src);
  return m ? `propusk ${m[1]}` : src;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + '/node_modules/'.length);
  return url.replace(/^file:\/\/.*?\/(gateway|services|packages|bench)\//, '$1/');
}

/**
 * Self time per function and per package of a .cpuprofile, as text: the frames that burn the
 * CPU (idle time left out of the percentages).
 */
export function topFrames(file: string, n: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // DevTools' convention: the time until the next sample belongs to this sample.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const key = `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = frame.functionName.startsWith('(') ? frame.functionName : packageOf(frame.url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(
        ([name, us]) =>
          `  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
      );
  return [
    `busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`,
    'by package:',
    ...top(pkgs, 15),
    'by function:',
    ...top(fns, n),
  ].join('\n');
}

/**
 * The summary of each process's main-thread profile under `dir` (one folder per profiled
 * process; its largest .cpuprofile is the main thread, the others tsx's loader thread).
 */
export function profileReport(dir: string, n = 25): string {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const files = readdirSync(join(dir, name))
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, name, f))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    if (files[0]) out.push(`${name}: ${files[0]}, top frames by self time:`, topFrames(files[0], n), '');
  }
  return out.join('\n');
}
