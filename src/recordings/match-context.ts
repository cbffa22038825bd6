import type { Event, Talk } from '../catalogue/types.ts';
import { normalizeText } from '../text/normalize.ts';
import { canonicalUrl } from '../text/urls.ts';

/** Per-event lookup tables for the exact steps, plus what the evidence step needs. */
export type EventMatchContext = {
  readonly event: Event;
  readonly talks: ReadonlyMap<string, Talk>;
  readonly byGuid: ReadonlyMap<string, Talk>;
  readonly byScheduleId: ReadonlyMap<string, Talk>;
  readonly bySlug: ReadonlyMap<string, Talk>;
  readonly byUrl: ReadonlyMap<string, Talk>;
  /** Normalised speaker full name → ids of their talks at the event. */
  readonly talksBySpeaker: ReadonlyMap<string, readonly string[]>;
  /** Normalised event names, aliases, acronym and city: decorations to strip from titles. */
  readonly eventWords: ReadonlySet<string>;
  readonly eventPhrases: readonly string[];
  /** Base URL of Talkreel's own talk pages, whose `/t/<id>` links identify a talk. */
  readonly publicUrl?: string | undefined;
};

/** Build the exact-match tables of one event (O(talks of the event), once per poll). */
export function buildEventContext(event: Event, talks: readonly Talk[], publicUrl?: string): EventMatchContext {
  const byGuid = new Map<string, Talk>();
  const byScheduleId = new Map<string, Talk>();
  const bySlug = new Map<string, Talk>();
  const byUrl = new Map<string, Talk>();
  const talksBySpeaker = new Map<string, string[]>();
  for (const t of talks) {
    if (t.externalIds.guid) byGuid.set(t.externalIds.guid.toLowerCase(), t);
    if (t.externalIds.scheduleId) byScheduleId.set(t.externalIds.scheduleId, t);
    if (t.externalIds.slug) bySlug.set(t.externalIds.slug.toLowerCase(), t);
    for (const alias of t.aliases)
      if (/^[a-z0-9-]+$/i.test(alias) && alias.includes('-')) bySlug.set(alias.toLowerCase(), t);
    if (t.externalIds.scheduleUrl) byUrl.set(canonicalUrl(t.externalIds.scheduleUrl), t);
    for (const r of t.recordings) byUrl.set(canonicalUrl(r.url), t);
    for (const s of t.speakers) {
      const key = normalizeText(s.name);
      if (!key) continue;
      const list = talksBySpeaker.get(key) ?? [];
      list.push(t.id);
      talksBySpeaker.set(key, list);
    }
  }
  const phrases = [event.name, event.acronym, event.city, ...event.aliases]
    .filter((p): p is string => Boolean(p))
    .map(normalizeText)
    .filter(Boolean);
  const eventWords = new Set(phrases.flatMap((p) => p.split(' ')));
  // Acronyms people build from the name: "Journées du Logiciel Libre" → jdll, jll.
  for (const p of phrases) {
    const words = p.split(' ').filter((w) => !/^\d+$/.test(w));
    if (words.length >= 2) {
      eventWords.add(words.map((w) => w[0]).join(''));
      eventWords.add(
        words
          .filter((w) => w.length > 2)
          .map((w) => w[0])
          .join(''),
      );
    }
  }
  // Both years of an event that spans New Year (27–30 Dec … 2 Jan).
  for (const date of [event.startDate, event.endDate]) if (date) eventWords.add(date.slice(0, 4));
  return {
    event,
    talks: new Map(talks.map((t) => [t.id, t])),
    byGuid,
    byScheduleId,
    bySlug,
    byUrl,
    talksBySpeaker,
    eventWords,
    eventPhrases: phrases.sort((a, b) => b.length - a.length),
    publicUrl,
  };
}
