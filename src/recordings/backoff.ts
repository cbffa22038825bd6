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
