import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import type { Source, UnmatchedRecording } from '../recordings/types.ts';
import type { Blog, Post, Webmention } from '../posts/types.ts';

/** Every persisted collection, keyed by record id. */
export type Collections = {
  events: Event;
  talks: Talk;
  sources: Source;
  unmatched: UnmatchedRecording;
  domainEvents: DomainEvent;
  posts: Post;
  blogs: Blog;
  webmentions: Webmention;
};
export type CollectionName = keyof Collections;
export const COLLECTION_NAMES: readonly CollectionName[] = [
  'events',
  'talks',
  'sources',
  'unmatched',
  'domainEvents',
  'posts',
  'blogs',
  'webmentions',
];

/**
 * One atomic unit of work: every put and delete lands together or not at all.
 * lowdb applies it in memory and writes the file once (coalesced with other commits);
 * a SQL adapter runs it in one transaction.
 */
export type ChangeSet = {
  readonly put?: { readonly [K in CollectionName]?: readonly Collections[K][] };
  readonly delete?: { readonly [K in CollectionName]?: readonly string[] };
};

/** What a commit changed, handed to commit listeners (e.g. the search index). */
export type CommitEvent = {
  readonly changes: ChangeSet;
  /** Records replaced or removed by the commit, by collection, as they were before it. */
  readonly previous: { readonly [K in CollectionName]?: readonly Collections[K][] };
};

export type StoreStats = {
  /** File writes since open. */
  readonly writes: number;
  readonly commits: number;
  readonly counts: { readonly [K in CollectionName]: number };
};

/**
 * The storage port. Reads return immutable snapshots; callers never mutate them.
 * Only this interface is used outside `src/store/`.
 */
export interface Store {
  get<K extends CollectionName>(collection: K, id: string): Promise<Collections[K] | undefined>;
  list<K extends CollectionName>(collection: K): Promise<readonly Collections[K][]>;
  /** Talks of one event, from a secondary index. */
  listTalksByEvent(eventId: string): Promise<readonly Talk[]>;
  /**
   * Resolve any stable reference to a talk: its id, an earlier id kept as alias,
   * its schedule guid, or `<eventId>:<scheduleId>`.
   */
  resolveTalk(ref: string): Promise<Talk | undefined>;
  /** Apply a change set atomically; resolves once it is durable. */
  commit(changes: ChangeSet): Promise<void>;
  /** Called synchronously after each commit is applied (before it is durable). */
  onCommit(listener: (event: CommitEvent) => void): () => void;
  /** Wait until every accepted commit is durable. */
  flush(): Promise<void>;
  stats(): StoreStats;
  /** Flush, then release resources and locks. */
  close(): Promise<void>;
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
