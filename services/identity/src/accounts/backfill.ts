import type { PrismaClient } from '@propusk/db';
import { isUniqueViolation } from '../db/outage.js';
import { usernameKeys } from './username.js';

/**
 * Fills the username keys (username.ts) of accounts stored before they existed. The migration
 * that added the columns cannot (packages/db/prisma/migrations/20261205090000_username_keys:
 * SQL has no Unicode case folding and no confusables.txt), so identity does it at every start
 * and authctl before it creates a user; once done, it finds nothing to do.
 *
 * Oldest account first: when two stored accounts share a normalised form or skeleton (`alice`
 * and `Alice`, made before the keys existed), the older one gets the keys and the later one
 * keeps none. Nothing is renamed or locked: the later account still signs in with its exact
 * username (the store tries the exact name first), and is reported, every start, until an
 * operator renames one of them. Each row is a compare-and-set (keys still null), so replicas
 * starting together write each row once, and the unique indexes decide every collision.
 */

const BATCH = 500;

export interface UsernameBackfill {
  /** How many accounts got their keys now. */
  filled: number;
  /** Accounts left without keys: an older account holds their form or skeleton. */
  colliding: Array<{ id: string; username: string }>;
}

export async function backfillUsernameKeys(prisma: Pick<PrismaClient, 'account'>): Promise<UsernameBackfill> {
  const result: UsernameBackfill = { filled: 0, colliding: [] };
  for (;;) {
    // Filled rows leave the filter; colliding ones are skipped by id, so each pass moves on.
    const rows = await prisma.account.findMany({
      where: {
        username: { not: null },
        usernameNormalised: null,
        id: { notIn: result.colliding.map(({ id }) => id) },
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, username: true },
      take: BATCH,
    });
    if (rows.length === 0) return result;
    for (const { id, username } of rows) {
      if (username === null) continue;
      try {
        const { count } = await prisma.account.updateMany({
          where: { id, usernameNormalised: null },
          data: usernameKeys(username),
        });
        result.filled += count;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        result.colliding.push({ id, username });
      }
    }
  }
}

export interface UsernameBackfillAtStart {
  /** Readiness: resolves once the backfill ran through; rejects while it is pending. */
  check(): Promise<void>;
  /** No more retries; resolves once a run in flight is over (before the client disconnects). */
  stop(): Promise<void>;
}

/**
 * The backfill at identity's start, in the background so that the service starts (and answers
 * 503) while Postgres is unreachable; retried every `retryMs` until it runs through. Until then
 * `check` fails, and with it the service's Postgres readiness (main.ts, `/readyz`): an
 * orchestrator sends the replica no traffic before the accounts stored earlier hold their keys.
 */
export function startUsernameBackfill(deps: {
  prisma: Pick<PrismaClient, 'account'>;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  retryMs?: number;
}): UsernameBackfillAtStart {
  const retryMs = deps.retryMs ?? 5_000;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function run(): Promise<void> {
    try {
      const { filled, colliding } = await backfillUsernameKeys(deps.prisma);
      done = true;
      if (filled > 0) deps.log.info({ filled }, `username keys filled for ${filled} account(s)`);
      for (const account of colliding) {
        deps.log.warn(
          { accountId: account.id, username: account.username },
          'an older account holds this username in another case or a look-alike spelling: this one keeps ' +
            'no username keys and signs in with its exact username only; rename one of them',
        );
      }
    } catch (err) {
      deps.log.warn({ err }, `username keys not filled yet; retrying in ${retryMs} ms`);
      if (!stopped) timer = setTimeout(() => (running = run()), retryMs);
    }
  }

  running = run();
  return {
    check: async () => {
      if (!done) throw new Error('username keys of stored accounts not filled yet');
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
