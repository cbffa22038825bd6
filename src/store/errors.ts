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

/** The store file exists but cannot be read; it is left untouched. */
export class StoreCorruptError extends Error {
  override readonly name = 'StoreCorruptError';
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `store file ${file} cannot be read (${reason}); it was left untouched — fix or move it away and start again`,
      options,
    );
  }
}

/** Another process owns the data directory. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      `data directory is locked by process ${pid} (${lockFile}); stop it first, or remove the lock if that process is gone`,
    );
  }
}
