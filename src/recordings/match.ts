import type { Event, MatchInfo, Talk } from '../catalogue/types.ts';
import type { Candidate } from './types.ts';
import type { RecordingItem } from './source.ts';
import { normalizeText, similarity, tokenize, STOPWORDS, editDistanceAtMost } from '../text/normalize.ts';
import type { TalkIndex } from '../search/talk-index.ts';
import { safeDecode } from '../catalogue/ids.ts';
import { canonicalUrl } from '../text/urls.ts';
import { mediaCccSlug } from '../text/video-urls.ts';

/**
 * Recording → talk matching. Pure: works on an {@link EventMatchContext} built once per event and
 * poll, and on the shared search index, so matching one recording costs the index lookups for its
 * own words, not a pass over the catalogue.
 */

/** Accept an evidence match at or above this confidence… */
export const ACCEPT_CONFIDENCE = 0.75;
/** …and only when the runner-up is at least this far behind (otherwise: too close to call). */
export const MIN_MARGIN = 0.12;
/** …or when the runner-up's doubt (1 − confidence) is at least this multiple of the best one's. */
export const MIN_DOUBT_RATIO = 1.8;
/** Talks below this title similarity (and without a named speaker) are not even listed as candidates. */
const CANDIDATE_MIN_SIMILARITY = 0.3;

export type MatchDecision =
  | {
      readonly kind: 'matched';
      readonly talkId: string;
      readonly match: MatchInfo;
      readonly candidates: readonly Candidate[];
    }
  | { readonly kind: 'unmatched'; readonly reason: string; readonly candidates: readonly Candidate[] };

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
  const year = event.startDate?.slice(0, 4);
  if (year) eventWords.add(year);
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

/** Match one recording to a talk of the event, exact evidence first, then scored evidence. */
export function matchRecording(item: RecordingItem, ctx: EventMatchContext, index: TalkIndex): MatchDecision {
  const exact = matchExact(item, ctx);
  if (exact) return { kind: 'matched', talkId: exact.talk.id, match: exact.match, candidates: [] };
  return matchByEvidence(item, ctx, index);
}

// ---- 1. exact ---------------------------------------------------------------------------------

function matchExact(item: RecordingItem, ctx: EventMatchContext): { talk: Talk; match: MatchInfo } | undefined {
  const exact = (talk: Talk | undefined, method: MatchInfo['method'], evidence: string) =>
    talk && !talk.removedFromScheduleAt
      ? { talk, match: { method, confidence: 1, evidence: [evidence] } }
      : talk
        ? { talk, match: { method, confidence: 1, evidence: [evidence, 'talk no longer in the schedule'] } }
        : undefined;

  if (item.guid) {
    const hit = exact(ctx.byGuid.get(item.guid.toLowerCase()), 'guid', `schedule guid ${item.guid}`);
    if (hit) return hit;
  }
  const urls = [item.url, ...(item.links ?? [])];
  for (const url of urls) {
    const hit = exact(ctx.byUrl.get(canonicalUrl(url)), 'id-in-url', `link ${url}`);
    if (hit) return hit;
    const own =
      ctx.publicUrl && url.startsWith(`${ctx.publicUrl}/t/`)
        ? safeDecode(url.slice(ctx.publicUrl.length + 3).split(/[/?#]/)[0] ?? '')
        : undefined;
    if (own) {
      const t = ctx.talks.get(own) ?? [...ctx.talks.values()].find((x) => x.aliases.includes(own));
      const h = exact(t, 'id-in-url', `Talkreel link ${url}`);
      if (h) return h;
    }
    const slug = mediaCccSlug(url)?.toLowerCase();
    if (slug) {
      const h = exact(ctx.bySlug.get(slug) ?? talkBySlugId(slug, ctx), 'id-in-url', `media.ccc.de link ${url}`);
      if (h) return h;
    }
  }
  if (item.slug) {
    const h = exact(
      ctx.bySlug.get(item.slug.toLowerCase()) ?? talkBySlugId(item.slug.toLowerCase(), ctx),
      'slug',
      `slug ${item.slug}`,
    );
    if (h) return h;
  }
  return undefined;
}

/**
 * The schedule id inside a c3voc-style slug `<acronym>-<id>-<title words>`, trusted only when the
 * slug starts with this event's acronym (numeric ids repeat across events).
 */
function talkBySlugId(slug: string, ctx: EventMatchContext): Talk | undefined {
  const acronym = ctx.event.acronym?.toLowerCase();
  const candidates = [acronym, ctx.event.id.toLowerCase()].filter((a): a is string => Boolean(a));
  for (const prefix of candidates) {
    if (!slug.startsWith(`${prefix}-`)) continue;
    const id = /^(\d+)(?:-|$)/.exec(slug.slice(prefix.length + 1))?.[1];
    if (id) return ctx.byScheduleId.get(id);
  }
  return undefined;
}

// ---- 2. evidence ------------------------------------------------------------------------------

const SEPARATORS = /\s+[-–—|~•·]\s+|\s*[|]\s*|:\s+|\s*[[\]()]\s*/;

/**
 * Title variants with decorations removed: "Speaker: Title", "Title - Event 2013",
 * "Title | Event", "[Event] Title", "Title (Event Paris 2013)". `foreign` names a part that reads as
 * another event or edition (a year this event does not have, or an event-like part with words of
 * its own next to the year): the recording was probably made elsewhere.
 */
export function titleVariants(
  title: string,
  ctx: EventMatchContext,
  speakerNames: readonly string[],
  talkTitle = '',
): { variants: string[]; foreign: string | undefined } {
  const talkTokens = new Set(tokenize(talkTitle));
  const variants = new Set<string>();
  const full = title.trim();
  if (full) variants.add(full);
  const parts = full
    .split(SEPARATORS)
    .map((p) => p?.trim())
    .filter((p): p is string => Boolean(p));
  const speakerTokens = new Set(speakerNames.flatMap((n) => tokenize(n)));
  const explained = (t: string): boolean =>
    ctx.eventWords.has(t) || speakerTokens.has(t) || /^\d{1,3}$/.test(t) || DECORATION_WORDS.has(t);
  const isYear = (t: string): boolean => /^(19|20)\d{2}$/.test(t);
  const isDecoration = (part: string): boolean => {
    const tokens = tokenize(part).filter((t) => !STOPWORDS.has(t));
    return tokens.every((t) => explained(t) || (isYear(t) && ctx.eventWords.has(t)));
  };
  const kept = parts.filter((p) => !isDecoration(p));
  if (kept.length > 0 && kept.length < parts.length) variants.add(kept.join(' '));
  // A leading or trailing part with a year, naming another edition or another event.
  let foreign: string | undefined;
  if (parts.length > 1) {
    for (const part of [parts[0]!, parts[parts.length - 1]!]) {
      const tokens = tokenize(part).filter((t) => !STOPWORDS.has(t));
      const years = tokens.filter(isYear);
      if (years.length === 0 || tokens.some((t) => talkTokens.has(t) && !isYear(t))) continue;
      const otherEdition = years.some((y) => !ctx.eventWords.has(y));
      const ownWords = tokens.some((t) => !isYear(t) && !explained(t));
      if (otherEdition || (ownWords && kept.length > 1)) foreign ??= part;
    }
  }
  // Event name inside the same part ("Havana to Icehouse OpenStack in Action 4").
  const n = normalizeText(full);
  for (const phrase of ctx.eventPhrases) {
    if (phrase.split(' ').length >= 2 && n.includes(phrase)) {
      const stripped = n.replace(phrase, ' ').replace(/\s+/g, ' ').trim();
      if (stripped) variants.add(stripped);
    }
  }
  return { variants: [...variants], foreign };
}

/** Words that decorate video titles without naming the talk. */
const DECORATION_WORDS = new Set([
  'keynote',
  'talk',
  'video',
  'recording',
  'session',
  'live',
  'full',
  'hd',
  'conference',
  'summit',
  'day',
  'opening',
  'en',
  'de',
  'fr',
  'lecture',
]);

type Scored = { talk: Talk; confidence: number; titleSim: number; speaker: string | undefined; evidence: string[] };

function matchByEvidence(item: RecordingItem, ctx: EventMatchContext, index: TalkIndex): MatchDecision {
  const text = [item.title, item.subtitle, (item.persons ?? []).join(', '), item.description?.slice(0, 2000)]
    .filter(Boolean)
    .join('\n');
  const itemTokens = tokenize(text);
  const titleTokens = tokenize(`${item.title} ${item.subtitle ?? ''}`);
  const personTokens = tokenize((item.persons ?? []).join(' '));
  const descriptionTokens = new Set(tokenize(item.description?.slice(0, 2000) ?? ''));

  // Candidate talks: index hits for the title (and subtitle), plus every talk of a speaker named in the item.
  const candidateIds = new Set<string>();
  const queries = [item.title, item.subtitle ? `${item.title} ${item.subtitle}` : undefined].filter((q): q is string =>
    Boolean(q && q.trim()),
  );
  for (const q of queries)
    for (const hit of index.search(q.slice(0, 300), { eventId: ctx.event.id, limit: 8 })) candidateIds.add(hit.id);
  const speakersFound = new Map<string, string>();
  for (const [name, ids] of ctx.talksBySpeaker) {
    const where = findName(name, itemTokens, personTokens, titleTokens);
    if (where)
      for (const id of ids) {
        candidateIds.add(id);
        speakersFound.set(`${id}|${name}`, where);
      }
  }
  if (candidateIds.size === 0)
    return {
      kind: 'unmatched',
      reason: 'no talk of the event shares words or speakers with this recording',
      candidates: [],
    };

  const scored: Scored[] = [];
  for (const id of candidateIds) {
    const talk = ctx.talks.get(id);
    if (!talk) continue;
    const names = talk.speakers.map((s) => s.name);
    const { variants, foreign } = titleVariants(
      item.title,
      ctx,
      [...names, ...talk.speakers.map((s) => s.affiliation ?? '')],
      [talk.title, talk.subtitle ?? '', ...talk.aliases].join(' '),
    );
    if (item.subtitle) variants.push(`${item.title} ${item.subtitle}`);
    // Schedules decorate titles with the event too ("Ouverture des Journées"): compare without it as well.
    const bare = tokenize(talk.title)
      .filter((t) => !ctx.eventWords.has(t))
      .join(' ');
    const targets = [
      talk.title,
      bare && bare !== normalizeText(talk.title) ? bare : undefined,
      talk.subtitle ? `${talk.title} ${talk.subtitle}` : undefined,
      ...talk.aliases.filter((a) => a.includes(' ')),
    ].filter((x): x is string => Boolean(x));
    let titleSim = 0;
    for (const v of variants) for (const t of targets) titleSim = Math.max(titleSim, similarity(v, t));
    const speaker = names.find((n) => speakersFound.has(`${talk.id}|${normalizeText(n)}`));
    const evidence: string[] = [`title similarity ${titleSim.toFixed(2)}`];
    let confidence = titleSim;
    if (speaker) {
      evidence.push(`speaker "${speaker}" ${speakersFound.get(`${talk.id}|${normalizeText(speaker)}`)}`);
      // Independent evidence: a named speaker removes most of the remaining doubt about the title…
      confidence = 1 - (1 - confidence) * 0.4;
      // …and a title that is only the speaker's name identifies their talk if it is their only one.
      const speakerTalks = ctx.talksBySpeaker.get(normalizeText(speaker)) ?? [];
      const onlyDecoration = variants.every(
        (v) =>
          tokenize(v).filter(
            (t) =>
              !STOPWORDS.has(t) &&
              !ctx.eventWords.has(t) &&
              !DECORATION_WORDS.has(t) &&
              !/^\d+$/.test(t) &&
              !tokenize(names.join(' ')).includes(t),
          ).length === 0,
      );
      if (onlyDecoration) {
        confidence = speakerTalks.length === 1 ? Math.max(confidence, 0.85) : Math.min(confidence, 0.5);
        evidence.push(
          speakerTalks.length === 1
            ? 'title names only the speaker, who gave one talk'
            : `title names only the speaker, who gave ${speakerTalks.length} talks`,
        );
        // Which of their talks: the description may carry the talk's own title words.
        if (speakerTalks.length > 1 && descriptionTokens.size > 0) {
          const own = tokenize(talk.title).filter((t) => !STOPWORDS.has(t) && !ctx.eventWords.has(t));
          const covered = own.filter((t) => descriptionTokens.has(t)).length / Math.max(1, own.length);
          if (own.length >= 2 && covered >= 0.5) {
            confidence = 1 - (1 - confidence) * (1 - 0.8 * covered);
            evidence.push(`description carries ${Math.round(covered * 100)}% of the talk's title words`);
          }
        }
      }
    } else if (titleSim < CANDIDATE_MIN_SIMILARITY) {
      continue;
    }
    const dateCheck = checkDate(item, talk, ctx.event);
    if (dateCheck) {
      evidence.push(dateCheck);
      confidence *= 0.5;
    }
    if (foreign) {
      evidence.push(`title names another event or edition ("${foreign}")`);
      confidence *= 0.5;
    }
    if (talk.removedFromScheduleAt) {
      confidence *= 0.8;
      evidence.push('talk no longer in the schedule');
    }
    scored.push({ talk, confidence, titleSim, speaker, evidence });
  }
  scored.sort((a, b) => b.confidence - a.confidence || a.talk.id.localeCompare(b.talk.id));
  const candidates: Candidate[] = scored
    .slice(0, 5)
    .map((s) => ({ talkId: s.talk.id, score: round(s.confidence), evidence: s.evidence }));
  const best = scored[0];
  if (!best) return { kind: 'unmatched', reason: 'no candidate has enough title or speaker evidence', candidates };
  const second = scored[1];
  if (best.confidence < ACCEPT_CONFIDENCE) {
    return {
      kind: 'unmatched',
      reason: `best candidate's confidence ${best.confidence.toFixed(2)} is below ${ACCEPT_CONFIDENCE}`,
      candidates,
    };
  }
  // Too close to call unless the runner-up is clearly behind: by an absolute margin, or by having
  // at least MIN_DOUBT_RATIO times the best candidate's remaining doubt (shared evidence such as the
  // same speaker compresses differences near 1).
  if (
    second &&
    best.confidence - second.confidence < MIN_MARGIN &&
    1 - second.confidence < MIN_DOUBT_RATIO * (1 - best.confidence)
  ) {
    return {
      kind: 'unmatched',
      reason: `too close to call: ${best.talk.id} ${best.confidence.toFixed(2)} vs ${second.talk.id} ${second.confidence.toFixed(2)}`,
      candidates,
    };
  }
  return {
    kind: 'matched',
    talkId: best.talk.id,
    match: { method: 'evidence', confidence: round(best.confidence), evidence: best.evidence },
    candidates,
  };
}

/**
 * Where a speaker's full name occurs in the item: among persons, in the title, or in the
 * description. Tokens of five letters or more may differ by one edit ("McClian").
 */
function findName(
  name: string,
  itemTokens: readonly string[],
  personTokens: readonly string[],
  titleTokens: readonly string[],
): string | undefined {
  const parts = name.split(' ').filter(Boolean);
  if (parts.length < 2) return undefined; // a single-word name alone is too weak to use as evidence
  const inSeq = (tokens: readonly string[]): boolean => {
    for (let i = 0; i + parts.length <= tokens.length; i += 1) {
      if (parts.every((p, k) => tokenEq(p, tokens[i + k]!))) return true;
    }
    return false;
  };
  if (inSeq(personTokens)) return 'among the persons';
  if (inSeq(titleTokens)) return 'in the title';
  if (inSeq(itemTokens)) return 'in the description';
  return undefined;
}

function tokenEq(a: string, b: string): boolean {
  return a === b || (a.length >= 5 && b.length >= 5 && editDistanceAtMost(a, b, 1));
}

/** A recording cannot be published before its talk took place (a day of slack for time zones). */
function checkDate(item: RecordingItem, talk: Talk, event: Event): string | undefined {
  const published = item.publishedAt ? Date.parse(item.publishedAt) : NaN;
  const start = talk.start
    ? Date.parse(talk.start)
    : event.startDate
      ? Date.parse(`${event.startDate}T00:00:00Z`)
      : NaN;
  if (Number.isNaN(published) || Number.isNaN(start)) return undefined;
  if (published < start - 86_400_000)
    return `published ${item.publishedAt?.slice(0, 10)} before the talk (${talk.start?.slice(0, 10) ?? event.startDate})`;
  return undefined;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
