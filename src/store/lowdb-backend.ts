/**
 * The embedded default store: one lowdb JSON file holding every collection and the change log.
 * It is the memory backend plus the file: the document is read (and migrated) at open, kept in
 * memory with its indexes, and written atomically by lowdb/steno (temp file + rename), one
 * coalesced write for all commits made while the previous write ran.
 *
 * Only one process may own the file: `<dir>/.lock` holds the owner's pid. A file that does not
 * parse (or is not a store document) stops `open` with StoreCorruptError and is never written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { MemoryBackend, emptyDocument, type StoreDocument } from './memory-backend.ts';
import { migrate } from './migrate.ts';
import { StoreCorruptError, StoreLockedError } from './errors.ts';

export type LowdbBackendOptions = {
  /** Path of the JSON file. */
  readonly file: string;
  /** Take `<dir>/.lock` so only one process writes the file. @default true */
  readonly lock?: boolean | undefined;
  /** Open read-only: no lock, writes refused. Used by read-only CLI verbs while a server runs. */
  readonly readOnly?: boolean | undefined;
  /**
   * `fsync` the file and its folder after every write (`TALKREEL_FSYNC=on`): an acknowledged write
   * survives a power loss, at the cost measured by `npm run bench -- --only=storeFsync`. @default false
   */
  readonly fsync?: boolean | undefined;
};

export class LowdbBackend extends MemoryBackend {
  private constructor(
    doc: StoreDocument,
    low: Low<StoreDocument>,
    readOnly: boolean,
    private lockFile: string | undefined,
    file: string,
    fsync: boolean,
  ) {
    super({
      kind: 'lowdb',
      document: doc,
      readOnly,
      persist: async (d) => {
        low.data = d;
        await low.write();
        // The write replaced the file by rename: flush its data, then the folder entry.
        if (fsync) {
          await syncPath(file);
          await syncPath(path.dirname(file));
        }
      },
    });
  }

  /** Open (and lock) the store file. Creates the file on first write, migrates older schema versions on read. */
  static async open(options: LowdbBackendOptions): Promise<LowdbBackend> {
    const { file } = options;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const readOnly = options.readOnly === true;
    const lockFile =
      !readOnly && options.lock !== false ? acquireLock(path.join(path.dirname(file), '.lock')) : undefined;
    try {
      const adapter = new DataFile<StoreDocument>(file, {
        parse: (s) => JSON.parse(s) as StoreDocument,
        stringify: (d) => JSON.stringify(d),
      });
      const low = new Low<StoreDocument>(adapter, emptyDocument());
      let raw: unknown;
      try {
        raw = await adapter.read();
      } catch (err) {
        throw new StoreCorruptError(file, err instanceof Error ? err.message : String(err), { cause: err });
      }
      let doc: StoreDocument;
      if (raw === null && !fs.existsSync(file)) doc = emptyDocument();
      else {
        try {
          doc = migrate(raw);
        } catch (err) {
          throw new StoreCorruptError(file, err instanceof Error ? err.message : String(err), { cause: err });
        }
      }
      return new LowdbBackend(doc, low, readOnly, lockFile, file, options.fsync === true);
    } catch (err) {
      if (lockFile) releaseLock(lockFile);
      throw err;
    }
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.lockFile) releaseLock(this.lockFile);
    this.lockFile = undefined;
  }
}

function releaseLock(lockFile: string): void {
  fs.rmSync(lockFile, { force: true });
}

/** Exclusive lock file holding our pid. A lock left by a dead process is taken over. */
function acquireLock(lockFile: string): string {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return lockFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
        throw new StoreLockedError(lockFile, pid);
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new StoreLockedError(lockFile, -1);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `fsync` a file or folder. */
async function syncPath(p: string): Promise<void> {
  const handle = await fs.promises.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
