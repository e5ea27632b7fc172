// Reading a Prisma migrations folder: <dir>/<name>/migration.sql plus migration_lock.toml.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export interface LocalMigration {
  name: string;
  script: string;
  /** sha256 hex of the migration.sql bytes, as Prisma records it. */
  checksum: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Prisma accepts a script whose line endings git converted since it was applied,
 * so we do too: otherwise a Windows checkout would refuse to start.
 */
export function checksumMatches(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((variant) => sha256Hex(variant) === checksum);
}

async function checkLockfile(dir: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'migration_lock.toml'), 'utf8');
  } catch {
    return; // Prisma treats a missing lockfile as fine.
  }
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(text)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new Error(`${dir}/migration_lock.toml is for provider "${provider}", not "postgresql"`);
  }
}

/** The folder's migrations in the order Prisma applies them: by directory name. */
export async function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<LocalMigration[]> {
  await checkLockfile(dir);
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(names.map((name) => readMigration(dir, name)));
}

async function readMigration(dir: string, name: string): Promise<LocalMigration> {
  const file = path.join(dir, name, 'migration.sql');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`migration ${name} has no readable migration.sql (${file})`, { cause: error });
  }
  return { name, script: bytes.toString('utf8'), checksum: sha256Hex(bytes) };
}
