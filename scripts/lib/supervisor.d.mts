import type { ChildProcess } from 'node:child_process';

export interface ProcessSpec {
  readonly name: string;
  readonly dir: string;
  readonly portVar: string;
  readonly defaultPort: number;
}
export interface ProcessHandle {
  readonly proc: ProcessSpec;
  readonly child: ChildProcess;
  readonly tail: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
export interface ExitResult {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}
export declare const PROCESSES: readonly ProcessSpec[];
export declare function portOf(proc: ProcessSpec, env: Record<string, string | undefined>): number;
export declare function spawnProcess(
  proc: ProcessSpec,
  env: Record<string, string | undefined>,
  onLine: (name: string, line: string) => void,
): ProcessHandle;
export declare function waitReady(handle: ProcessHandle, url: string, deadline: number): Promise<void>;
export declare function startSuite(opts: {
  env?: Record<string, string | undefined>;
  onLine?: (name: string, line: string) => void;
  readyTimeoutMs?: number;
  only?: readonly string[];
  /** Called with each process as soon as it is spawned, before it is ready. */
  onSpawn?: (handle: ProcessHandle) => void;
}): Promise<{ handles: ProcessHandle[]; gatewayUrl: string | undefined; stop(): Promise<ExitResult[]> }>;
export declare function stopAll(handles: readonly ProcessHandle[], graceMs?: number): Promise<ExitResult[]>;
