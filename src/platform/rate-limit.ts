/**
 * Fixed-window rate limits per key. The counting is a port (`RateCounter`): in one process it is a
 * map (`LocalRateCounter`, what memory and lowdb stores answer); on PostgreSQL it is an upsert on
 * the key returning the count, so several instances share one limit.
 *
 * A key's window opens at its first hit and lasts `windowMs`; the first hit after it ends opens
 * the next one.
 */

/** Counts hits per key and window. */
export interface RateCounter {
  /**
   * Count one hit for `key` at `now` (ms since the epoch) in its current window of `windowMs`.
   * Answers the hits counted in that window so far, this one included, and when it ends (ms).
   */
  countHit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
}

/** In-process counts (one instance): the current window per key, swept when the map grows large. */
export class LocalRateCounter implements RateCounter {
  private readonly windows = new Map<string, { end: number; count: number }>();

  async countHit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    if (this.windows.size > 10_000) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.end <= now) this.windows.set(key, (w = { end: now + windowMs, count: 0 }));
    w.count += 1;
    return { count: w.count, resetAt: w.end };
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.end <= now) this.windows.delete(key);
  }
}

/** At most `limit` hits per key and window; `name` keeps the keys of different limits apart. */
export class RateLimiter {
  constructor(
    private readonly counter: RateCounter,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Count one hit for `key` at `now` (ms); answers how long to wait (ms) when over the limit, else 0. */
  async hit(key: string, now: number): Promise<number> {
    const { count, resetAt } = await this.counter.countHit(`${this.name}:${key}`, this.windowMs, now);
    return count > this.limit ? Math.max(1, resetAt - now) : 0;
  }
}
