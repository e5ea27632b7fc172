export interface Entry {
  readonly dir: string;
  readonly entry: string;
}
export declare const ENTRIES: readonly Entry[];
export declare function outputOf(entry: Entry): string;
export declare function buildAll(opts?: { force?: boolean; log?: (msg: string) => void }): Promise<boolean>;
