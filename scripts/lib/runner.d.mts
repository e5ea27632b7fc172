import type { Readable } from 'node:stream';

export interface TestConfig {
  readonly include: string[];
  readonly serial: string[];
  readonly timeoutS: number;
  readonly jobs: number;
}
export declare function readTapConfig(root: string): TestConfig;
export declare function listTestFiles(
  root: string,
  config: TestConfig,
  args: string[],
): Promise<{ parallel: string[]; serial: string[] }>;
export declare function orderByCost(files: string[], root: string, timings: Record<string, number>): string[];
export declare function readTimings(file: string): Record<string, number>;
export declare function saveTimings(
  file: string,
  previous: Record<string, number>,
  timings: Record<string, number>,
): void;
export declare function runTestFiles(
  root: string,
  opts: {
    parallel: string[];
    serial: string[];
    config: TestConfig;
    env: Record<string, string | undefined>;
    onStderr: (file: string, chunk: Buffer) => void;
    hardLimitS?: number;
  },
): { stream: Readable; done: Promise<Record<string, number>> };
