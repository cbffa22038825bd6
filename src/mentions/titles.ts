/**
 * Title evidence. Talks sharing title bigrams (or a rare title word) with the post are nominated,
 * ranked by the IDF of what they share; the best get a window scan ({@link titleWindow}), as do the
 * talks of the speakers named in the post, so the work per post is bounded whatever the catalogue's
 * size. Split/joined words ("Ice House") and one-letter typos count; quoted text is compared with
 * whole titles. A title alone must then read as a title ({@link dropWeakTitleOnly}).
 */
import type { TitleEvidence, Evidence } from './evidence.ts';
import { evidenceFor } from './evidence.ts';
import type { EventContext } from './event-context.ts';
import type { MentionIndex, TalkEntry } from './mention-index.ts';
import { termPositions, titleWindow, type TermPosition, type TitleForm } from './title-window.ts';
import { tokenizeWithOffsets, tokensWithin, type Span, type Token } from './tokens.ts';
import { similarity } from '../text/normalize.ts';
import { neighboursIn, type Neighbours } from './neighbours.ts';

/** A title bigram shared by more talks than this is too generic to nominate candidates. */
const MAX_NOMINATIONS = 50;
/** A title word in at most this many titles is rare enough to nominate on its own. */
const RARE_TITLE_DF = 20;
/** Title candidates scanned in full per post, best nominated first. */
const MAX_TITLE_CANDIDATES = 100;
/** Share of a title's (IDF-weighted) terms a title-only mention must cover. */
const TITLE_ONLY_COVERAGE = 0.8;
/** How near (characters) a title word must stand to a name to tell the speaker's talks apart. */
const NEAR_CHARS = 60;

type Quote = { text: string; start: number; end: number; tokens: Set<string> };

/**
 * Records title evidence for the nominated talks and `namedIds` (talks of speakers named in the
 * post). `content` are the post's non-stopword tokens.
 */
export function addTitleEvidence(
  text: string,
  content: readonly Token[],
  namedIds: readonly string[],
  index: MentionIndex,
  evidence: Evidence,
  neighbours: Neighbours = neighboursIn(index),
): void {
  const exactTitle = content.map((tok) => index.titleTerms.has(tok.t));
  const titleForms = content.map((_, k) =>
    titleFormsAt(k, content, index, exactTitle[k - 1] === true || exactTitle[k + 1] === true ? neighbours : undefined),
  );
  const candidates = nominate(titleForms, index);
  for (const id of namedIds) candidates.add(id);
  // Where each title term stands in the post, built once: a candidate's hits are then looked up by
  // its own terms instead of scanning the post again.
  const positions = termPositions(titleForms);
  const quotes = quotedSpans(text).map((q) => ({ ...q, tokens: new Set(tokenizeWithOffsets(q.text).map((t) => t.t)) }));
  for (const id of candidates) {
    const talk = index.talks.get(id);
    if (!talk) continue;
    const title = titleMatch(talk, content, positions, quotes, index);
    if (title) evidenceFor(evidence, id).title = title;
  }
}

/** Title terms the k-th content token may stand for: itself, a join with the next token ("ice house"), a one-edit typo. */
function titleFormsAt(
  k: number,
  content: readonly Token[],
  index: MentionIndex,
  neighbours: Neighbours | undefined,
): TitleForm[] {
  const t = content[k]!.t;
  const forms: TitleForm[] = [];
  if (index.titleTerms.has(t)) forms.push({ form: t, joined: false });
  const next = content[k + 1]?.t;
  if (next && index.titleTerms.has(`${t}${next}`)) forms.push({ form: `${t}${next}`, joined: true });
  if (neighbours && forms.length === 0 && t.length >= 5) {
    const typo = neighbours(t).find((term) => index.titleTerms.has(term));
    if (typo) forms.push({ form: typo, joined: false });
  }
  return forms;
}

/** The best {@link MAX_TITLE_CANDIDATES} talks sharing title bigrams or a rare title word with the post. */
function nominate(titleForms: readonly (readonly TitleForm[])[], index: MentionIndex): Set<string> {
  const nominated = new Map<string, number>();
  const add = (ids: ReadonlySet<string> | undefined, weight: number): void => {
    if (!ids || ids.size > MAX_NOMINATIONS) return;
    for (const id of ids) nominated.set(id, (nominated.get(id) ?? 0) + weight);
  };
  for (let k = 0; k < titleForms.length; k += 1) {
    for (const { form: a, joined } of titleForms[k]!) {
      for (const { form: b } of titleForms[k + (joined ? 2 : 1)] ?? [])
        add(index.titleBigrams.get(`${a} ${b}`), index.titleIdf(a) + index.titleIdf(b));
      // a rare title word alone nominates its talks (bounded: rare means few postings)
      const df = index.titleDf(a);
      if (df > 0 && df <= RARE_TITLE_DF) add(index.titleTerms.get(a), index.titleIdf(a));
    }
  }
  return new Set(
    [...nominated]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, MAX_TITLE_CANDIDATES)
      .map(([id]) => id),
  );
}

/** The talk's title in the post: its densest window, or a quote similar enough to the whole title. */
function titleMatch(
  talk: TalkEntry,
  content: readonly Token[],
  positions: ReadonlyMap<string, readonly TermPosition[]>,
  quotes: readonly Quote[],
  index: MentionIndex,
): TitleEvidence | undefined {
  const best = titleWindow(talk, content, positions, index);
  let score = best?.score ?? 0;
  let span = best?.span;
  let quoted = false;
  for (const q of quotes) {
    if (!talk.titleTerms.some((t) => q.tokens.has(t))) continue;
    const sim = Math.max(...talk.titleSeqs.map((seq) => similarity(q.text, seq.join(' '))));
    if (sim < 0.75) continue;
    quoted = true;
    if (sim >= score) {
      score = Math.min(1, sim);
      span = { start: q.start, end: q.end };
    }
  }
  if (span && score > 0)
    return { score, span, phrase: (best?.phrases ?? 0) > 0, quoted, terms: talk.titleTerms.length };
  return undefined;
}

/** Spans of quoted text ("…", “…”, «…», ‘…’) of 2 to 20 words. */
function quotedSpans(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(/"([^"\n]{3,200})"|“([^”\n]{3,200})”|«\s?([^»\n]{3,200})\s?»|‘([^’\n]{3,200})’/gu)) {
    const inner = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    const words = inner.trim().split(/\s+/).length;
    if (words >= 2 && words <= 20) out.push({ text: inner, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * A title alone (no link, no speaker) must read as a title: quoted, or in the title's word order,
 * covering most of it, and either long enough to be specific or about an event the post is about.
 * Other title-only evidence is dropped. Talks sharing the same title (every event's "Lightning
 * Talks") share the evidence.
 */
export function dropWeakTitleOnly(evidence: Evidence, about: EventContext, index: MentionIndex): void {
  const titleOnly = [...evidence].filter(([, e]) => e.title && !e.link && !e.speaker);
  const byTitle = new Map<string, number>();
  for (const [id] of titleOnly) {
    const key = index.talks.get(id)?.titleTerms.join(' ') ?? id;
    byTitle.set(key, (byTitle.get(key) ?? 0) + 1);
  }
  for (const [id, e] of titleOnly) {
    const t = e.title!;
    const talk = index.talks.get(id);
    const inContext = about.has(talk?.eventId ?? '');
    const specific =
      t.quoted || t.listed === true || (t.phrase && t.score >= TITLE_ONLY_COVERAGE && (inContext || t.terms >= 3));
    if (!specific) {
      evidence.delete(id);
      continue;
    }
    const share = byTitle.get(talk?.titleTerms.join(' ') ?? id) ?? 1;
    if (share > 1) e.title = { ...t, score: t.score / share };
  }
}

/** Does a rare word of the talk's title stand within a few words of `span`? */
export function rareTitleWordNear(
  talk: TalkEntry | undefined,
  span: Span,
  content: readonly Token[],
  index: MentionIndex,
): boolean {
  if (!talk) return false;
  const terms = new Set(talk.titleTerms.filter((t) => index.titleDf(t) <= RARE_TITLE_DF));
  if (terms.size === 0) return false;
  return tokensWithin(content, span.start - NEAR_CHARS, span.end + NEAR_CHARS).some((tok) => terms.has(tok.t));
}
