/**
 * The store port: named use-case operations, each atomic. Capabilities use only this interface;
 * adapters implement `Backend` (backend.ts) and `createStore` turns one into a Store.
 *
 * Read-modify-write happens inside the store: `update…(id, change)` and the plan-taking
 * operations (`saveImport`, `applyRecordings`) run the caller's pure function on current data in
 * one transaction; when a concurrent writer got there first the adapter runs it again, so an
 * update is never lost. Domain events are appended in the same write as the change that caused
 * them, with a deterministic id (a duplicate is refused) and a monotonic sequence number.
 */
import type { Commit, SequencedEvent } from './backend.ts';
import type { CollectionName, Collections, DomainEvent } from './records.ts';
import type { Event, Talk } from '../catalogue/types.ts';
import type { Source, UnmatchedRecording } from '../recordings/types.ts';
import type { Blog, Post, Webmention, WebmentionStatus } from '../posts/types.ts';

export type { Commit, SequencedEvent };

/** Reads about events and talks; also what an import plan sees inside its transaction. */
export interface CatalogueReader {
  getEvent(id: string): Promise<Event | undefined>;
  listEvents(): Promise<Event[]>;
  /**
   * Resolve any stable reference to a talk: its id, an earlier id kept as alias, its schedule
   * guid (any case), or `<eventId>:<scheduleId>`.
   */
  findTalk(ref: string): Promise<Talk | undefined>;
  talksOfEvent(eventId: string): Promise<Talk[]>;
  /** True when `id` is a talk's id or one of its references. */
  talkIdTaken(id: string): Promise<boolean>;
}

/** Reads about recording sources and the unmatched queue; also what a recording plan sees. */
export interface RecordingReader {
  getSource(id: string): Promise<Source | undefined>;
  listSources(filter?: { eventId?: string | undefined }): Promise<Source[]>;
  listUnmatched(eventId: string): Promise<UnmatchedRecording[]>;
}

/** What an import writes: the event (created or refreshed), talks, and the events they caused. */
export type ImportWrite<R> = {
  readonly events: readonly Event[];
  readonly talks: readonly Talk[];
  readonly domainEvents: readonly DomainEvent[];
  readonly result: R;
};

/** What a poll, push or manual link writes. Sources deleted meanwhile are not brought back. */
export type RecordingWrite<R> = {
  readonly talks?: readonly Talk[];
  readonly sources?: readonly Source[];
  readonly unmatched?: readonly UnmatchedRecording[];
  readonly unmatchedDeletes?: readonly string[];
  readonly domainEvents?: readonly DomainEvent[];
  readonly result: R;
};

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
};

export type DeleteEventResult =
  | { readonly status: 'deleted'; readonly talks: number; readonly sources: number }
  | { readonly status: 'not-found' }
  | { readonly status: 'has-talks'; readonly talks: number };

export interface Store extends CatalogueReader, RecordingReader {
  readonly kind: string;

  // ---- catalogue ----
  /** Create an event; false (and nothing written) when the id is taken. */
  createEvent(event: Event): Promise<boolean>;
  updateEvent(id: string, change: (current: Event) => Event): Promise<Event | undefined>;
  /** Delete an event; with talks only when `cascade` (talks, sources and unmatched go with it, atomically). */
  deleteEvent(id: string, cascade: boolean): Promise<DeleteEventResult>;
  /** Every talk: only for index builds and unfiltered listings. */
  allTalks(): Promise<Talk[]>;
  /** Create a talk; false (and nothing written) when its id or a reference is taken. */
  createTalk(talk: Talk): Promise<boolean>;
  updateTalk(ref: string, change: (current: Talk) => Talk): Promise<Talk | undefined>;
  deleteTalk(ref: string): Promise<Talk | undefined>;

  // ---- schedules ----
  /** Run an import plan over the current catalogue and write its result in one transaction. */
  saveImport<R>(plan: (view: CatalogueReader) => Promise<ImportWrite<R>>): Promise<R>;

  // ---- recordings ----
  /** Add a source; the existing one when the event already has a source with this URL. */
  addSource(source: Source): Promise<{ source: Source; created: boolean }>;
  deleteSource(id: string): Promise<boolean>;
  /** Run a recording plan (poll result, push, manual link) over current data in one transaction. */
  applyRecordings<R>(
    plan: (view: CatalogueReader & RecordingReader) => Promise<RecordingWrite<R>> | RecordingWrite<R>,
  ): Promise<R>;

  // ---- posts ----
  getPost(id: string): Promise<Post | undefined>;
  listPosts(): Promise<Post[]>;
  postsMentioningTalk(talkId: string): Promise<Post[]>;
  /** Insert or replace a post, computed from the current one (undefined when new). Returns what was saved. */
  savePost(id: string, change: (current: Post | undefined) => Post | undefined): Promise<Post | undefined>;
  /** Replace posts whose `change` returns a new version (rescans); one transaction. Returns how many changed. */
  updatePosts(change: (current: Post) => Post | undefined): Promise<number>;
  deletePost(id: string): Promise<boolean>;

  getBlog(id: string): Promise<Blog | undefined>;
  listBlogs(): Promise<Blog[]>;
  /** Add a blog; the existing one when its feed URL is already known. */
  addBlog(blog: Blog): Promise<{ blog: Blog; created: boolean }>;
  updateBlog(id: string, change: (current: Blog) => Blog): Promise<Blog | undefined>;
  deleteBlog(id: string): Promise<boolean>;

  getWebmention(id: string): Promise<Webmention | undefined>;
  listWebmentions(): Promise<Webmention[]>;
  webmentionsWithStatus(status: WebmentionStatus): Promise<Webmention[]>;
  webmentionsOfPost(postId: string): Promise<Webmention[]>;
  /**
   * Insert or replace a webmention and, in the same transaction, the post it produced or changed
   * (`post` returns undefined to leave posts alone; `null` deletes the post).
   */
  saveWebmention(
    id: string,
    change: (
      current: Webmention | undefined,
      view: { getPost(id: string): Promise<Post | undefined>; webmentionsOfPost(id: string): Promise<Webmention[]> },
    ) => Promise<{ webmention: Webmention; post?: Post | null | undefined } | undefined>,
  ): Promise<Webmention | undefined>;

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
  /** Called after each write is durable, in order. Returns the unsubscribe function. */
  onCommit(listener: (commit: Commit) => void): () => void;
  stats(): Promise<StoreStats>;
  /** Wait until every acknowledged write is durable. */
  flush(): Promise<void>;
  /** Flush, then release connections and locks. */
  close(): Promise<void>;
}
