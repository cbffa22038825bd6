/**
 * The persisted record kinds and their secondary indexes. Every adapter keeps the same indexes
 * (memory: maps; lowdb: maps rebuilt on open; PostgreSQL: a GIN-indexed `keys` column), so the
 * operations can ask "talks of this event" or "posts mentioning this talk" without scanning.
 */
import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import type { Source, UnmatchedRecording } from '../recordings/types.ts';
import type { Blog, Post, Webmention } from '../posts/types.ts';
import type { Delivery, Subscription } from '../notify/types.ts';
import { filterKey } from '../notify/filters.ts';

export type { DomainEvent };

/** Every persisted collection, keyed by record id. */
export type Collections = {
  events: Event;
  talks: Talk;
  sources: Source;
  unmatched: UnmatchedRecording;
  posts: Post;
  blogs: Blog;
  webmentions: Webmention;
  subscriptions: Subscription;
  deliveries: Delivery;
};
export type CollectionName = keyof Collections;
export const COLLECTION_NAMES: readonly CollectionName[] = [
  'events',
  'talks',
  'sources',
  'unmatched',
  'posts',
  'blogs',
  'webmentions',
  'subscriptions',
  'deliveries',
];

type IndexFns<T> = { readonly [index: string]: (record: T) => readonly string[] };

/**
 * Secondary indexes: for each collection, index name → the keys a record is found under.
 * Keys are exact strings; callers normalise (lower-case guids) before asking.
 */
export const INDEXES = {
  events: {},
  talks: {
    event: (t: Talk) => [t.eventId],
    ref: (t: Talk) => talkRefs(t),
    recording: (t: Talk) => [t.recording.status],
  },
  sources: {
    event: (s: Source) => [s.eventId],
  },
  unmatched: {
    event: (u: UnmatchedRecording) => [u.eventId],
  },
  posts: {
    talk: (p: Post) => [...new Set(p.mentions.map((m) => m.talkId))],
    blog: (p: Post) => (p.blogId ? [p.blogId] : []),
  },
  blogs: {
    feedUrl: (b: Blog) => [b.feedUrl],
  },
  webmentions: {
    status: (w: Webmention) => [w.status],
    post: (w: Webmention) => (w.postId ? [w.postId] : []),
  },
  subscriptions: {
    /** Only active subscriptions are found by the fan-out. */
    active: (s: Subscription) => (s.status === 'active' ? [filterKey(s.filter)] : []),
    email: (s: Subscription) => (s.channel === 'email' ? [s.email] : []),
    token: (s: Subscription) =>
      s.channel === 'email' ? [s.unsubscribeToken, ...(s.confirmToken ? [s.confirmToken] : [])] : [],
  },
  deliveries: {
    status: (d: Delivery) => [d.status],
    subscription: (d: Delivery) => (d.subscriptionId ? [d.subscriptionId] : []),
  },
} as const satisfies { readonly [K in CollectionName]: IndexFns<Collections[K]> };

export type IndexName<K extends CollectionName> = keyof (typeof INDEXES)[K] & string;

/** Every `index:key` pair a record is found under (the PostgreSQL `keys` column, the memory maps). */
export function indexKeys<K extends CollectionName>(collection: K, record: Collections[K]): string[] {
  const fns = INDEXES[collection] as IndexFns<Collections[K]>;
  const keys: string[] = [];
  for (const [name, fn] of Object.entries(fns)) for (const key of fn(record)) keys.push(`${name}:${key}`);
  return keys;
}

/**
 * References other than the id that resolve to a talk: the schedule guid (lower case),
 * `<eventId>:<scheduleId>`, and earlier ids kept as aliases (aliases with spaces are old titles).
 */
export function talkRefs(talk: Talk): string[] {
  const refs: string[] = [];
  if (talk.externalIds.guid) refs.push(talk.externalIds.guid.toLowerCase());
  if (talk.externalIds.scheduleId) refs.push(`${talk.eventId}:${talk.externalIds.scheduleId}`);
  for (const alias of talk.aliases) if (/^[a-z0-9][a-z0-9._~-]*$/i.test(alias)) refs.push(alias);
  return refs;
}
