/**
 * Exponential backoff after consecutive failures, capped, with ±10 % jitter so that sources that
 * failed together do not retry in lockstep.
 *
 * @param failures consecutive failures so far (≥ 1)
 * @param random a number in [0, 1) (inject for determinism)
 * @returns milliseconds to wait before the next attempt
 */
export function backoffDelayMs(
  failures: number,
  random: number = Math.random(),
  baseMs = 60_000,
  capMs = 6 * 3_600_000,
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.9 + 0.2 * random));
}

/** The longest wait a server's `Retry-After` can impose on a source: 6 hours. */
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/**
 * How long a `Retry-After` header (RFC 9110 §10.2.3) asks to wait, clamped to [0, `maxMs`].
 *
 * @param value the header: a delay in whole seconds (`120`) or an HTTP-date (`Wed, 01 May 2024 13:00:00 GMT`)
 * @param now the time the response was received
 * @param maxMs the longest wait honoured @default MAX_RETRY_AFTER_MS
 * @returns milliseconds, or undefined when the header is absent or unreadable
 */
export function retryAfterMs(value: string | undefined, now: Date, maxMs = MAX_RETRY_AFTER_MS): number | undefined {
  const v = value?.trim() ?? '';
  let ms: number | undefined;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  // All three HTTP-date forms start with the day name; Date.parse alone would read '1.5' as a date.
  else if (/^[A-Za-z]{3}/.test(v) && !Number.isNaN(Date.parse(v))) ms = Date.parse(v) - now.getTime();
  if (ms === undefined) return undefined;
  return Math.min(maxMs, Math.max(0, ms));
}
