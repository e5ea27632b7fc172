import type { Readable } from 'node:stream';

export interface RunTotals {
  passed: number;
  failed: number;
  skipped: number;
  files: number;
  planned: number;
  reported: number;
  failedFiles: string[];
}
export declare function readTapRun(
  stream: Readable,
  opts: { rawFile?: string; write: (line: string) => void },
): Promise<RunTotals>;
