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
