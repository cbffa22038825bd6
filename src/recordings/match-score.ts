import type { Event, Talk } from '../catalogue/types.ts';
import { normalizeText, similarity, tokenize, STOPWORDS } from '../text/normalize.ts';
import type { Candidates } from './match-candidates.ts';
import type { EventMatchContext } from './match-context.ts';
import type { RecordingItem } from './source.ts';
import { DECORATION_WORDS, titleVariants } from './title-variants.ts';

/**
 * Matching step 2b, scoring one candidate talk: title similarity (decorations removed, against the
 * talk's title, subtitle and earlier titles), a named speaker as independent evidence, and the
 * doubts that halve it (a title naming another event or edition). The publication date is noted
 * (`dateFits`) but never lowers the score: recordings appear days to months after the talk, and
 * dates only break ties between close candidates (see `decide`).
 */

/** Talks below this title similarity (and without a named speaker) are not even listed as candidates. */
export const CANDIDATE_MIN_SIMILARITY = 0.3;

export type Scored = {
  readonly talk: Talk;
  readonly confidence: number;
  readonly titleSim: number;
  readonly speaker: string | undefined;
  readonly evidence: readonly string[];
  /** Whether the publication date fits the event (undefined: no date to judge). */
  readonly dateFits?: boolean | undefined;
};

/** The candidate's score, or undefined when it has neither a named speaker nor enough title similarity. */
export function scoreCandidate(
  item: RecordingItem,
  talk: Talk,
  ctx: EventMatchContext,
  found: Candidates,
): Scored | undefined {
  const names = talk.speakers.map((s) => s.name);
  const { variants, foreign, titleSim } = titleEvidence(item, talk, ctx);
  const speaker = names.find((n) => found.speakersFound.has(`${talk.id}|${normalizeText(n)}`));
  const evidence: string[] = [`title similarity ${titleSim.toFixed(2)}`];
  let confidence = titleSim;
  if (speaker) {
    evidence.push(`speaker "${speaker}" ${found.speakersFound.get(`${talk.id}|${normalizeText(speaker)}`)}`);
    confidence = speakerConfidence(confidence, speaker, { talk, names, variants, ctx, found, evidence });
  } else if (titleSim < CANDIDATE_MIN_SIMILARITY) {
    return undefined;
  }
  const dateCheck = checkDate(item, talk, ctx.event);
  if (dateCheck) evidence.push(dateCheck);
  const dateFits = item.publishedAt && (talk.start || ctx.event.startDate) ? dateCheck === undefined : undefined;
  const otherEdition = foreign ? undefined : editionInSlug(item, ctx);
  if (foreign) {
    evidence.push(`title names another event or edition ("${foreign}")`);
    confidence *= 0.5;
  } else if (otherEdition) {
    evidence.push(`its slug names another edition ("${otherEdition}")`);
    confidence *= 0.5;
  }
  if (talk.removedFromScheduleAt) {
    confidence *= 0.8;
    evidence.push('talk no longer in the schedule');
  }
  return { talk, confidence, titleSim, speaker, evidence, dateFits };
}

/** The item's title variants, whether it names another event, and its best similarity with the talk's titles. */
export function titleEvidence(
  item: RecordingItem,
  talk: Talk,
  ctx: EventMatchContext,
): { variants: string[]; foreign: string | undefined; titleSim: number } {
  const { variants, foreign } = titleVariants(
    item.title,
    ctx,
    [...talk.speakers.map((s) => s.name), ...talk.speakers.map((s) => s.affiliation ?? '')],
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
    mainTitle(talk.title),
    ...talk.aliases.filter((a) => a.includes(' ')),
  ].filter((x): x is string => Boolean(x));
  let titleSim = 0;
  for (const v of variants) for (const t of targets) titleSim = Math.max(titleSim, eventFreeSimilarity(v, t, ctx));
  return { variants, foreign, titleSim };
}

/**
 * Similarity without the event's own words. Every talk of the event shares them, so they say
 * nothing about which talk a recording is ("Elbe Hackdays 2023 – Aftermovie" is not "Welcome to
 * Elbe Hackdays 2023"). When either side is nothing but event words, the titles compare as written.
 */
function eventFreeSimilarity(a: string, b: string, ctx: EventMatchContext): number {
  const strip = (s: string) =>
    tokenize(s)
      .filter((t) => !ctx.eventWords.has(t))
      .join(' ');
  const x = strip(a);
  const y = strip(b);
  return x && y ? similarity(x, y) : similarity(a, b);
}

/**
 * The main title before a colon or dash subtitle ("Traduire un logiciel libre : la communauté
 * avant tout" → "Traduire un logiciel libre"), when it has at least three words of its own:
 * recordings are often published under it.
 */
function mainTitle(title: string): string | undefined {
  const m = /^(.+?)\s*(?::|\s[-–—]\s)\s*\S/.exec(title);
  if (!m) return undefined;
  const main = m[1]!;
  return tokenize(main).filter((t) => !STOPWORDS.has(t)).length >= 3 ? main : undefined;
}

type SpeakerContext = {
  readonly talk: Talk;
  readonly names: readonly string[];
  readonly variants: readonly string[];
  readonly ctx: EventMatchContext;
  readonly found: Candidates;
  /** Appended to. */
  readonly evidence: string[];
};

/**
 * Confidence once a speaker of the talk is named in the item. Independent evidence: a named speaker
 * removes most of the remaining doubt about the title, and a title that is only the speaker's name
 * identifies their talk if it is their only one.
 */
function speakerConfidence(titleConfidence: number, speaker: string, s: SpeakerContext): number {
  let confidence = 1 - (1 - titleConfidence) * 0.4;
  const speakerTalks = s.ctx.talksBySpeaker.get(normalizeText(speaker)) ?? [];
  if (!titleNamesOnlySpeakers(s.variants, s.names, s.ctx)) return confidence;
  confidence = speakerTalks.length === 1 ? Math.max(confidence, 0.85) : Math.min(confidence, 0.5);
  s.evidence.push(
    speakerTalks.length === 1
      ? 'title names only the speaker, who gave one talk'
      : `title names only the speaker, who gave ${speakerTalks.length} talks`,
  );
  // Which of their talks: the description may carry the talk's own title words.
  if (speakerTalks.length > 1 && s.found.descriptionTokens.size > 0) {
    const own = tokenize(s.talk.title).filter((t) => !STOPWORDS.has(t) && !s.ctx.eventWords.has(t));
    const covered = own.filter((t) => s.found.descriptionTokens.has(t)).length / Math.max(1, own.length);
    if (own.length >= 2 && covered >= 0.5) {
      confidence = 1 - (1 - confidence) * (1 - 0.8 * covered);
      s.evidence.push(`description carries ${Math.round(covered * 100)}% of the talk's title words`);
    }
  }
  return confidence;
}

/** Is every title variant made only of speaker names, event words, decoration words, numbers and stopwords? */
export function titleNamesOnlySpeakers(
  variants: readonly string[],
  speakerNames: readonly string[],
  ctx: EventMatchContext,
): boolean {
  const nameTokens = tokenize(speakerNames.join(' '));
  return variants.every(
    (v) =>
      tokenize(v).filter(
        (t) =>
          !STOPWORDS.has(t) &&
          !ctx.eventWords.has(t) &&
          !DECORATION_WORDS.has(t) &&
          !/^\d+$/.test(t) &&
          !nameTokens.includes(t),
      ).length === 0,
  );
}

/**
 * A recording is not normally published before its talk took place (a day of slack for time
 * zones); the note says so. Only a tie-breaker: pre-recorded talks and odd feed dates exist.
 */
export function checkDate(item: RecordingItem, talk: Talk, event: Event): string | undefined {
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

/**
 * A provider slug or URL that names another edition of the event: the event's acronym letters with
 * another year (`gc22-707-…` at Grachten Code 2023, `36c3-…` at 37C3). Only when the event has an
 * acronym with letters and a year to compare.
 */
export function editionInSlug(item: RecordingItem, ctx: EventMatchContext): string | undefined {
  const acronym = ctx.event.acronym?.toLowerCase().replace(/[^a-z0-9]/g, '');
  const year = ctx.event.startDate?.slice(0, 4);
  if (!acronym || !year) return undefined;
  const letters = acronym.replace(/\d+/g, '');
  if (letters.length < 2) return undefined;
  const own = new Set([year, year.slice(2), ctx.event.endDate?.slice(0, 4), ctx.event.endDate?.slice(2, 4)]);
  const text = `${item.slug ?? ''} ${item.url}`.toLowerCase();
  const re = new RegExp(`(?:^|[^a-z0-9])${letters}(\\d{2}|\\d{4})(?=[^a-z0-9]|$)`, 'g');
  for (const m of text.matchAll(re)) if (!own.has(m[1]!)) return `${letters}${m[1]}`;
  return undefined;
}
