/**
 * The events a post is about: given by the caller, linked, named by name, alias or acronym, or
 * recognised by city and date. They raise the confidence of their talks and let bare surnames count.
 */
import type { PostDocument } from '../text/extract.ts';
import { canonicalUrl } from '../text/urls.ts';
import { datesIn } from './dates.ts';
import type { MentionIndex } from './mention-index.ts';
import type { Token } from './tokens.ts';

/** Event id → how sure we are the post is about it. Insertion order is the order of discovery. */
export type EventContext = Map<string, 'strong' | 'weak'>;

/**
 * Events the post is about. `eventId` (a Webmention target, `--event`) is strong; so are linked
 * events, multi-word or acronym-like event phrases, and a city together with a date of the event;
 * a city or a date alone is weak.
 */
export function eventsAbout(
  text: string,
  tokens: readonly Token[],
  doc: PostDocument,
  index: MentionIndex,
  eventId: string | undefined,
): EventContext {
  const about: EventContext = new Map();
  if (eventId && index.events.has(eventId)) about.set(eventId, 'strong');
  const mark = (ids: Iterable<string> | undefined, strength: 'strong' | 'weak'): void => {
    for (const id of ids ?? []) if (about.get(id) !== 'strong') about.set(id, strength);
  };
  for (const link of doc.links) {
    const id = index.eventUrls.get(canonicalUrl(link.href));
    if (id) mark([id], 'strong');
  }
  const cities = new Set<string>();
  for (let i = 0; i < tokens.length; i += 1) {
    let phrase = '';
    for (let n = 1; n <= index.maxPhraseTokens && i + n <= tokens.length; n += 1) {
      phrase = n === 1 ? tokens[i]!.t : `${phrase} ${tokens[i + n - 1]!.t}`;
      const ids = index.eventPhrases.get(phrase);
      // single generic words ("openstack") name many things; a one-word phrase must be an acronym-like token
      if (ids && (n > 1 || /\d/.test(phrase) || tokens[i]!.raw === tokens[i]!.raw.toUpperCase())) mark(ids, 'strong');
      if (!index.eventPhrasePrefixes.has(phrase)) break;
    }
    const c = index.eventCities.get(tokens[i]!.t);
    if (c && tokens[i]!.capital) for (const id of c) cities.add(id);
  }
  const dated = new Set<string>();
  for (const day of datesIn(text)) for (const id of index.eventDays.get(day) ?? []) dated.add(id);
  // City and date together name an event. Alone, each is weak, and only while it tells a few
  // events apart: a city or a day shared by many events of a large catalogue names none of them.
  const both = [...cities].filter((id) => dated.has(id));
  mark(both, 'strong');
  if (cities.size <= WEAK_MARKER_EVENTS) mark(cities, 'weak');
  if (dated.size <= WEAK_MARKER_EVENTS) mark(dated, 'weak');
  return about;
}

/** A city or a date alone marks the events it names as weak context only when they are at most this many. */
const WEAK_MARKER_EVENTS = 3;
