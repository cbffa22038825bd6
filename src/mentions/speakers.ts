/**
 * Speaker-name evidence. Full names (2 or 3 words) match with at most one one-letter typo, in any
 * case, possessives folded. A bare surname counts only for a speaker already named in full or a
 * speaker of an event the post is about; a bare first name only refers back to a speaker named in
 * full. A name then credits the speaker's talks, preferring those the post supports otherwise.
 */
import { evidenceFor, MAX_NAME_TALKS, WEIGHTS, type Evidence } from './evidence.ts';
import type { EventContext } from './event-context.ts';
import type { MentionIndex, TalkEntry } from './mention-index.ts';
import { stemOf } from './topic.ts';
import { rareTitleWordNear } from './titles.ts';
import { tokensWithin, type Span, type Token } from './tokens.ts';
import { neighboursIn, type Neighbours } from './neighbours.ts';

/** A full name in the post: the talks of that speaker and the normalised name. */
export type FullNameHit = { talkIds: Set<string>; span: Span; name: string };
/** A bare surname or first name in the post and the talks it may refer to. */
export type NameHit = {
  talkIds: string[];
  span: Span;
  /** A bare surname that may be an ordinary word here: it needs the talk's own words nearby. */
  weak?: boolean;
};
export type SpeakerNames = { full: FullNameHit[]; surnames: NameHit[]; corefs: NameHit[] };

type NameForm = { form: string; fuzzy: boolean };

const isName = (w: string, index: MentionIndex): boolean =>
  index.firstNames.has(w) || index.lastNames.has(w) || index.fullNames.has(w);

/** Full names, then bare surnames and first names, in the post. */
export function findSpeakerNames(
  tokens: readonly Token[],
  index: MentionIndex,
  about: EventContext,
  text = '',
  neighbours: Neighbours = neighboursIn(index),
): SpeakerNames {
  const { full, consumed } = findFullNames(tokens, index, neighbours);
  return { full, ...findBareNames(tokens, consumed, full, index, about, text) };
}

/**
 * Is this capitalised token possibly an ordinary word rather than a name? It is when the post also
 * writes it in lower case, when it opens a sentence (capitalised by grammar, not as a name), or
 * when the catalogue uses it as a word in talk titles (German nouns, "Baker", "Rich"): one hash probe.
 */
function mayBeWord(
  tokens: readonly Token[],
  i: number,
  text: string,
  lowerSeen: ReadonlySet<string>,
  index: MentionIndex,
): boolean {
  const tok = tokens[i]!;
  if (lowerSeen.has(tok.t)) return true;
  const before = i === 0 ? '' : text.slice(tokens[i - 1]!.end, tok.start);
  if (i === 0 || /[.!?:;]["'”’)]*\s*$|\n\s*(?:[-*•]\s*)?$/.test(before)) return true;
  return index.titleDf(tok.t) > 0;
}

/** Talks a title scan should look at because their speaker is named: full names first, then surnames. */
export function namedTalkIds(names: SpeakerNames, about?: EventContext, index?: MentionIndex): string[] {
  const ids: string[] = [];
  // A name shared by many talks (a common name at catalogue scale) is scanned only within the
  // events the post is about: its talks elsewhere still get title evidence through nomination.
  const scope = (talkIds: Iterable<string>, size: number): Iterable<string> =>
    size <= NAME_SCAN_TALKS || !about || !index
      ? talkIds
      : [...talkIds].filter((id) => about.has(index.talks.get(id)?.eventId ?? ''));
  for (const h of names.full)
    if (h.talkIds.size <= MAX_NAME_TALKS) for (const id of scope(h.talkIds, h.talkIds.size)) ids.push(id);
  for (const h of names.surnames)
    if (h.talkIds.length <= MAX_NAME_TALKS) for (const id of scope(h.talkIds, h.talkIds.length)) ids.push(id);
  return ids;
}

/** A name with at most this many talks has all of them scanned for title evidence. */
const NAME_SCAN_TALKS = 8;

function findFullNames(
  tokens: readonly Token[],
  index: MentionIndex,
  neighbours: Neighbours,
): { full: FullNameHit[]; consumed: Set<number> } {
  const exactName = tokens.map((tok) => isName(tok.t, index));
  // A typo is looked for only next to an exactly spelled name token ("Mark McClian"): a full name
  // allows one fuzzy token anyway, and this keeps the cost per word a hash probe.
  // Posts repeat their words: each (word, fuzzy) is expanded once per post.
  const memo = new Map<string, NameForm[]>();
  const expansions = tokens.map((tok, i) => {
    const fuzzy = exactName[i - 1] === true || exactName[i + 1] === true;
    const key = `${fuzzy ? 1 : 0}${tok.t}`;
    let forms = memo.get(key);
    if (!forms) memo.set(key, (forms = nameForms(tok.t, index, fuzzy ? neighbours : undefined)));
    return forms;
  });
  const consumed = new Set<number>();
  const full: FullNameHit[] = [];
  for (let i = 0; i + 1 < tokens.length; i += 1) {
    const hit = matchFullName(i, tokens, expansions, index);
    if (!hit) continue;
    full.push({
      talkIds: hit.talkIds,
      span: { start: tokens[i]!.start, end: tokens[i + hit.length - 1]!.end },
      name: hit.name,
    });
    for (let k = 0; k < hit.length; k += 1) consumed.add(i + k);
    i += hit.length - 1;
  }
  return { full, consumed };
}

/** Capitalised words (≥ 3 letters, not part of a full name) that are a known speaker's surname or first name. */
function findBareNames(
  tokens: readonly Token[],
  consumed: ReadonlySet<number>,
  full: readonly FullNameHit[],
  index: MentionIndex,
  about: EventContext,
  text: string,
): { surnames: NameHit[]; corefs: NameHit[] } {
  const lowerSeen = new Set(tokens.filter((tok) => !tok.capital).map((tok) => tok.t));
  const namedByLast = new Map<string, string[]>();
  const namedByFirst = new Map<string, string[]>();
  for (const name of new Set(full.map((h) => h.name))) {
    const parts = name.split(' ');
    namedByLast.set(parts[parts.length - 1]!, [...(namedByLast.get(parts[parts.length - 1]!) ?? []), name]);
    namedByFirst.set(parts[0]!, [...(namedByFirst.get(parts[0]!) ?? []), name]);
  }
  const talksOfNamed = (names: readonly string[] | undefined): string[] =>
    (names ?? []).flatMap((n) => {
      const all = index.fullNames.get(n);
      if (!all) return [];
      return all.size <= MAX_NAME_TALKS
        ? [...all]
        : [...about.keys()].flatMap((ev) => [...(index.eventFullNames.get(`${ev}|${n}`) ?? [])]);
    });
  const surnames: NameHit[] = [];
  const corefs: NameHit[] = [];
  tokens.forEach((tok, i) => {
    if (consumed.has(i) || !tok.capital || tok.t.length < 3) return;
    // bare surname: a speaker already named in full, or a speaker of an event the post is about
    const surnameIds = new Set(talksOfNamed(namedByLast.get(tok.t)));
    // Named in full earlier: the surname refers back to them. Otherwise only the event in context
    // ties it to a speaker, and a surname that may be an ordinary word needs more than that.
    const corroborated = surnameIds.size > 0;
    // Only an event the post surely is about (named, linked, or city with date) ties a bare
    // surname to its speakers: a city or a date alone is too little for a word that may be a name.
    for (const [eventId, strength] of about)
      if (strength === 'strong')
        for (const id of index.eventLastNames.get(`${eventId}|${tok.t}`) ?? []) surnameIds.add(id);
    if (surnameIds.size > 0) {
      const weak = !corroborated && mayBeWord(tokens, i, text, lowerSeen, index);
      surnames.push({ talkIds: [...surnameIds], span: { start: tok.start, end: tok.end }, weak });
      return;
    }
    // bare first name: only refers back to a speaker named in full earlier
    const firstIds = talksOfNamed(namedByFirst.get(tok.t));
    if (firstIds.length > 0) corefs.push({ talkIds: firstIds, span: { start: tok.start, end: tok.end } });
  });
  return { surnames, corefs };
}

/** The name-index forms a token may stand for: itself, or (given `neighbours`) one edit away for longer tokens. */
function nameForms(t: string, index: MentionIndex, neighbours: Neighbours | undefined): NameForm[] {
  const forms: NameForm[] = [];
  if (isName(t, index)) forms.push({ form: t, fuzzy: false });
  if (neighbours && t.length >= 5) {
    for (const term of neighbours(t))
      if (term.length >= 5 && isName(term, index)) forms.push({ form: term, fuzzy: true });
  }
  return forms;
}

/** A full speaker name starting at token i (2 or 3 tokens), with at most one fuzzy token. */
function matchFullName(
  i: number,
  tokens: readonly Token[],
  forms: readonly NameForm[][],
  index: MentionIndex,
): { talkIds: Set<string>; length: number; name: string } | undefined {
  for (const length of [3, 2]) {
    if (i + length > tokens.length) continue;
    let combos: { key: string; fuzzy: number }[] = [{ key: '', fuzzy: 0 }];
    for (let k = 0; k < length; k += 1) {
      const f = forms[i + k] ?? [];
      const next: { key: string; fuzzy: number }[] = [];
      for (const c of combos)
        for (const x of f)
          if (c.fuzzy + (x.fuzzy ? 1 : 0) <= 1)
            next.push({ key: c.key ? `${c.key} ${x.form}` : x.form, fuzzy: c.fuzzy + (x.fuzzy ? 1 : 0) });
      combos = next;
      if (combos.length === 0) break;
    }
    for (const c of combos.sort((a, b) => a.fuzzy - b.fuzzy)) {
      const ids = index.fullNames.get(c.key);
      if (ids && ids.size > 0) return { talkIds: ids, length, name: c.key };
    }
  }
  return undefined;
}

/** What attaching names to talks reads; `evidence` already holds link and title evidence. */
type AttachContext = {
  readonly index: MentionIndex;
  readonly about: EventContext;
  readonly evidence: Evidence;
  /** The post's non-stopword tokens. */
  readonly content: readonly Token[];
  /** The detection text the tokens' offsets point into. */
  readonly text: string;
};

/** Credits the speakers' talks with the names found (full names, then surnames, then first-name references). */
export function addSpeakerEvidence(names: SpeakerNames, ctx: AttachContext): void {
  for (const h of names.full) attachName(h.talkIds, h.span, WEIGHTS.fullName, 'full', h.name, ctx);
  for (const h of names.surnames)
    attachName(h.talkIds, h.span, WEIGHTS.surnameInEvent, 'surname', undefined, ctx, h.weak === true);
  for (const h of names.corefs) for (const id of h.talkIds) ctx.evidence.get(id)?.corefSpans.push(h.span);
}

function attachName(
  talkIds: ReadonlySet<string> | readonly string[],
  span: Span,
  weight: number,
  kind: 'full' | 'surname',
  name: string | undefined,
  { index, about, evidence, content, text }: AttachContext,
  needsSupport = false,
): void {
  // A name shared by very many talks says little unless an event of the post narrows it down:
  // then only that event's talks of the name are looked at (bounded by the event's size).
  const count = 'size' in talkIds ? talkIds.size : talkIds.length;
  const ids =
    count > MAX_NAME_TALKS && name
      ? [...about.keys()].flatMap((ev) => [...(index.eventFullNames.get(`${ev}|${name}`) ?? [])])
      : [...talkIds];
  if (ids.length === 0) return;
  const inAbout = ids.filter((id) => about.has(index.talks.get(id)?.eventId ?? ''));
  const strongly = inAbout.some((id) => about.get(index.talks.get(id)?.eventId ?? '') === 'strong');
  const scope = inAbout.length > 0 ? inAbout : ids;
  // The context picks among a speaker's talks: a talk with title or link evidence explains the
  // name; failing that, a distinctive word of one talk's title next to the name ("Fabre's DuckDB talk").
  let supported = scope.filter((id) => evidence.get(id)?.title || evidence.get(id)?.link);
  if (supported.length === 0 && scope.length > 1)
    supported = scope.filter((id) => rareTitleWordNear(index.talks.get(id), span, content, index));
  // Failing that, the paragraph around the name: the talk whose topic it shares most stems with.
  const paragraph = supported.length === 0 ? paragraphStems(text, span, content) : undefined;
  if (paragraph) {
    const overlap = scope.map((id) => topicOverlap(index.talks.get(id), paragraph));
    const best = Math.max(0, ...overlap);
    if (best > 0) supported = scope.filter((_, i) => overlap[i] === best);
  }
  if (needsSupport && supported.length === 0)
    supported = scope.filter((id) => rareTitleWordNear(index.talks.get(id), span, content, index));
  if (needsSupport && supported.length === 0) return;
  const chosen = supported.length > 0 ? supported : scope;
  const share = supported.length > 0 ? 1 : 1 / chosen.length;
  // A name with no event of theirs in sight may be mentioned for other reasons than a talk; a name
  // whose paragraph says nothing of the talk (a byline, a photo credit, "visited the booth") is
  // not a mention of it on its own.
  const offTopic = supported.length === 0;
  const factor = (strongly ? 1 : WEIGHTS.otherEventFactor) * (offTopic ? WEIGHTS.offTopicFactor : 1);
  for (const id of chosen) {
    const e = evidenceFor(evidence, id);
    const w = weight * share * factor;
    if (!e.speaker || e.speaker.weight < w) e.speaker = { weight: w, span, kind };
  }
}

/** Paragraph bounds: blank lines, or at most this far either side in text without them. */
const PARAGRAPH_CHARS = 400;

/** Stems of the paragraph holding `span` (blank-line separated, at most ±400 characters). */
function paragraphStems(text: string, span: Span, content: readonly Token[]): Set<string> {
  if (span.start < 0) return new Set();
  // Blank lines looked for only within the ±400 characters, whatever the post's length.
  const from = Math.max(0, span.start - PARAGRAPH_CHARS);
  const before = text.slice(from, span.start + 2).lastIndexOf('\n\n');
  const after = text.slice(span.end, span.end + PARAGRAPH_CHARS).indexOf('\n\n');
  const start = before < 0 ? from : from + before;
  const end = after < 0 ? Math.min(text.length, span.end + PARAGRAPH_CHARS) : span.end + after;
  const stems = new Set<string>();
  for (const tok of tokensWithin(content, start, end))
    if (tok.start >= start && tok.end <= end && tok.t.length >= 3) stems.add(stemOf(tok.t));
  return stems;
}

function topicOverlap(talk: TalkEntry | undefined, paragraph: ReadonlySet<string>): number {
  if (!talk) return 0;
  let n = 0;
  for (const s of talk.topic) if (paragraph.has(s)) n += 1;
  return n;
}
