/**
 * The store port: named use-case operations, each atomic. Every capability declares the slice it
 * needs in its own `store-port.ts`; this file puts them together, and `createStore` implements
 * them once over any adapter (`Backend`: memory, lowdb, PostgreSQL). Dependencies point inward:
 * this folder knows the capabilities' types, the capabilities never import this folder.
 *
 * Read-modify-write happens inside the store: `update…(id, change)` and the plan-taking
 * operations (`saveImport`, `applyRecordings`) run the caller's pure function on current data in
 * one transaction; when a concurrent writer got there first the adapter runs it again, so an
 * update is never lost. Domain events are appended in the same write as the change that caused
 * them, with a deterministic id (a duplicate is refused) and a monotonic sequence number.
 */
import type { ChangeLogStatus, Commit, SequencedEvent } from './backend.ts';
import type { CollectionName, Collections } from './records.ts';
import type { CatalogueStore } from '../catalogue/store-port.ts';
import type { ScheduleStore } from '../schedules/store-port.ts';
import type { RecordingStore } from '../recordings/store-port.ts';
import type { BlogStore, PostStore } from '../posts/store-port.ts';
import type { WebmentionStore } from '../webmention/store-port.ts';
import type { NotifyStore } from '../notify/store-port.ts';
import type { RateCounter } from '../platform/rate-limit.ts';

export type { ChangeLogStatus, Commit, SequencedEvent };
export type { CatalogueReader, DeleteEventResult } from '../catalogue/store-port.ts';
export type { ImportWrite } from '../schedules/store-port.ts';
export type { RecordingReader, RecordingWrite } from '../recordings/store-port.ts';

export type Snapshot = { [K in CollectionName]: Collections[K][] } & { domainEvents: SequencedEvent[] };

export type StoreStats = {
  /** `memory`, `lowdb` or `postgres`. */
  readonly kind: string;
  /** Durable writes (file writes, SQL transactions) since open. */
  readonly writes: number;
  readonly commits: number;
  readonly counts: { readonly [K in CollectionName]: number };
  /** Sequence number of the latest change. */
  readonly lastSeq: number;
  /** Records set aside at open because they had the wrong shape (see `/health`). */
  readonly quarantined: number;
  /** This instance's place in the change log (memory, lowdb: its own commits, so always up to date). */
  readonly changeLog: ChangeLogStatus;
};

export interface Store
  extends
    Omit<CatalogueStore, 'onCommit'>,
    ScheduleStore,
    RecordingStore,
    PostStore,
    BlogStore,
    WebmentionStore,
    NotifyStore,
    RateCounter {
  readonly kind: string;

  // ---- whole store (migration, bulk loads) ----
  /** Every record of every collection and the whole change log. */
  snapshot(): Promise<Snapshot>;
  /**
   * Upsert records as they are and append domain events not yet present (by id), in one
   * transaction. Idempotent: loading the same snapshot twice changes nothing the second time.
   */
  load(snapshot: Partial<Snapshot>): Promise<void>;

  // ---- change log ----
  /** Domain events after `seq`, oldest first. */
  eventsSince(seq: number, limit: number): Promise<SequencedEvent[]>;
  /**
   * Called after each write is durable, in order — with PostgreSQL also for every other instance's
   * write, in the same sequence order. Returns the unsubscribe function.
   */
  onCommit(listener: (commit: Commit) => void): () => void;
  /** Housekeeping: forget change-log entries recorded before `before` (ISO time); returns how many. */
  trimChangeLog(before: string): Promise<number>;
  stats(): Promise<StoreStats>;
  /** Wait until every acknowledged write is durable. */
  flush(): Promise<void>;
  /** Flush, then release connections and locks. */
  close(): Promise<void>;
}
