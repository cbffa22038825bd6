/** How the PostgreSQL adapter classifies driver errors. */

/** SQLSTATEs after which the whole transaction is run again. */
const RETRY_CODES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** Socket-level codes meaning "the server is not there". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Messages node-postgres uses for a lost or never-made connection (no code attached). */
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Connection ended|Client was closed/i;

/** A conflict with a concurrent writer: roll back and run the write again. */
export function isRetryable(err: unknown): boolean {
  return err instanceof RetryWrite || RETRY_CODES.has(codeOf(err) ?? '');
}

/** The database is unreachable, shut down, or the connection died. */
export function isUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined) {
    // 08xxx connection exceptions; 57P01-03 admin/crash shutdown, cannot connect now; 53300 too many connections.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300' || NETWORK_CODES.has(code)) return true;
  }
  if (err instanceof AggregateError && err.errors.some(isUnavailable)) return true;
  return err instanceof Error && CONNECTION_MESSAGES.test(err.message);
}

/** Thrown inside a write attempt to force a retry (e.g. an event id taken by a concurrent commit). */
export class RetryWrite extends Error {
  override readonly name = 'RetryWrite';
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
