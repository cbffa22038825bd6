/**
 * The in-memory backend: the whole catalogue in plain objects with secondary indexes. Used as is
 * by tests and benchmarks, and by the lowdb adapter, which adds the file (`persist`).
 *
 * Writes run one at a time (a promise chain): a write's function reads through an overlay, and its
 * changes are applied in one synchronous step, so no reader sees half of a write and no two
 * read-modify-writes interleave. Durability (the file write) happens after the chain moves on, so
 * many concurrent writes share one coalesced file write; each write's promise resolves, and
 * listeners run, only once the write is durable.
 */
import type { Backend, BackendStats, Commit, ReadTx, SequencedEvent, WriteTx } from './backend.ts';
import { COLLECTION_NAMES, indexKeys, type CollectionName, type Collections, type DomainEvent } from './records.ts';

/** The document a memory backend holds (and lowdb writes): tables by id plus the change log. */
export type StoreDocument = {
  schemaVersion: number;
  seq: number;
  domainEvents: Record<string, SequencedEvent>;
  /** Records of the wrong shape, set aside when the file was read (kept, never served). */
  quarantine?: Record<string, QuarantinedRecord>;
} & {
  [K in CollectionName]: Record<string, Collections[K]>;
};

export type QuarantinedRecord = {
  readonly collection: string;
  readonly key: string;
  readonly problem: string;
  readonly record: unknown;
};

export const CURRENT_SCHEMA_VERSION = 2;

export function emptyDocument(): StoreDocument {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    seq: 0,
    events: {},
    talks: {},
    sources: {},
    unmatched: {},
    posts: {},
    blogs: {},
    webmentions: {},
    subscriptions: {},
    deliveries: {},
    domainEvents: {},
  };
}

export type MemoryBackendOptions = {
  /** Start from this document (lowdb passes what it read). @default an empty document */
  readonly document?: StoreDocument;
  /** Make the document durable; called after writes, coalesced. @default nothing (memory only) */
  readonly persist?: (doc: StoreDocument) => Promise<void>;
  /** Refuse writes (read-only CLI verbs while a server owns the file). @default false */
  readonly readOnly?: boolean;
  /** @default 'memory' */
  readonly kind?: string;
};

type Staged = Map<CollectionName, Map<string, unknown | null>>;

export class MemoryBackend implements Backend {
  readonly kind: string;
  readonly doc: StoreDocument;
  /** collection → `index:key` → ids */
  private readonly indexes = new Map<CollectionName, Map<string, Set<string>>>();
  private readonly listeners = new Set<(c: Commit) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private commits = 0;
  private writes = 0;
  private closed = false;
  // Coalesced persistence: commits made while a write runs share the next one.
  private dirty = false;
  private writing: Promise<void> | undefined;
  private waiters: { commit: Commit; resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly options: MemoryBackendOptions = {}) {
    this.kind = options.kind ?? 'memory';
    this.doc = options.document ?? emptyDocument();
    for (const name of COLLECTION_NAMES) {
      const index = new Map<string, Set<string>>();
      this.indexes.set(name, index);
      for (const record of Object.values(this.doc[name])) addKeys(index, indexKeys(name, record), record.id);
    }
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return fn(new OverlayTx(this, new Map(), []));
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.options.readOnly) return Promise.reject(new Error('store is open read-only'));
    const run = this.chain.then(async () => {
      const staged: Staged = new Map();
      const events: DomainEvent[] = [];
      const value = await fn(new OverlayTx(this, staged, events));
      return { value, durable: this.apply(staged, events) };
    });
    this.chain = run.catch(() => undefined);
    return run.then(async ({ value, durable }) => {
      await durable;
      return value;
    });
  }

  async eventsSince(after: number, limit: number): Promise<SequencedEvent[]> {
    return Object.values(this.doc.domainEvents)
      .filter((e) => e.seq > after)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }

  onCommit(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<void> {
    await this.chain;
    while (this.writing) await this.writing.catch(() => undefined);
  }

  async stats(): Promise<BackendStats> {
    const counts = Object.fromEntries(COLLECTION_NAMES.map((n) => [n, Object.keys(this.doc[n]).length])) as {
      [K in CollectionName]: number;
    };
    return {
      writes: this.writes,
      commits: this.commits,
      counts,
      lastSeq: this.doc.seq,
      quarantined: Object.keys(this.doc.quarantine ?? {}).length,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }

  /** A record by id, only if the table holds it itself (`constructor`, `toString` are not records). */
  record<K extends CollectionName>(collection: K, id: string): Collections[K] | undefined {
    const table = this.doc[collection] as Record<string, Collections[K]>;
    return Object.hasOwn(table, id) ? table[id] : undefined;
  }

  idsUnder(collection: CollectionName, key: string): ReadonlySet<string> {
    return this.indexes.get(collection)!.get(key) ?? EMPTY;
  }

  hasEvent(id: string): boolean {
    return Object.hasOwn(this.doc.domainEvents, id);
  }

  /** Apply a transaction's changes in one synchronous step; returns when they are durable. */
  private apply(staged: Staged, events: readonly DomainEvent[]): Promise<void> {
    if (staged.size === 0 && events.length === 0) return Promise.resolve();
    const put: Record<string, unknown[]> = {};
    const deleted: Record<string, unknown[]> = {};
    const previous: Record<string, unknown[]> = {};
    for (const [name, changes] of staged) {
      const table = this.doc[name] as Record<string, { id: string }>;
      const index = this.indexes.get(name)!;
      for (const [id, next] of changes) {
        const old = Object.hasOwn(table, id) ? table[id] : undefined;
        if (old) removeKeys(index, indexKeys(name, old as never), id);
        if (next === null) {
          if (!old) continue;
          delete table[id];
          (deleted[name] ??= []).push(old);
        } else {
          table[id] = next as { id: string };
          addKeys(index, indexKeys(name, next as never), id);
          (put[name] ??= []).push(next);
          if (old) (previous[name] ??= []).push(old);
        }
      }
    }
    const seq = ++this.doc.seq;
    const sequenced: SequencedEvent[] = [];
    for (const e of events) {
      const s = { ...e, seq: ++this.doc.seq } as SequencedEvent;
      this.doc.domainEvents[e.id] = s;
      sequenced.push(s);
    }
    this.commits += 1;
    const commit = { seq, put, deleted, previous, events: sequenced } as Commit;
    if (!this.options.persist) {
      this.writes += 1;
      this.notify(commit);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ commit, resolve, reject });
      this.dirty = true;
      this.writing ??= this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.dirty) {
      this.dirty = false;
      const batch = this.waiters;
      this.waiters = [];
      try {
        await this.options.persist!(this.doc);
        this.writes += 1;
        for (const w of batch) this.notify(w.commit);
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = undefined;
  }

  private notify(commit: Commit): void {
    for (const listener of this.listeners) listener(commit);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function addKeys(index: Map<string, Set<string>>, keys: readonly string[], id: string): void {
  for (const key of keys) {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(id);
  }
}

function removeKeys(index: Map<string, Set<string>>, keys: readonly string[], id: string): void {
  for (const key of keys) {
    const set = index.get(key);
    if (!set) continue;
    set.delete(id);
    if (set.size === 0) index.delete(key);
  }
}

/** Reads see the base document with this transaction's staged changes on top. */
class OverlayTx implements WriteTx {
  constructor(
    private readonly base: MemoryBackend,
    private readonly staged: Staged,
    private readonly events: DomainEvent[],
  ) {}

  async get<K extends CollectionName>(collection: K, id: string): Promise<Collections[K] | undefined> {
    const s = this.staged.get(collection);
    if (s?.has(id)) return (s.get(id) ?? undefined) as Collections[K] | undefined;
    return this.base.record(collection, id);
  }

  async getMany<K extends CollectionName>(collection: K, ids: readonly string[]): Promise<Collections[K][]> {
    const out: Collections[K][] = [];
    for (const id of ids) {
      const r = await this.get(collection, id);
      if (r) out.push(r);
    }
    return out;
  }

  async find<K extends CollectionName>(collection: K, index: string, key: string): Promise<Collections[K][]> {
    const full = `${index}:${key}`;
    const s = this.staged.get(collection);
    const out: Collections[K][] = [];
    for (const id of this.base.idsUnder(collection, full)) {
      if (s?.has(id)) continue;
      const r = this.base.record(collection, id);
      if (r) out.push(r);
    }
    if (s)
      for (const r of s.values())
        if (r !== null && indexKeys(collection, r as Collections[K]).includes(full)) out.push(r as Collections[K]);
    return out;
  }

  async all<K extends CollectionName>(collection: K): Promise<Collections[K][]> {
    const s = this.staged.get(collection);
    const base = Object.values(this.base.doc[collection]) as Collections[K][];
    if (!s) return base;
    const out = base.filter((r) => !s.has(r.id));
    for (const r of s.values()) if (r !== null) out.push(r as Collections[K]);
    return out;
  }

  async count(collection: CollectionName): Promise<number> {
    if (!this.staged.has(collection)) return Object.keys(this.base.doc[collection]).length;
    return (await this.all(collection)).length;
  }

  async putMany<K extends CollectionName>(collection: K, records: readonly Collections[K][]): Promise<void> {
    for (const record of records) await this.put(collection, record);
  }

  async put<K extends CollectionName>(collection: K, record: Collections[K]): Promise<void> {
    this.stage(collection).set(record.id, record);
  }

  async delete(collection: CollectionName, id: string): Promise<void> {
    this.stage(collection).set(id, null);
  }

  async emit(event: DomainEvent): Promise<boolean> {
    if (this.base.hasEvent(event.id) || this.events.some((e) => e.id === event.id)) return false;
    this.events.push(event);
    return true;
  }

  private stage(collection: CollectionName): Map<string, unknown | null> {
    let s = this.staged.get(collection);
    if (!s) this.staged.set(collection, (s = new Map()));
    return s;
  }
}
