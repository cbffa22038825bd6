/**
 * The recording feeds use-case: resolve the filter, read the published talks, build the document
 * once per (format, filter, limit) until the next store commit. (The WebSub hub is pinged through
 * the outbox: see `fan-out.ts` and the deliverer.)
 */
import { createHash } from 'node:crypto';
import type { Event, RecordingStatus, Talk } from '../catalogue/types.ts';
import type { Post } from '../posts/types.ts';
import { resolveFilter, filterKey, type FilterInput } from './filters.ts';
import type { SubscriptionFilter } from './types.ts';
import { buildFeed, DEFAULT_FEED_LIMIT, selectFeedTalks, type BuiltFeed, type FeedFormat } from './feeds.ts';

/** The store operations the feeds read, and its commit stream. */
export interface FeedStore {
  talksWithRecordingStatus(status: RecordingStatus): Promise<Talk[]>;
  findTalk(ref: string): Promise<Talk | undefined>;
  getEvent(id: string): Promise<Event | undefined>;
  getEvents(ids: readonly string[]): Promise<Event[]>;
  getPost(id: string): Promise<Post | undefined>;
  onCommit(listener: () => void): () => void;
}

export type RecordingFeedsDeps = {
  readonly store: FeedStore;
  /** Talk ids a free-text search ranks first (the lookup index), for speaker names. */
  readonly searchTalkIds: (query: string, limit: number) => readonly string[];
  /** Base of permanent links, without a trailing slash. */
  readonly publicUrl: string;
  /** WebSub hub advertised in the documents. @default undefined (no hub) */
  readonly hub?: string | undefined;
  /** Built feeds kept before the cache starts over (speaker and post filters are open-ended). @default 500 */
  readonly maxCached?: number | undefined;
};

/** A feed ready to serve: the built document plus its validator. */
export type ServedFeed = BuiltFeed & {
  /** Strong validator: a hash of the body. */
  readonly etag: string;
};

export type FeedRequest = FilterInput & {
  readonly format: FeedFormat;
  /** Items at most. @default 50 */
  readonly limit?: number | undefined;
};

export class RecordingFeeds {
  private readonly cache = new Map<string, ServedFeed>();
  /** Bumped by every commit: a build that started before a commit is not cached. */
  private generation = 0;
  private readonly unsubscribe: () => void;
  private readonly maxCached: number;

  constructor(private readonly deps: RecordingFeedsDeps) {
    this.maxCached = deps.maxCached ?? 500;
    this.unsubscribe = deps.store.onCommit(() => {
      this.generation++;
      this.cache.clear();
    });
  }

  /**
   * The feed for at most one of talk/speaker/event/post (none: every published talk). Unknown
   * talks and events are 404 (`DomainError`), two filters are 400.
   */
  async get(req: FeedRequest): Promise<ServedFeed> {
    const limit = req.limit ?? DEFAULT_FEED_LIMIT;
    const filtered = [req.talk, req.speaker, req.event, req.post].some((v) => v !== undefined);
    const filter = filtered ? await resolveFilter(this.filterDeps(), req) : undefined;
    // The label is part of the key: an unknown speaker is named in the title and self link as typed.
    const key = JSON.stringify([req.format, filter ? filterKey(filter) : null, filter?.label ?? null, limit]);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const generation = this.generation;
    const feed = await this.build(req.format, filter, limit);
    if (generation === this.generation) {
      if (this.cache.size >= this.maxCached) this.cache.clear();
      this.cache.set(key, feed);
    }
    return feed;
  }

  /** Stop following the store's commits. */
  detach(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  private async build(format: FeedFormat, filter: SubscriptionFilter | undefined, limit: number): Promise<ServedFeed> {
    const { store } = this.deps;
    let mentioned: Set<string> | undefined;
    if (filter?.kind === 'post') {
      // An unknown post is an empty feed, not a 404: the post may be submitted later.
      const post = await store.getPost(filter.key);
      mentioned = new Set(post?.mentions.map((m) => m.talkId) ?? []);
    }
    const talks = selectFeedTalks(await store.talksWithRecordingStatus('published'), filter, limit, mentioned);
    const events = await store.getEvents([...new Set(talks.map((t) => t.eventId))]);
    const built = buildFeed({
      format,
      publicUrl: this.deps.publicUrl,
      filter,
      limit,
      talks,
      events: new Map(events.map((e) => [e.id, e])),
      hub: this.deps.hub,
    });
    const etag = `"${createHash('sha256').update(built.body).digest('base64url').slice(0, 27)}"`;
    return { ...built, etag };
  }

  private filterDeps() {
    const { store, searchTalkIds } = this.deps;
    return {
      findTalk: (ref: string) => store.findTalk(ref),
      getEvent: (id: string) => store.getEvent(id),
      searchTalks: async (query: string, limit: number) => {
        const talks = await Promise.all(searchTalkIds(query, limit).map((id) => store.findTalk(id)));
        return talks.filter((t): t is Talk => t !== undefined);
      },
    };
  }
}
