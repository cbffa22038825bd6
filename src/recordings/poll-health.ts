import { backoffDelayMs, retryAfterMs } from './backoff.ts';
import { nextCronRun } from './next-run.ts';
import type { PollSelection } from './poll-types.ts';
import type { FeedHealth, Source } from './types.ts';

/**
 * A source's health across polls, pure: when it is due, what a 304, a failure (exponential backoff,
 * the server's `Retry-After` as a floor) or a success does to it. Fields that change on every poll
 * (last poll, last success, next poll) are "live": the poller keeps them in memory and stores them
 * only along with a change worth a write.
 */

/** What a poll outcome changes: the live fields to keep (undefined: forget them) and the source to store, if any. */
export type HealthChange = {
  readonly live: Partial<FeedHealth> | undefined;
  readonly put: Source | undefined;
};

/**
 * Stored health overlaid with the live fields. `nextPollAt` is the next cron tick of the source's
 * schedule, or the end of its backoff if that is later.
 */
export function mergedHealth(source: Source, live: Partial<FeedHealth> | undefined, now: Date): FeedHealth {
  const merged = { ...source.health, ...live };
  const tick = nextCronRun(source.schedule, now);
  const backoff = merged.nextPollAt ? Date.parse(merged.nextPollAt) : 0;
  const next = tick && tick.getTime() > backoff ? tick.toISOString() : merged.nextPollAt;
  return { ...merged, nextPollAt: next };
}

/** Does the selection take this source now? A `due` selection skips sources still backing off. */
export function isSelected(
  source: Source,
  live: Partial<FeedHealth> | undefined,
  selection: PollSelection,
  now: Date,
): boolean {
  if (selection.kind === 'ids') return selection.ids.includes(source.id);
  if (selection.kind === 'all') return true;
  if (selection.schedule !== undefined && source.schedule !== selection.schedule) return false;
  const nextAt = { ...source.health, ...live }.nextPollAt;
  return !nextAt || Date.parse(nextAt) <= now.getTime();
}

/** A 304: the source is fine; stored only when it recovers from failures. */
export function afterNotModified(source: Source, now: Date): HealthChange {
  const nowIso = now.toISOString();
  const put =
    source.health.consecutiveFailures > 0
      ? {
          ...source,
          health: {
            ...source.health,
            consecutiveFailures: 0,
            lastError: undefined,
            lastPollAt: nowIso,
            lastSuccessAt: nowIso,
            nextPollAt: undefined,
          },
        }
      : undefined;
  return { live: { lastPollAt: nowIso, lastSuccessAt: nowIso, nextPollAt: undefined }, put };
}

/**
 * A failed poll: one more failure, backed off exponentially with jitter (`random` in [0, 1)); a
 * server's `Retry-After` (clamped) is a floor, never polled sooner than it asked. Always stored.
 */
export function afterFailure(
  source: Source,
  failure: { readonly error: string; readonly retryAfter?: string | undefined },
  now: Date,
  random: number,
): HealthChange & { readonly failures: number; readonly nextPollAt: string } {
  const nowIso = now.toISOString();
  const failures = source.health.consecutiveFailures + 1;
  const delay = Math.max(backoffDelayMs(failures, random), retryAfterMs(failure.retryAfter, now) ?? 0);
  const nextPollAt = new Date(now.getTime() + delay).toISOString();
  const health: FeedHealth = {
    ...source.health,
    lastPollAt: nowIso,
    lastError: { at: nowIso, message: failure.error },
    consecutiveFailures: failures,
    nextPollAt,
  };
  return { live: undefined, put: { ...source, health }, failures, nextPollAt };
}

/** A parsed poll: failures reset, counts and cache validators updated; stored only when any of that changed. */
export function afterSuccess(
  source: Source,
  seen: { readonly items: number; readonly matched: number },
  cache: { readonly etag: string | undefined; readonly lastModified: string | undefined },
  now: Date,
): HealthChange {
  const nowIso = now.toISOString();
  const health: FeedHealth = {
    ...source.health,
    consecutiveFailures: 0,
    lastError: source.health.consecutiveFailures > 0 ? undefined : source.health.lastError,
    itemsSeen: seen.items,
    itemsMatched: seen.matched,
    nextPollAt: undefined,
  };
  const newCache = { etag: cache.etag, lastModified: cache.lastModified };
  const changed =
    JSON.stringify(health) !== JSON.stringify(source.health) ||
    JSON.stringify(newCache) !== JSON.stringify(source.cache);
  return {
    live: { lastPollAt: nowIso, lastSuccessAt: nowIso, nextPollAt: undefined },
    put: changed
      ? { ...source, cache: newCache, health: { ...health, lastPollAt: nowIso, lastSuccessAt: nowIso } }
      : undefined,
  };
}
