import type { CatalogueStore } from '../catalogue/store-port.ts';
import { loadAndFollow } from '../catalogue/load-and-follow.ts';
import type { Event, Talk } from '../catalogue/types.ts';
import { normalizeText, tokenize, STOPWORDS } from '../text/normalize.ts';
import { canonicalUrl, urlKey } from '../text/urls.ts';
import { safeDecode } from '../catalogue/ids.ts';
import { addToSetMap, removeFromSetMap } from '../platform/set-map.ts';
import { nameForms } from './name-forms.ts';
import { topicStems } from './topic.ts';
import { TypoIndex } from './typo-index.ts';

export { nameForms } from './name-forms.ts';
export { stemOf } from './topic.ts';
import {
  eventMarkers,
  GLOBAL_KEY,
  linkFitsEvent,
  linkShape,
  talkShapeKeys,
  type EventMarkers,
} from '../catalogue/talk-urls.ts';

export type SpeakerName = {
  readonly full: string;
  /** Every 2–3 word form the name is written in (see `nameForms`), `full` included. */
  readonly forms: readonly string[];
  readonly first: string;
  readonly last: string;
  readonly display: string;
};

export type TalkEntry = {
  readonly id: string;
  readonly eventId: string;
  readonly title: string;
  /** Content tokens (stopwords dropped) of title, subtitle and earlier titles, as ordered sequences. */
  readonly titleSeqs: readonly (readonly string[])[];
  /** Distinct content tokens of the current title (what coverage is measured against). */
  readonly titleTerms: readonly string[];
  /** Adjacent title terms, `"segments services"`, of every title sequence. */
  readonly bigrams: ReadonlySet<string>;
  readonly speakers: readonly SpeakerName[];
  readonly urls: readonly string[];
  /** Schedule identity in URL shapes (`slug:…`, `sid:…`, `code:…`, `guid:…`; see catalogue/talk-urls.ts). */
  readonly shapeKeys: readonly string[];
  /**
   * Word stems of what the talk is about (title, subtitle, track, abstract; not the speakers' or
   * the event's own words): a paragraph that names the speaker and shares none of these is
   * probably not about this talk.
   */
  readonly topic: ReadonlySet<string>;
  /** Host of the talk's schedule page, a marker of its event. */
  readonly scheduleHost: string | undefined;
  /** Earlier ids and the schedule guid: references that resolve to the talk. */
  readonly refs: readonly string[];
};

type EventEntry = {
  readonly id: string;
  readonly phrases: readonly string[];
  readonly city?: string | undefined;
  readonly days: readonly string[];
  readonly url?: string | undefined;
};

/**
 * What mention detection looks things up in, built once from the catalogue and kept in step with
 * every store commit: speaker names (full, first, last), title terms and title bigrams, the
 * talks' URLs, and events by name, alias, acronym, city and date. Every lookup is a hash probe,
 * so scanning a post costs time in proportion to the post, not to the catalogue.
 */
export class MentionIndex {
  readonly talks = new Map<string, TalkEntry>();
  readonly events = new Map<string, EventEntry>();
  /** `"mark mcclain"` → talk ids */
  readonly fullNames = new Map<string, Set<string>>();
  readonly lastNames = new Map<string, Set<string>>();
  /** `"<eventId>|mcclain"` → talk ids: surnames within one event. */
  readonly eventLastNames = new Map<string, Set<string>>();
  /** `"<eventId>|mark mcclain"` → talk ids: full names within one event. */
  readonly eventFullNames = new Map<string, Set<string>>();
  readonly firstNames = new Map<string, Set<string>>();
  /** Title content term → talk ids. */
  readonly titleTerms = new Map<string, Set<string>>();
  /** Adjacent title content terms `"segments services"` → talk ids. */
  readonly titleBigrams = new Map<string, Set<string>>();
  readonly urls = new Map<string, string>();
  /** Shape key → talk ids (guarded by the event when a link is resolved). */
  readonly shapeKeys = new Map<string, Set<string>>();
  /** Event → hosts of its talks' schedule pages (with counts, so removals are exact). */
  private readonly scheduleHosts = new Map<string, Map<string, number>>();
  private readonly markers = new Map<string, EventMarkers>();
  readonly refs = new Map<string, string>();
  /** Normalised event name / alias / acronym → event ids. */
  readonly eventPhrases = new Map<string, Set<string>>();
  readonly eventCities = new Map<string, Set<string>>();
  readonly eventDays = new Map<string, Set<string>>();
  readonly eventUrls = new Map<string, string>();
  readonly talksByEvent = new Map<string, Set<string>>();
  /**
   * Every word prefix of an event phrase (`"open"`, `"open cloud"`, …): the n-gram scan stops as
   * soon as the words so far start no phrase. Never shrinks (a stale prefix only costs a probe).
   */
  readonly eventPhrasePrefixes = new Set<string>();
  /** Longest event phrase in tokens (bounds the n-gram scan). */
  maxPhraseTokens = 1;
  /** Speakers' first and last names and title terms, for typo lookup (`near`). */
  readonly typos = new TypoIndex();
  private unsubscribe: (() => void) | undefined;

  constructor(readonly publicUrl: string) {}

  static async attach(
    store: Pick<CatalogueStore, 'listEvents' | 'allTalks' | 'onCommit'>,
    publicUrl: string,
  ): Promise<MentionIndex> {
    const index = new MentionIndex(publicUrl);
    await index.follow(store);
    return index;
  }

  /** `attach` on an empty index, yielding to the event loop every `yieldEvery` talks (background build). */
  async follow(store: Pick<CatalogueStore, 'listEvents' | 'allTalks' | 'onCommit'>, yieldEvery = Infinity) {
    const index = this; // the body attach had, unchanged
    index.unsubscribe = await loadAndFollow(
      store,
      async () => {
        for (const e of await store.listEvents()) index.upsertEvent(e);
        let n = 0;
        for (const t of await store.allTalks()) {
          index.upsertTalk(t);
          if (++n % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      },
      ({ put, deleted }) => {
        for (const t of deleted.talks ?? []) index.removeTalk(t.id);
        for (const e of deleted.events ?? []) {
          // An event leaves with its talks, whether or not the commit names them.
          for (const talkId of [...(index.talksByEvent.get(e.id) ?? [])]) index.removeTalk(talkId);
          index.removeEvent(e.id);
        }
        for (const e of put.events ?? []) index.upsertEvent(e);
        for (const t of put.talks ?? []) index.upsertTalk(t);
      },
    );
  }

  detach(): void {
    this.unsubscribe?.();
  }

  get size(): number {
    return this.talks.size;
  }

  /** Number of talks whose title contains `term` (title document frequency). */
  titleDf(term: string): number {
    return this.titleTerms.get(term)?.size ?? 0;
  }

  /** Inverse title frequency, BM25-style, > 0. */
  titleIdf(term: string): number {
    const n = Math.max(1, this.talks.size);
    const df = this.titleDf(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  upsertEvent(e: Event): void {
    this.removeEvent(e.id);
    const phrases = [e.name, e.acronym, ...e.aliases]
      .filter((p): p is string => Boolean(p))
      .map(normalizeText)
      .filter(Boolean);
    this.markers.set(e.id, eventMarkers(e));
    const entry: EventEntry = {
      id: e.id,
      phrases,
      city: e.city ? normalizeText(e.city) : undefined,
      days: daysOf(e.startDate, e.endDate),
      url: e.url ? canonicalUrl(e.url) : undefined,
    };
    this.events.set(e.id, entry);
    for (const p of phrases) {
      addToSetMap(this.eventPhrases, p, e.id);
      const words = p.split(' ');
      for (let n = 1; n < words.length; n += 1) this.eventPhrasePrefixes.add(words.slice(0, n).join(' '));
      this.maxPhraseTokens = Math.max(this.maxPhraseTokens, p.split(' ').length);
    }
    if (entry.city) addToSetMap(this.eventCities, entry.city, e.id);
    for (const d of entry.days) addToSetMap(this.eventDays, d, e.id);
    if (entry.url) this.eventUrls.set(entry.url, e.id);
    this.eventUrls.set(canonicalUrl(`${this.publicUrl}/e/${e.id}`), e.id);
  }

  removeEvent(id: string): void {
    const old = this.events.get(id);
    if (!old) return;
    for (const p of old.phrases) removeFromSetMap(this.eventPhrases, p, id);
    if (old.city) removeFromSetMap(this.eventCities, old.city, id);
    for (const d of old.days) removeFromSetMap(this.eventDays, d, id);
    if (old.url) this.eventUrls.delete(old.url);
    this.eventUrls.delete(canonicalUrl(`${this.publicUrl}/e/${id}`));
    this.markers.delete(id);
    this.events.delete(id);
  }

  upsertTalk(t: Talk): void {
    this.removeTalk(t.id);
    // The event's and the track's own words name no particular talk ("Welcome to Elbe Hackdays",
    // "Embedded devroom introduction"): they are left out of the title terms, unless nothing else is left.
    const shared = new Set([
      ...(this.events.get(t.eventId)?.phrases ?? []).flatMap((p) => p.split(' ')),
      ...tokenize(t.track ?? ''),
    ]);
    const content = (s: string): string[] => {
      const words = tokenize(s).filter((w) => !STOPWORDS.has(w));
      const own = words.filter((w) => !shared.has(w));
      return own.length > 0 ? own : words;
    };
    const titleSeqs = [t.title, t.subtitle, ...t.aliases.filter((a) => a.includes(' '))]
      .filter((s): s is string => Boolean(s))
      .map(content)
      .filter((s) => s.length > 0);
    const speakers: SpeakerName[] = t.speakers
      .map((s) => {
        const tokens = tokenize(s.name);
        return {
          full: tokens.join(' '),
          forms: nameForms(s.name),
          first: tokens[0] ?? '',
          last: tokens[tokens.length - 1] ?? '',
          display: s.name,
        };
      })
      .filter((s) => s.full.length > 0);
    const urls = [
      ...[t.externalIds.scheduleUrl, ...t.recordings.map((r) => r.url)]
        .filter((u): u is string => Boolean(u))
        .map(urlKey),
      ...t.recordings.map((r) => r.key),
    ];
    const refs = [
      ...t.aliases.filter((a) => !a.includes(' ')),
      ...(t.externalIds.guid ? [t.externalIds.guid.toLowerCase()] : []),
    ];
    const entry: TalkEntry = {
      id: t.id,
      eventId: t.eventId,
      title: t.title,
      titleSeqs,
      titleTerms: [...new Set(content(t.title))],
      bigrams: new Set(titleSeqs.flatMap((seq) => seq.slice(1).map((w, i) => `${seq[i]} ${w}`))),
      speakers,
      urls,
      shapeKeys: talkShapeKeys(t),
      topic: topicStems(t, speakers, this.events.get(t.eventId)?.phrases ?? []),
      scheduleHost: linkShape(t.externalIds.scheduleUrl ?? '')?.host,
      refs,
    };
    this.talks.set(t.id, entry);
    for (const w of typoWords(entry)) this.typos.add(w);
    for (const k of entry.shapeKeys) addToSetMap(this.shapeKeys, k, t.id);
    if (entry.scheduleHost) {
      let hosts = this.scheduleHosts.get(t.eventId);
      if (!hosts) this.scheduleHosts.set(t.eventId, (hosts = new Map()));
      hosts.set(entry.scheduleHost, (hosts.get(entry.scheduleHost) ?? 0) + 1);
    }
    addToSetMap(this.talksByEvent, t.eventId, t.id);
    for (const seq of titleSeqs) {
      for (const w of new Set(seq)) addToSetMap(this.titleTerms, w, t.id);
      for (let i = 0; i + 1 < seq.length; i += 1) addToSetMap(this.titleBigrams, `${seq[i]} ${seq[i + 1]}`, t.id);
    }
    for (const s of speakers) {
      for (const form of s.forms) {
        addToSetMap(this.fullNames, form, t.id);
        addToSetMap(this.eventFullNames, `${t.eventId}|${form}`, t.id);
      }
      addToSetMap(this.eventLastNames, `${t.eventId}|${s.last}`, t.id);
      if (s.full.includes(' ')) {
        addToSetMap(this.firstNames, s.first, t.id);
        addToSetMap(this.lastNames, s.last, t.id);
      }
    }
    for (const u of urls) this.urls.set(u, t.id);
    for (const r of refs) this.refs.set(r, t.id);
  }

  removeTalk(id: string): void {
    const old = this.talks.get(id);
    if (!old) return;
    removeFromSetMap(this.talksByEvent, old.eventId, id);
    for (const seq of old.titleSeqs) {
      for (const w of seq) removeFromSetMap(this.titleTerms, w, id);
      for (let i = 0; i + 1 < seq.length; i += 1) removeFromSetMap(this.titleBigrams, `${seq[i]} ${seq[i + 1]}`, id);
    }
    for (const s of old.speakers) {
      for (const form of s.forms) {
        removeFromSetMap(this.fullNames, form, id);
        removeFromSetMap(this.eventFullNames, `${old.eventId}|${form}`, id);
      }
      removeFromSetMap(this.eventLastNames, `${old.eventId}|${s.last}`, id);
      removeFromSetMap(this.firstNames, s.first, id);
      removeFromSetMap(this.lastNames, s.last, id);
    }
    for (const u of old.urls) if (this.urls.get(u) === id) this.urls.delete(u);
    for (const r of old.refs) if (this.refs.get(r) === id) this.refs.delete(r);
    for (const k of old.shapeKeys) removeFromSetMap(this.shapeKeys, k, id);
    const hosts = old.scheduleHost ? this.scheduleHosts.get(old.eventId) : undefined;
    if (hosts && old.scheduleHost) {
      const n = (hosts.get(old.scheduleHost) ?? 1) - 1;
      if (n > 0) hosts.set(old.scheduleHost, n);
      else hosts.delete(old.scheduleHost);
    }
    for (const w of typoWords(old)) this.typos.remove(w);
    this.talks.delete(id);
  }

  /**
   * The talk a link points at, by any URL Talkreel knows: its Talkreel page, its schedule page or
   * a recording (any provider shape), or a schedule-derived shape (slug, schedule id, pretalx code,
   * guid) on a page that carries a marker of the talk's event (host, acronym). Ambiguity answers
   * nothing.
   */
  talkOfLink(url: string): string | undefined {
    const direct = this.talkOfOwnUrl(url) ?? this.urls.get(urlKey(url));
    if (direct) return direct;
    const shape = linkShape(url);
    if (!shape) return undefined;
    const found = new Set<string>();
    for (const key of shape.keys) {
      const ids = this.shapeKeys.get(key);
      if (!ids) continue;
      const fitting = [...ids].filter((id) => this.linkFits(shape, this.talks.get(id)?.eventId));
      if (fitting.length === 1) found.add(fitting[0]!);
      else if (fitting.length === 0 && ids.size === 1 && GLOBAL_KEY.test(key)) found.add([...ids][0]!);
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  /**
   * A talk named by a reference a person pastes: a URL (see `talkOfLink`) or a schedule slug,
   * current or earlier, when exactly one talk has it.
   */
  talkOfRef(ref: string): string | undefined {
    const trimmed = ref.trim();
    if (/^https?:\/\//i.test(trimmed)) return this.talkOfLink(trimmed);
    // A URL pasted without its scheme: `fosdem.org/2031/schedule/event/…`, `youtu.be/…`.
    if (SCHEMELESS_URL.test(trimmed)) return this.talkOfLink(`https://${trimmed}`);
    const ids = this.shapeKeys.get(`slug:${trimmed.toLowerCase().replace(/\/+$/, '')}`);
    return ids?.size === 1 ? [...ids][0] : undefined;
  }

  private linkFits(shape: NonNullable<ReturnType<typeof linkShape>>, eventId: string | undefined): boolean {
    if (!eventId) return false;
    const markers = this.markers.get(eventId);
    const hosts = this.scheduleHosts.get(eventId);
    if (hosts?.has(shape.host)) return true;
    return markers !== undefined && linkFitsEvent(shape, markers);
  }

  /** The talk a Talkreel page URL (`<public>/t/<id>[/watch]`) points at. */
  talkOfOwnUrl(url: string): string | undefined {
    const base = `${canonicalUrl(this.publicUrl)}/t/`;
    const c = canonicalUrl(url);
    if (!c.startsWith(base)) return undefined;
    const ref = safeDecode(c.slice(base.length).split(/[/?#]/)[0] ?? '');
    if (ref === undefined) return undefined;
    return this.talks.has(ref) ? ref : this.refs.get(ref);
  }
}

/** A host name with a dot, then a path: a URL without `https://`. */
const SCHEMELESS_URL = /^(?:[a-z0-9-]+\.)+[a-z]{2,}\/\S*$/i;

/** The words of a talk that a post may misspell: title terms and speakers' first and last names. */
function typoWords(entry: TalkEntry): Set<string> {
  const words = new Set(entry.titleSeqs.flat());
  for (const s of entry.speakers) words.add(s.first).add(s.last);
  return words;
}

/** Every day from start to end (at most 14), `YYYY-MM-DD`. */
function daysOf(start: string | undefined, end: string | undefined): string[] {
  if (!start) return [];
  const days: string[] = [];
  const last = Date.parse(`${end ?? start}T00:00:00Z`);
  for (let t = Date.parse(`${start}T00:00:00Z`), i = 0; t <= last && i < 14; t += 86_400_000, i += 1)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
