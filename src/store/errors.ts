/**
 * Store errors every layer may see. Adapter-specific causes (driver errors) hang off `cause`; no
 * driver type leaks out of `src/store/`.
 */

/**
 * The database cannot be reached (refused, timed out, shut down, connection lost mid-write).
 * A write that fails with it was not acknowledged; retry later. `target` names the database
 * (`host:port/name`), never the password.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(`store unavailable: cannot reach ${target}${describeCause(options?.cause)}`, options);
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const code = (cause as { code?: unknown }).code;
  const text = cause.message || (typeof code === 'string' ? code : '');
  return text ? ` (${text})` : '';
}
