/**
 * The recording feeds (Atom 1.0, RFC 4287, and JSON Feed 1.1): which published talks a filter
 * selects and the document they make. Pure: the caller reads the store and serves the bytes.
 *
 * Ids never depend on when or where a feed was built: an entry's id is the talk's permanent page
 * (`<publicUrl>/t/<id>`), a feed's id its canonical URL, so readers never see an item twice.
 */
import { generateAtomFeed, generateJsonFeed, type AtomFeed, type JsonFeed } from 'feedsmith';
import type { Event, Talk } from '../catalogue/types.ts';
import { speakerKey } from './filters.ts';
import type { SubscriptionFilter } from './types.ts';

export type FeedFormat = 'atom' | 'json';
export const FEED_FORMATS: readonly FeedFormat[] = ['atom', 'json'];

/** Items in a feed when the reader does not ask. */
export const DEFAULT_FEED_LIMIT = 50;

export const FEED_CONTENT_TYPES: Readonly<Record<FeedFormat, string>> = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** A talk whose recording is out. */
export type PublishedTalk = Talk & { readonly recording: Extract<Talk['recording'], { status: 'published' }> };

export const isPublished = (talk: Talk): talk is PublishedTalk => talk.recording.status === 'published';

/**
 * The canonical URL of a feed: what `rel=self` says and what a WebSub hub is pinged with. The
 * filter is spelled by its key (talk and event id), so every alias of a talk names one feed.
 */
export function feedUrl(publicUrl: string, format: FeedFormat, filter?: SubscriptionFilter, limit?: number): string {
  const query = new URLSearchParams();
  if (filter) query.set(filter.kind, filter.kind === 'talk' || filter.kind === 'event' ? filter.key : filter.label);
  if (limit !== undefined && limit !== DEFAULT_FEED_LIMIT) query.set('limit', String(limit));
  const qs = query.toString();
  return `${publicUrl}/feeds/recordings.${format}${qs ? `?${qs}` : ''}`;
}

const talkUrl = (publicUrl: string, id: string): string => `${publicUrl}/t/${encodeURIComponent(id)}`;
const eventUrl = (publicUrl: string, id: string): string => `${publicUrl}/e/${encodeURIComponent(id)}`;

/**
 * The published talks a filter selects, newest recording first (ties by talk id, so the order is
 * stable), at most `limit`. `mentionedTalkIds` is the post filter's set: the talks that post mentions.
 */
export function selectFeedTalks(
  talks: readonly Talk[],
  filter: SubscriptionFilter | undefined,
  limit: number,
  mentionedTalkIds: ReadonlySet<string> = new Set(),
): PublishedTalk[] {
  const keep = (t: PublishedTalk): boolean => {
    if (!filter) return true;
    switch (filter.kind) {
      case 'talk':
        return t.id === filter.key;
      case 'event':
        return t.eventId === filter.key;
      case 'speaker':
        return t.speakers.some((s) => speakerKey(s.name) === filter.key);
      case 'post':
        return mentionedTalkIds.has(t.id);
      default: {
        const never: never = filter.kind;
        throw new Error(`unknown filter kind ${String(never)}`);
      }
    }
  };
  return talks
    .filter(isPublished)
    .filter(keep)
    .sort(
      (a, b) =>
        Date.parse(b.recording.publishedAt) - Date.parse(a.recording.publishedAt) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, limit);
}

export type FeedInput = {
  readonly format: FeedFormat;
  /** Base of permanent links, without a trailing slash. */
  readonly publicUrl: string;
  readonly filter?: SubscriptionFilter | undefined;
  readonly limit: number;
  /** Newest first, as `selectFeedTalks` returns them. */
  readonly talks: readonly PublishedTalk[];
  /** The events of those talks, by id. */
  readonly events: ReadonlyMap<string, Event>;
  /** WebSub hub to advertise (`rel=hub`). */
  readonly hub?: string | undefined;
};

/** A built feed: the document and the facts the HTTP layer needs for its headers. */
export type BuiltFeed = {
  readonly body: string;
  readonly contentType: string;
  /** Canonical URL of this feed (`rel=self`). */
  readonly selfUrl: string;
  readonly hub: string | undefined;
  /** Publication time of the newest item, ISO; undefined for an empty feed. */
  readonly lastModified: string | undefined;
};

/** Written as `updated` by an empty feed: a fixed time keeps its bytes (and ETag) stable. */
const EPOCH = '1970-01-01T00:00:00.000Z';

const KIND_LABEL: Readonly<Record<SubscriptionFilter['kind'], string>> = {
  talk: 'talk',
  event: 'event',
  speaker: 'speaker',
  post: 'talks mentioned in',
};

/** "Talkreel: recordings", then the filter, e.g. "Talkreel: recordings — event: FOSDEM 2024". */
export function feedTitle(filter: SubscriptionFilter | undefined): string {
  return filter ? `Talkreel: recordings — ${KIND_LABEL[filter.kind]}: ${filter.label}` : 'Talkreel: recordings';
}

/** The page a feed is the feed of: the talk or event page, else the site. */
function homePage(publicUrl: string, filter: SubscriptionFilter | undefined): string {
  if (filter?.kind === 'talk') return talkUrl(publicUrl, filter.key);
  if (filter?.kind === 'event') return eventUrl(publicUrl, filter.key);
  return `${publicUrl}/`;
}

/** Plain text: speakers, event, date and the recording URL (no markup, no enclosure). */
export function itemSummary(talk: PublishedTalk, event: Event | undefined): string {
  const lines = [
    talk.speakers.length > 0 ? `Speakers: ${talk.speakers.map((s) => s.name).join(', ')}` : undefined,
    `Event: ${event?.name ?? talk.eventId}`,
    talk.start ? `Date: ${talk.start.slice(0, 10)}` : undefined,
    `Recording: ${talk.recording.url}`,
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

/** Build the feed document with feedsmith (it does the XML/JSON escaping). */
export function buildFeed(input: FeedInput): BuiltFeed {
  const selfUrl = feedUrl(input.publicUrl, input.format, input.filter, input.limit);
  const lastModified = input.talks[0]?.recording.publishedAt;
  const body = input.format === 'atom' ? atomDocument(input, selfUrl, lastModified) : jsonDocument(input, selfUrl);
  return { body, contentType: FEED_CONTENT_TYPES[input.format], selfUrl, hub: input.hub, lastModified };
}

function atomDocument(input: FeedInput, selfUrl: string, lastModified: string | undefined): string {
  const { publicUrl } = input;
  const links: AtomFeed.Link<string>[] = [
    { href: selfUrl, rel: 'self', type: 'application/atom+xml' },
    { href: homePage(publicUrl, input.filter), rel: 'alternate', type: 'text/html' },
  ];
  if (input.hub) links.push({ href: input.hub, rel: 'hub' });
  const entries: AtomFeed.Entry<string>[] = input.talks.map((talk) => {
    const event = input.events.get(talk.eventId);
    const categories: AtomFeed.Category[] = [
      { term: talk.eventId, label: event?.name ?? talk.eventId, scheme: `${publicUrl}/e/` },
    ];
    if (talk.track) categories.push({ term: talk.track, label: talk.track });
    return {
      id: talkUrl(publicUrl, talk.id),
      title: { value: talk.title, type: 'text' },
      links: [
        { href: talkUrl(publicUrl, talk.id), rel: 'alternate', type: 'text/html' },
        // `related`, not a second `alternate`: the recording is another resource, not a representation of the entry.
        { href: talk.recording.url, rel: 'related' },
      ],
      authors: talk.speakers.map((s) => ({ name: s.name })),
      summary: { value: itemSummary(talk, event), type: 'text' },
      published: talk.recording.publishedAt,
      updated: talk.recording.publishedAt,
      categories,
    };
  });
  return generateAtomFeed({
    id: selfUrl,
    title: { value: feedTitle(input.filter), type: 'text' },
    updated: lastModified ?? EPOCH,
    links,
    // Entries without speakers still need an author (RFC 4287 §4.1.1).
    authors: [{ name: 'Talkreel', uri: `${publicUrl}/` }],
    generator: { text: 'Talkreel' },
    entries,
  });
}

function jsonDocument(input: FeedInput, selfUrl: string): string {
  const { publicUrl } = input;
  const items: JsonFeed.Item<string>[] = input.talks.map((talk) => {
    const event = input.events.get(talk.eventId);
    return {
      id: talkUrl(publicUrl, talk.id),
      url: talkUrl(publicUrl, talk.id),
      external_url: talk.recording.url,
      title: talk.title,
      content_text: itemSummary(talk, event),
      date_published: talk.recording.publishedAt,
      date_modified: talk.recording.publishedAt,
      authors: talk.speakers.map((s) => ({ name: s.name })),
      tags: [event?.name ?? talk.eventId, ...(talk.track ? [talk.track] : [])],
    };
  });
  const feed: JsonFeed.Feed<string> = {
    title: feedTitle(input.filter),
    home_page_url: homePage(publicUrl, input.filter),
    feed_url: selfUrl,
    items,
  };
  if (input.hub) feed.hubs = [{ type: 'WebSub', url: input.hub }];
  // feedsmith drops an empty list, but JSON Feed 1.1 requires `items`.
  const generated = { ...(generateJsonFeed(feed) as Record<string, unknown>) };
  generated.items ??= [];
  return `${JSON.stringify(generated, null, 2)}\n`;
}
