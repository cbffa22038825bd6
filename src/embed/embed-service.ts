/**
 * The embeds use-case: select the talks of a list (event, talk refs, recap post or speaker), build
 * each representation once per (variant, normalised request) until the next store commit, and
 * answer oEmbed. A cached answer costs no store read, so revalidations (304) stay cheap.
 */
import { createHash } from 'node:crypto';
import type { Event, Talk } from '../catalogue/types.ts';
import type { Post } from '../posts/types.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { resolveFilter, speakerKey, type FilterDeps } from '../notify/filters.ts';
import type { Theme } from './html.ts';
import { listJson, renderListDocument, renderListFragment, renderTalkCard, type TalkList } from './list.ts';
import { eventOembed, oembedTarget, talkOembed, type OembedResponse, type OembedSizeLimits } from './oembed.ts';
import type { ListSelector } from './snippets.ts';
import { talkView, type TalkView } from './talk-view.ts';

/** The store operations the embeds read, and its commit stream. */
export interface EmbedStore {
  findTalk(ref: string): Promise<Talk | undefined>;
  getTalks(ids: readonly string[]): Promise<Talk[]>;
  talksOfEvent(eventId: string): Promise<Talk[]>;
  allTalks(): Promise<Talk[]>;
  getEvent(id: string): Promise<Event | undefined>;
  getEvents(ids: readonly string[]): Promise<Event[]>;
  getPost(id: string): Promise<Post | undefined>;
  onCommit(listener: () => void): () => void;
}

export type EmbedDeps = {
  readonly store: EmbedStore;
  /** Talk ids a free-text search ranks first (the lookup index), to recognise speaker names. */
  readonly searchTalkIds: (query: string, limit: number) => readonly string[];
  /** Base of permanent links, without a trailing slash. */
  readonly publicUrl: string;
  /** Answers kept before the cache starts over (speaker and post lists are open-ended). @default 1000 */
  readonly maxCached?: number | undefined;
};

/** Which representation of a list. */
export type ListVariant = 'document' | 'fragment' | 'json';

export type ListRequest = {
  readonly selector: ListSelector;
  /** @default 'auto' */
  readonly theme?: Theme | undefined;
  /** @default false */
  readonly compact?: boolean | undefined;
  /** Talks at most. @default 100 */
  readonly limit?: number | undefined;
};

/** A body ready to serve with its strong validator. */
export type ServedEmbed = { readonly body: string; readonly contentType: string; readonly etag: string };

export const DEFAULT_LIST_LIMIT = 100;
/** Most refs `talks=` may name. */
export const MAX_TALK_REFS = 100;

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

const byStart = (a: TalkView, b: TalkView): number =>
  (a.start ?? '\uffff').localeCompare(b.start ?? '\uffff') ||
  a.title.localeCompare(b.title) ||
  a.id.localeCompare(b.id);

export class EmbedService {
  private readonly cache = new Map<string, ServedEmbed>();
  /** Bumped by every commit: a build that started before a commit is not cached. */
  private generation = 0;
  private readonly unsubscribe: () => void;
  private readonly maxCached: number;

  constructor(private readonly deps: EmbedDeps) {
    this.maxCached = deps.maxCached ?? 1000;
    this.unsubscribe = deps.store.onCommit(() => {
      this.generation++;
      this.cache.clear();
    });
  }

  /**
   * A list in one representation. Unknown events and talk refs are 404 (`DomainError`), a bad
   * speaker or post value 400; an unknown post is an empty list (it may be submitted later).
   */
  list(variant: ListVariant, req: ListRequest): Promise<ServedEmbed> | ServedEmbed {
    const theme = req.theme ?? 'auto';
    const compact = req.compact ?? false;
    const limit = req.limit ?? DEFAULT_LIST_LIMIT;
    const selector = normalise(req.selector);
    // Only what changes the bytes is in the key: the fragment and JSON have no theme.
    const key = JSON.stringify([
      'list',
      variant,
      selector.kind,
      selector.value,
      variant === 'document' ? theme : null,
      variant === 'document' ? compact : null,
      limit,
    ]);
    return this.cached(key, async () => {
      const list = await this.select(selector, limit);
      const { publicUrl } = this.deps;
      switch (variant) {
        case 'document':
          return serve(renderListDocument(list, { theme, compact, publicUrl }), HTML);
        case 'fragment':
          return serve(renderListFragment(list, { publicUrl }), HTML);
        case 'json':
          return serve(JSON.stringify(listJson(list)), JSON_TYPE);
        default: {
          const never: never = variant;
          throw new Error(`unknown list variant ${String(never)}`);
        }
      }
    });
  }

  /** One talk's 16:9 card (`/embed/talk/<ref>`): the player once published, "pending" before. */
  talkCard(ref: string, theme: Theme = 'auto'): Promise<ServedEmbed> | ServedEmbed {
    return this.cached(JSON.stringify(['talk', ref, theme]), async () => {
      const talk = await this.deps.store.findTalk(ref);
      if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', ref);
      const event = await this.deps.store.getEvent(talk.eventId);
      return serve(renderTalkCard(talkView(talk, event, this.deps.publicUrl), { theme }), HTML);
    });
  }

  /** oEmbed for a talk or event page URL of ours; anything else is 404 `NOT_FOUND`. */
  async oembed(url: string, limits: OembedSizeLimits): Promise<OembedResponse> {
    const { store, publicUrl } = this.deps;
    const target = oembedTarget(url, publicUrl);
    if (!target) throw new DomainError('NOT_FOUND', `no oEmbed for ${url}: not a talk or event page of ${publicUrl}`);
    if (target.kind === 'event') {
      const event = await store.getEvent(target.id);
      if (!event) throw notFound('EVENT_NOT_FOUND', 'event', target.id);
      return eventOembed(event, publicUrl, limits);
    }
    const talk = await store.findTalk(target.id);
    if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', target.id);
    return talkOembed(talkView(talk, await store.getEvent(talk.eventId), publicUrl), publicUrl, limits);
  }

  /** Stop following the store's commits. */
  detach(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  /** The cached answer, synchronously (no store read, no await), or a build that is then cached. */
  private cached(key: string, build: () => Promise<ServedEmbed>): Promise<ServedEmbed> | ServedEmbed {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const generation = this.generation;
    return build().then((served) => {
      if (generation === this.generation) {
        if (this.cache.size >= this.maxCached) this.cache.clear();
        this.cache.set(key, served);
      }
      return served;
    });
  }

  private async select(selector: ListSelector, limit: number): Promise<TalkList> {
    const { store } = this.deps;
    let title: string;
    let talks: Talk[];
    let order: ((a: TalkView, b: TalkView) => number) | undefined = byStart;
    switch (selector.kind) {
      case 'event': {
        const filter = await resolveFilter(this.filterDeps(), { event: selector.value });
        title = `Talks: ${filter.label}`;
        talks = await store.talksOfEvent(filter.key);
        break;
      }
      case 'speaker': {
        const filter = await resolveFilter(this.filterDeps(), { speaker: selector.value });
        title = `Talks by ${filter.label}`;
        talks = (await store.allTalks()).filter((t) => t.speakers.some((s) => speakerKey(s.name) === filter.key));
        // A speaker's newest talks first.
        order = (a, b) => byStart(b, a);
        break;
      }
      case 'post': {
        const filter = await resolveFilter(this.filterDeps(), { post: selector.value });
        const post = await store.getPost(filter.key);
        title = `Talks in ${post?.title ?? filter.label}`;
        talks = post ? await store.getTalks([...new Set(post.mentions.map((m) => m.talkId))]) : [];
        break;
      }
      case 'talks': {
        const found = await Promise.all(selector.value.map(async (ref) => [ref, await store.findTalk(ref)] as const));
        const missing = found.find(([, t]) => !t);
        if (missing) throw notFound('TALK_NOT_FOUND', 'talk', missing[0]);
        const seen = new Set<string>();
        talks = found.flatMap(([, t]) => (t && !seen.has(t.id) && seen.add(t.id) ? [t] : []));
        title = 'Talks';
        // In the order the blogger gave.
        order = undefined;
        break;
      }
      default: {
        const never: never = selector;
        throw new Error(`unknown selector ${JSON.stringify(never)}`);
      }
    }
    const events = new Map(
      (await store.getEvents([...new Set(talks.map((t) => t.eventId))])).map((e) => [e.id, e] as const),
    );
    const views = talks.map((t) => talkView(t, events.get(t.eventId), this.deps.publicUrl));
    if (order) views.sort(order);
    return { title, talks: views.slice(0, limit) };
  }

  private filterDeps(): FilterDeps {
    const { store, searchTalkIds } = this.deps;
    return {
      findTalk: (ref) => store.findTalk(ref),
      getEvent: (id) => store.getEvent(id),
      searchTalks: (query, limit) => store.getTalks(searchTalkIds(query, limit)),
    };
  }
}

/** Trimmed values; talk refs without blanks or repeats, at most {@link MAX_TALK_REFS}. */
function normalise(selector: ListSelector): ListSelector {
  if (selector.kind !== 'talks') return { kind: selector.kind, value: selector.value.trim().replace(/\s+/g, ' ') };
  const refs = [...new Set(selector.value.map((r) => r.trim()).filter(Boolean))];
  if (refs.length === 0 || refs.length > MAX_TALK_REFS)
    throw new DomainError('VALIDATION_FAILED', `talks: give 1 to ${MAX_TALK_REFS} talk ids`, { count: refs.length });
  return { kind: 'talks', value: refs };
}

function serve(body: string, contentType: string): ServedEmbed {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
