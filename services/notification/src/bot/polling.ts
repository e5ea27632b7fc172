import type { Bot } from 'grammy';
import { withTimeout, type Logger } from '@propusk/kit';
import type { Lease } from './lease.js';

export interface LeasedPollingOptions {
  bot: Bot;
  lease: Lease;
  /** The lease's time to live; it is renewed every third of it. */
  ttlMs: number;
  log: Logger;
}

export interface LeasedPolling {
  isPolling(): boolean;
  /** Stops polling (confirming the updates handled) and gives the lease up. */
  stop(): Promise<void>;
}

/**
 * Long polling by exactly one replica: Telegram answers 409 to a getUpdates that competes with
 * another (Bot API, getUpdates), so the replica holding the lease polls and the others wait to
 * take over. A holder that cannot renew for two thirds of the lease stops before the lease can
 * pass to another replica; polling that ends on its own (409, a revoked token) gives the lease up.
 */
export function startLeasedPolling({ bot, lease, ttlMs, log }: LeasedPollingOptions): LeasedPolling {
  const tickMs = Math.max(200, Math.floor(ttlMs / 3));
  let polling: Promise<void> | undefined;
  let lastRenewed = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();

  function begin(): void {
    log.info('telegram long polling: this replica holds the lease');
    const run: Promise<void> = bot
      .start({ onStart: () => log.info('telegram long polling started') })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'telegram long polling ended'))
      .finally(() => {
        if (polling === run) polling = undefined;
        if (!stopped) lease.release().catch(() => undefined);
      });
    polling = run;
  }

  async function end(): Promise<void> {
    const run = polling;
    if (!run) return;
    // bot.stop() aborts the held getUpdates and confirms the last handled update with a short one.
    await withTimeout(bot.stop(), 5000, 'telegram stop').catch((err: unknown) =>
      log.warn({ err: (err as Error).message }, 'telegram stop did not finish'),
    );
    await withTimeout(run, 5000, 'telegram polling end').catch(() => undefined);
  }

  async function tick(): Promise<void> {
    try {
      if (!polling) {
        if (await lease.acquire()) {
          lastRenewed = Date.now();
          if (!stopped) begin();
        }
      } else if (await lease.renew()) {
        lastRenewed = Date.now();
      } else {
        log.warn('telegram polling lease taken by another replica; stopping');
        await end();
      }
    } catch (err) {
      if (polling && Date.now() - lastRenewed > (ttlMs * 2) / 3) {
        log.warn({ err: (err as Error).message }, 'telegram polling lease cannot be renewed; stopping');
        await end();
      }
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      ticking = tick().finally(() => schedule(tickMs));
    }, delayMs);
  }

  schedule(0);
  return {
    isPolling: () => polling !== undefined,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      await end();
      await lease.release().catch(() => undefined);
    },
  };
}
