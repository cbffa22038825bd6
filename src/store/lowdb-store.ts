import fs from 'node:fs';
import path from 'node:path';
import { Low, Memory, type Adapter } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Talk } from '../catalogue/types.ts';
import {
  COLLECTION_NAMES,
  StoreCorruptError,
  StoreLockedError,
  type ChangeSet,
  type CollectionName,
  type Collections,
  type CommitEvent,
  type Store,
  type StoreStats,
} from './store.ts';
import { CURRENT_SCHEMA_VERSION, migrate, type StoreDocument } from './migrate.ts';

export type LowdbStoreOptions = {
  /** Path of the JSON file. Omit for an in-memory store (tests, dry runs). */
  readonly file?: string | undefined;
  /** Take `<dir>/.lock` so only one process writes the file. @default true when `file` is set */
  readonly lock?: boolean | undefined;
  /** Open read-only: no lock, writes refused. Used by read-only CLI verbs while a server runs. */
  readonly readOnly?: boolean | undefined;
};

/** Adapter wrapper that counts writes (for health and benchmarks). */
class CountingAdapter<T> implements Adapter<T> {
  writes = 0;
  constructor(private readonly inner: Adapter<T>) {}
  read(): Promise<T | null> {
    return this.inner.read();
  }
  async write(data: T): Promise<void> {
    this.writes += 1;
    await this.inner.write(data);
  }
}

/**
 * The embedded default store: one lowdb JSON file holding every collection.
 *
 * - Reads come from memory (plus secondary indexes: talks by event, talk references).
 * - `commit` validates nothing (services do), applies a change set in memory synchronously —
 *   so no reader ever sees half of it — and schedules one coalesced file write: every commit
 *   made while a write is in flight lands in the next single write.
 * - The file is written atomically by lowdb/steno (temp file + rename), compact JSON.
 * - A file that does not parse stops `open` with StoreCorruptError and is never overwritten.
 */
export class LowdbStore implements Store {
  private readonly low: Low<StoreDocument>;
  private readonly adapter: CountingAdapter<StoreDocument>;
  private readonly talksByEvent = new Map<string, Set<string>>();
  private readonly talkRefs = new Map<string, string>();
  private readonly listeners = new Set<(e: CommitEvent) => void>();
  private commits = 0;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private lockFile: string | undefined;
  private closed = false;

  private constructor(
    adapter: Adapter<StoreDocument>,
    private readonly options: LowdbStoreOptions,
  ) {
    this.adapter = new CountingAdapter(adapter);
    this.low = new Low(this.adapter, emptyDocument());
  }

  /** Open (and lock) the store. Creates the file on first write, migrates older schema versions on read. */
  static async open(options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    const { file } = options;
    const adapter: Adapter<StoreDocument> = file
      ? new DataFile<StoreDocument>(file, {
          parse: (s) => JSON.parse(s) as StoreDocument,
          stringify: (d) => JSON.stringify(d),
        })
      : new Memory<StoreDocument>();
    const store = new LowdbStore(adapter, options);
    if (file) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (!options.readOnly && options.lock !== false)
        store.lockFile = acquireLock(path.join(path.dirname(file), '.lock'));
    }
    try {
      await store.load();
    } catch (err) {
      store.releaseLock();
      throw err;
    }
    return store;
  }

  private async load(): Promise<void> {
    let raw: StoreDocument | null;
    try {
      raw = await this.adapter.read();
    } catch (err) {
      throw new StoreCorruptError(this.options.file ?? '(memory)', err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
    if (raw === null) {
      this.low.data = emptyDocument();
    } else {
      try {
        this.low.data = migrate(raw);
      } catch (err) {
        throw new StoreCorruptError(this.options.file ?? '(memory)', err instanceof Error ? err.message : String(err), {
          cause: err,
        });
      }
    }
    for (const talk of Object.values(this.low.data.talks)) this.indexTalk(talk);
  }

  async get<K extends CollectionName>(collection: K, id: string): Promise<Collections[K] | undefined> {
    return own(this.table(collection), id);
  }

  async list<K extends CollectionName>(collection: K): Promise<readonly Collections[K][]> {
    return Object.values(this.table(collection));
  }

  async listTalksByEvent(eventId: string): Promise<readonly Talk[]> {
    const ids = this.talksByEvent.get(eventId);
    if (!ids) return [];
    const talks = this.low.data.talks;
    return [...ids].map((id) => own(talks, id)).filter((t): t is Talk => t !== undefined);
  }

  async resolveTalk(ref: string): Promise<Talk | undefined> {
    const talks = this.low.data.talks;
    const direct = own(talks, ref);
    if (direct) return direct;
    const id = this.talkRefs.get(ref) ?? this.talkRefs.get(ref.toLowerCase());
    return id ? own(talks, id) : undefined;
  }

  commit(changes: ChangeSet): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.options.readOnly) return Promise.reject(new Error('store is open read-only'));
    const previous: { [K in CollectionName]?: Collections[K][] } = {};
    const doc = this.low.data;
    for (const name of COLLECTION_NAMES) {
      const table = doc[name] as Record<string, Collections[typeof name]>;
      const prev: Collections[typeof name][] = [];
      for (const id of changes.delete?.[name] ?? []) {
        const old = own(table, id);
        if (old) {
          prev.push(old);
          delete table[id];
          if (name === 'talks') this.unindexTalk(old as Talk);
        }
      }
      for (const record of (changes.put?.[name] ?? []) as Collections[typeof name][]) {
        const old = own(table, record.id);
        if (old) {
          prev.push(old);
          if (name === 'talks') this.unindexTalk(old as Talk);
        }
        table[record.id] = record;
        if (name === 'talks') this.indexTalk(record as Talk);
      }
      if (prev.length > 0) (previous as Record<string, unknown[]>)[name] = prev;
    }
    this.commits += 1;
    const event: CommitEvent = { changes, previous };
    for (const listener of this.listeners) listener(event);
    return this.scheduleWrite();
  }

  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
  }

  stats(): StoreStats {
    const counts = Object.fromEntries(COLLECTION_NAMES.map((n) => [n, Object.keys(this.low.data[n]).length])) as {
      [K in CollectionName]: number;
    };
    return { writes: this.adapter.writes, commits: this.commits, counts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.releaseLock();
  }

  private table<K extends CollectionName>(collection: K): Record<string, Collections[K]> {
    return this.low.data[collection] as Record<string, Collections[K]>;
  }

  /**
   * Coalesce: the first commit starts a write on the next macrotask; commits arriving while it
   * runs mark the document dirty and share the single write that follows it.
   */
  private scheduleWrite(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.dirty = true;
    if (!this.writing) this.writing = this.writeLoop();
    return done;
  }

  private async writeLoop(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.dirty) {
      this.dirty = false;
      const batch = this.waiters;
      this.waiters = [];
      try {
        await this.low.write();
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = undefined;
  }

  private indexTalk(talk: Talk): void {
    let set = this.talksByEvent.get(talk.eventId);
    if (!set) this.talksByEvent.set(talk.eventId, (set = new Set()));
    set.add(talk.id);
    for (const ref of talkRefs(talk)) this.talkRefs.set(ref, talk.id);
  }

  private unindexTalk(talk: Talk): void {
    this.talksByEvent.get(talk.eventId)?.delete(talk.id);
    for (const ref of talkRefs(talk)) if (this.talkRefs.get(ref) === talk.id) this.talkRefs.delete(ref);
  }

  private releaseLock(): void {
    if (!this.lockFile) return;
    try {
      fs.unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
    this.lockFile = undefined;
  }
}

/** A record by id, only if the table holds it itself (`constructor`, `toString` are not records). */
function own<T>(table: Record<string, T>, id: string): T | undefined {
  return Object.hasOwn(table, id) ? table[id] : undefined;
}

/** References other than the id that resolve to a talk. Aliases that look like ids (no spaces) only. */
function talkRefs(talk: Talk): string[] {
  const refs: string[] = [];
  if (talk.externalIds.guid) refs.push(talk.externalIds.guid.toLowerCase());
  if (talk.externalIds.scheduleId) refs.push(`${talk.eventId}:${talk.externalIds.scheduleId}`);
  for (const alias of talk.aliases) if (/^[a-z0-9][a-z0-9._~-]*$/i.test(alias)) refs.push(alias);
  return refs;
}

function emptyDocument(): StoreDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    events: {},
    talks: {},
    sources: {},
    unmatched: {},
    domainEvents: {},
    posts: {},
    blogs: {},
    webmentions: {},
  };
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
