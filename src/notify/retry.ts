/**
 * When a failed delivery is tried again. The schedule is the one Standard Webhooks recommends
 * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 28 hours from the first attempt to the last),
 * each delay spread by ±20 % jitter so receivers that failed together are not retried together.
 * A receiver's `Retry-After` is honoured when it asks for longer (capped at 24 h).
 */
export const RETRY_DELAYS_MS: readonly number[] = [5e3, 300e3, 1_800e3, 7_200e3, 18_000e3, 36_000e3, 36_000e3];

const MAX_RETRY_AFTER_MS = 24 * 3600e3;

/**
 * Milliseconds until the next attempt after the `attempts`-th failed one, or undefined when the
 * schedule is exhausted (the delivery fails for good).
 */
export function nextRetryDelay(
  attempts: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
