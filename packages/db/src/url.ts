// Connection-URL helpers shared by the migration runner and the test helper.

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/propusk';

/** Postgres always has this database; we connect to it to create or drop others. */
const MAINTENANCE_DATABASE = 'postgres';

/** The database name a connection URL points at. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (name === '') throw new Error(`database URL names no database: ${redactUrl(url)}`);
  return name;
}

/** The same server, credentials and options, pointed at another database. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

export function maintenanceUrl(url: string): string {
  return withDatabase(url, MAINTENANCE_DATABASE);
}

/** For error messages: never print a password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

/** Double-quoted SQL identifier; CREATE/DROP DATABASE cannot take the name as a parameter. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
