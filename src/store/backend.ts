/**
 * The adapter side of the store (service-provider interface). Adapters (memory, lowdb, PostgreSQL)
 * implement `Backend`; the named use-case operations in `operations/` are written once over it, so
 * every adapter behaves the same and one contract suite proves it.
 *
 * Nothing outside `src/store/` imports this file: capabilities see only the `Store` port.
 */
import type { Collections, CollectionName, DomainEvent, IndexName } from './records.ts';
import type { ClaimBackend } from './claims.ts';

/** Reads inside a transaction. They see the transaction's own writes. */
export interface ReadTx {
  get<K extends CollectionName>(collection: K, id: string): Promise<Collections[K] | undefined>;
  /** The records with these ids that exist, in no particular order (one round trip). */
  getMany<K extends CollectionName>(collection: K, ids: readonly string[]): Promise<Collections[K][]>;
  /** Records whose secondary index `index` (see `INDEXES`) holds `key`, in no particular order. */
  find<K extends CollectionName>(collection: K, index: IndexName<K>, key: string): Promise<Collections[K][]>;
  /** Every record of a collection, in no particular order. Only for full listings, index builds and snapshots. */
  all<K extends CollectionName>(collection: K): Promise<Collections[K][]>;
  count(collection: CollectionName): Promise<number>;
}

/** A write transaction: puts and deletes are applied together at commit, or not at all. */
export interface WriteTx extends ReadTx {
  put<K extends CollectionName>(collection: K, record: Collections[K]): Promise<void>;
  /** `put` of many records of one collection (one statement on PostgreSQL). A repeated id: the last wins. */
  putMany<K extends CollectionName>(collection: K, records: readonly Collections[K][]): Promise<void>;
  delete(collection: CollectionName, id: string): Promise<void>;
  /**
   * Append a domain event to the change log in this transaction. Its id is deterministic (derived
   * from what happened), so a second writer reporting the same fact is refused: returns false and
   * stores nothing.
   */
  emit(event: DomainEvent): Promise<boolean>;
}

/** What one committed write changed, handed to listeners once it is durable. */
export type Commit = {
  /** Monotonic sequence number of the write in the change log. */
  readonly seq: number;
  readonly put: { readonly [K in CollectionName]?: readonly Collections[K][] };
  readonly deleted: { readonly [K in CollectionName]?: readonly Collections[K][] };
  /**
   * Records replaced by `put`, as they were before the write. Empty for a bulk commit (over 5,000
   * records put) made by another PostgreSQL instance, whose `put` then holds the records as they
   * were when this instance read them (see `postgres/change-log.ts`).
   */
  readonly previous: { readonly [K in CollectionName]?: readonly Collections[K][] };
  /** Domain events appended by the write (duplicates refused are not listed). */
  readonly events: readonly SequencedEvent[];
};

export type SequencedEvent = DomainEvent & { readonly seq: number };

/** Where an instance is in the change log. */
export type ChangeLogStatus = {
  /** Every change up to this sequence number has been handed to this instance's listeners. */
  readonly position: number;
  /** Latest sequence number in the change log. */
  readonly head: number;
  /** Age of the oldest commit this instance has not applied yet, seconds (0: up to date). */
  readonly lagSeconds: number;
  /** PostgreSQL: the LISTEN connection is up (else other instances' commits arrive by the safety poll). */
  readonly listening?: boolean;
};

export type BackendStats = {
  /** Durable writes (file writes, committed SQL transactions) since open. */
  readonly writes: number;
  readonly commits: number;
  readonly counts: { readonly [K in CollectionName]: number };
  readonly lastSeq: number;
  /** Records set aside because they had the wrong shape (lowdb files edited by hand). */
  readonly quarantined: number;
  /** Adapters shared by several instances (PostgreSQL); the others apply only their own commits. */
  readonly changeLog?: ChangeLogStatus;
};

export interface Backend {
  /** Human name for logs and /health (`memory`, `lowdb`, `postgres`). */
  readonly kind: string;
  /**
   * Claims shared with other processes (PostgreSQL). Absent: claims are in-process
   * (`local-claims.ts`), enough for a store only one process opens.
   */
  readonly claims?: ClaimBackend;
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /**
   * Run `fn` as one atomic write. `fn` must be a pure function of what it reads through `tx`:
   * an adapter may run it again when a concurrent writer got there first (serialization
   * conflict), so a lost update is retried, never committed. Resolves once the write is durable
   * and listeners were called. A write that changes nothing commits nothing.
   */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** Domain events with `seq > after`, oldest first, at most `limit`. */
  eventsSince(after: number, limit: number): Promise<SequencedEvent[]>;
  /** Called after each commit is durable, in commit order. Returns the unsubscribe function. */
  onCommit(listener: (commit: Commit) => void): () => void;
  /** Wait until every acknowledged write is durable. */
  flush(): Promise<void>;
  stats(): Promise<BackendStats>;
  /**
   * Delete change-log entries recorded before `before` (ISO time) that other instances no longer
   * need; returns how many. Only adapters with such a log (PostgreSQL) have it.
   */
  trimChangeLog?(before: string): Promise<number>;
  close(): Promise<void>;
}
