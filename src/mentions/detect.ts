import type { Mention, MentionEvidence } from './types.ts';
import { normalizeText, STOPWORDS, similarity } from '../text/normalize.ts';
import type { MentionIndex, TalkEntry } from './mention-index.ts';
import type { PostDocument } from '../text/extract.ts';
import { canonicalUrl, urlKey } from '../text/urls.ts';

/**
 * Mention detection: which catalogued talks a post names.
 *
 * One pass over the post's tokens collects evidence from hash lookups in the {@link MentionIndex}
 * (never a pass over the catalogue):
 * - links to a talk's Talkreel page, schedule page or recording (certain);
 * - speaker names: full names with at most one one-letter typo, in any case, possessives folded;
 *   a bare surname counts only for talks of an event the post is about, a bare first name only
 *   for a speaker the post already named in full;
 * - titles: the densest window of the post holding a talk's title terms, weighted by how rare each
 *   term is among titles (IDF); split/joined words ("Ice House") and one-letter typos count;
 *   quoted text is compared with whole titles;
 * - events named by name, alias, acronym, URL, or by city and date: they raise their talks' confidence.
 *
 * Evidence items are treated as independent: confidence = 1 − Π(1 − eᵢ). Talks at or above
 * {@link REPORT_CONFIDENCE} are reported.
 */

export const REPORT_CONFIDENCE = 0.5;
/** A speaker name shared by more talks than this is only used within the events the post is about. */
const MAX_NAME_TALKS = 50;
/** A title bigram shared by more talks than this is too generic to nominate candidates. */
const MAX_NOMINATIONS = 50;
/** A title word in at most this many titles is rare enough to nominate on its own. */
const RARE_TITLE_DF = 20;
/** Title candidates scanned in full per post, best nominated first. */
const MAX_TITLE_CANDIDATES = 100;
/** Share of a title's (IDF-weighted) terms a title-only mention must cover. */
const TITLE_ONLY_COVERAGE = 0.8;

/** Evidence weights (probabilities that the item alone means the talk is mentioned). */
const W = {
  link: 1,
  fullName: 0.7,
  surnameInEvent: 0.45,
  firstNameCoref: 0.1,
  eventStrong: 0.3,
  eventWeak: 0.12,
  /** A speaker named in a post not about any of their talks' events may be mentioned for other reasons. */
  otherEventFactor: 0.6,
} as const;

export type DetectOptions = {
  /** The event the post is known to be about (a Webmention target, `--event`). */
  readonly eventId?: string | undefined;
  /** At most this many mentions. @default 50 */
  readonly limit?: number | undefined;
};

type Token = {
  readonly t: string;
  readonly raw: string;
  readonly start: number;
  readonly end: number;
  readonly capital: boolean;
};
type Span = { start: number; end: number };
type TitleForm = { readonly form: string; readonly joined: boolean };
type TalkEvidence = {
  link?: Span;
  title?: { score: number; span: Span; phrase: boolean; quoted: boolean; terms: number };
  speaker?: { weight: number; span: Span; kind: 'full' | 'surname' };
  corefSpans: Span[];
};

/** Detect the talks a post mentions. Pure; deterministic order (by position in the post). */
export function detectMentions(doc: PostDocument, index: MentionIndex, opts: DetectOptions = {}): Mention[] {
  const text = doc.title ? `${doc.title}\n\n${doc.text}` : doc.text;
  const shift = doc.title ? doc.title.length + 2 : 0;
  const tokens = tokenizeWithOffsets(text);
  const evidence = new Map<string, TalkEvidence>();
  const ev = (id: string): TalkEvidence => {
    let e = evidence.get(id);
    if (!e) evidence.set(id, (e = { corefSpans: [] }));
    return e;
  };

  // --- events the post is about --------------------------------------------------------------
  const about = new Map<string, 'strong' | 'weak'>();
  if (opts.eventId && index.events.has(opts.eventId)) about.set(opts.eventId, 'strong');
  detectEvents(text, tokens, doc, index, about);

  // --- links ---------------------------------------------------------------------------------
  for (const link of doc.links) {
    const id = index.talkOfOwnUrl(link.href) ?? index.urls.get(urlKey(link.href));
    if (!id) continue;
    const span = link.start >= 0 ? { start: link.start + shift, end: link.end + shift } : { start: -1, end: -1 };
    ev(id).link ??= span;
  }

  // --- speaker names -------------------------------------------------------------------------
  const isName = (w: string): boolean => index.firstNames.has(w) || index.lastNames.has(w) || index.fullNames.has(w);
  const exactName = tokens.map((tok) => isName(tok.t));
  // A typo is looked for only next to an exactly spelled name token ("Mark McClian"): a full name
  // allows one fuzzy token anyway, and this keeps the cost per word a hash probe.
  const expansions = tokens.map((tok, i) =>
    nameForms(tok.t, index, exactName[i - 1] === true || exactName[i + 1] === true),
  );
  const namedSpeakers = new Set<string>(); // normalised full names named in full
  const consumed = new Set<number>();
  const fullHits: { talkIds: Set<string>; span: Span; name: string }[] = [];
  for (let i = 0; i + 1 < tokens.length; i += 1) {
    const hit = matchFullName(i, tokens, expansions, index);
    if (!hit) continue;
    fullHits.push({
      talkIds: hit.talkIds,
      span: { start: tokens[i]!.start, end: tokens[i + hit.length - 1]!.end },
      name: hit.name,
    });
    namedSpeakers.add(hit.name);
    for (let k = 0; k < hit.length; k += 1) consumed.add(i + k);
    i += hit.length - 1;
  }
  const surnameHits: { talkIds: string[]; span: Span }[] = [];
  const corefHits: { talkIds: string[]; span: Span }[] = [];
  const namedByLast = new Map<string, string[]>();
  const namedByFirst = new Map<string, string[]>();
  for (const name of namedSpeakers) {
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
  tokens.forEach((tok, i) => {
    if (consumed.has(i) || !tok.capital || tok.t.length < 3) return;
    // bare surname: a speaker already named in full, or a speaker of an event the post is about
    const surnameIds = new Set(talksOfNamed(namedByLast.get(tok.t)));
    for (const eventId of about.keys())
      for (const id of index.eventLastNames.get(`${eventId}|${tok.t}`) ?? []) surnameIds.add(id);
    if (surnameIds.size > 0) {
      surnameHits.push({ talkIds: [...surnameIds], span: { start: tok.start, end: tok.end } });
      return;
    }
    // bare first name: only refers back to a speaker named in full earlier
    const firstIds = talksOfNamed(namedByFirst.get(tok.t));
    if (firstIds.length > 0) corefHits.push({ talkIds: firstIds, span: { start: tok.start, end: tok.end } });
  });

  // --- titles --------------------------------------------------------------------------------
  const content = tokens.map((tok, i) => ({ tok, i })).filter(({ tok }) => !STOPWORDS.has(tok.t));
  const contentTokens = content.map((c) => c.tok);
  const exactTitle = contentTokens.map((tok) => index.titleTerms.has(tok.t));
  const titleForms = content.map((_, k) =>
    titleFormsAt(k, contentTokens, index, exactTitle[k - 1] === true || exactTitle[k + 1] === true),
  );
  // Candidates: talks sharing title bigrams (or a rare title word) with the post, ranked by the
  // IDF of what they share; only the best MAX_TITLE_CANDIDATES get the window scan, plus every talk
  // of a speaker named in the post. Work per post is thus bounded whatever the catalogue's size.
  const nominated = new Map<string, number>();
  const nominate = (ids: ReadonlySet<string> | undefined, weight: number): void => {
    if (!ids || ids.size > MAX_NOMINATIONS) return;
    for (const id of ids) nominated.set(id, (nominated.get(id) ?? 0) + weight);
  };
  for (let k = 0; k < content.length; k += 1) {
    for (const { form: a, joined } of titleForms[k]!) {
      for (const { form: b } of titleForms[k + (joined ? 2 : 1)] ?? [])
        nominate(index.titleBigrams.get(`${a} ${b}`), index.titleIdf(a) + index.titleIdf(b));
      // a rare title word alone nominates its talks (bounded: rare means few postings)
      const df = index.titleDf(a);
      if (df > 0 && df <= RARE_TITLE_DF) nominate(index.titleTerms.get(a), index.titleIdf(a));
    }
  }
  const candidates = new Set(
    [...nominated]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, MAX_TITLE_CANDIDATES)
      .map(([id]) => id),
  );
  for (const h of fullHits) if (h.talkIds.size <= MAX_NAME_TALKS) for (const id of h.talkIds) candidates.add(id);
  for (const h of surnameHits) for (const id of h.talkIds.slice(0, MAX_NAME_TALKS)) candidates.add(id);
  // Where each title term stands in the post, built once: a candidate's hits are then looked up by
  // its own terms instead of scanning the post again.
  const positions = new Map<string, { k: number; end: number }[]>();
  titleForms.forEach((f, k) => {
    for (const { form, joined } of f) {
      let list = positions.get(form);
      if (!list) positions.set(form, (list = []));
      list.push({ k, end: joined ? k + 1 : k });
    }
  });
  const quotes = quotedSpans(text).map((q) => ({ ...q, tokens: new Set(tokenizeWithOffsets(q.text).map((t) => t.t)) }));
  for (const id of candidates) {
    const talk = index.talks.get(id);
    if (!talk) continue;
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
      ev(id).title = { score, span, phrase: (best?.phrases ?? 0) > 0, quoted, terms: talk.titleTerms.length };
  }

  // --- speakers → talks ----------------------------------------------------------------------
  const attach = (
    talkIds: ReadonlySet<string> | readonly string[],
    span: Span,
    weight: number,
    kind: 'full' | 'surname',
    name?: string,
  ): void => {
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
      supported = scope.filter((id) => rareTitleWordNear(index.talks.get(id), span, contentTokens, index));
    const chosen = supported.length > 0 ? supported : scope;
    const share = supported.length > 0 ? 1 : 1 / chosen.length;
    // A name with no event of theirs in sight may be mentioned for other reasons than a talk.
    const factor = strongly ? 1 : W.otherEventFactor;
    for (const id of chosen) {
      const e = ev(id);
      const w = weight * share * factor;
      if (!e.speaker || e.speaker.weight < w) e.speaker = { weight: w, span, kind };
    }
  };
  for (const h of fullHits) attach(h.talkIds, h.span, W.fullName, 'full', h.name);
  for (const h of surnameHits) attach(h.talkIds, h.span, W.surnameInEvent, 'surname');
  for (const h of corefHits) for (const id of h.talkIds) evidence.get(id)?.corefSpans.push(h.span);

  // --- title-only evidence ---------------------------------------------------------------------
  // A title alone must read as a title: quoted, or in the title's word order, covering most of it,
  // and either long enough to be specific or about an event the post is about. Talks sharing the
  // same title (every event's "Lightning Talks") share the evidence.
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
    const specific = t.quoted || (t.phrase && t.score >= TITLE_ONLY_COVERAGE && (inContext || t.terms >= 3));
    if (!specific) {
      evidence.delete(id);
      continue;
    }
    const share = byTitle.get(talk?.titleTerms.join(' ') ?? id) ?? 1;
    if (share > 1) e.title = { ...t, score: t.score / share };
  }

  // --- combine -------------------------------------------------------------------------------
  const mentions: Mention[] = [];
  for (const [id, e] of evidence) {
    const talk = index.talks.get(id);
    if (!talk) continue;
    const items: number[] = [];
    const kinds: MentionEvidence[] = [];
    if (e.link) {
      items.push(W.link);
      kinds.push('link');
    }
    if (e.title) {
      items.push(e.title.score * 0.9);
      kinds.push('title');
    }
    if (e.speaker) {
      items.push(e.speaker.weight);
      kinds.push('speaker');
      if (e.corefSpans.length > 0) items.push(W.firstNameCoref);
    }
    if (items.length === 0) continue;
    const context = about.get(talk.eventId);
    if (context) items.push(context === 'strong' ? W.eventStrong : W.eventWeak);
    const confidence = 1 - items.reduce((p, w) => p * (1 - w), 1);
    if (confidence < REPORT_CONFIDENCE) continue;
    const span = pickSpan(e);
    const start = Math.max(0, span.start - shift);
    const end = Math.max(start, span.end - shift);
    mentions.push({
      talkId: id,
      confidence: Math.round(confidence * 1000) / 1000,
      evidence: kinds,
      snippet: span.start >= 0 ? text.slice(span.start, span.end).slice(0, 300) : talk.title,
      start: span.start >= shift ? start : span.start >= 0 ? 0 : -1,
      end: span.start >= shift ? end : span.start >= 0 ? 0 : -1,
    });
  }
  mentions.sort(
    (a, b) =>
      (a.start < 0 ? 1e12 : a.start) - (b.start < 0 ? 1e12 : b.start) ||
      b.confidence - a.confidence ||
      a.talkId.localeCompare(b.talkId),
  );
  return mentions.slice(0, opts.limit ?? 50);
}

// ---- tokens -------------------------------------------------------------------------------------

const WORD_RE = /[\p{L}\p{N}]+(?:['’‘ʼ][\p{L}\p{N}]+)*['’‘ʼ]?/gu;

/** Words with their offsets in `text`, normalised like the index (case, accents, possessives). */
export function tokenizeWithOffsets(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const raw = m[0];
    const start = m.index;
    for (const t of normalizeText(raw).split(' ')) {
      if (t) out.push({ t, raw, start, end: start + raw.length, capital: /^\p{Lu}/u.test(raw) });
    }
  }
  return out;
}

/** The name-index forms a token may stand for: itself, or (when `fuzzy`) one edit away for longer tokens. */
function nameForms(t: string, index: MentionIndex, fuzzy: boolean): { form: string; fuzzy: boolean }[] {
  const forms: { form: string; fuzzy: boolean }[] = [];
  const isName = (w: string) => index.firstNames.has(w) || index.lastNames.has(w) || index.fullNames.has(w);
  if (isName(t)) forms.push({ form: t, fuzzy: false });
  if (fuzzy && t.length >= 5) {
    for (const e of index.vocabulary.expandTerm(t, { fuzzy: true })) {
      if (e.via === 'fuzzy' && e.indexTerm !== t && isName(e.indexTerm) && e.indexTerm.length >= 5)
        forms.push({ form: e.indexTerm, fuzzy: true });
    }
  }
  return forms;
}

/** A full speaker name starting at token i (2 or 3 tokens), with at most one fuzzy token. */
function matchFullName(
  i: number,
  tokens: readonly Token[],
  forms: readonly { form: string; fuzzy: boolean }[][],
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

/** Title terms the k-th content token may stand for: itself, a join with the next token ("ice house"), a one-edit typo. */
function titleFormsAt(k: number, content: readonly Token[], index: MentionIndex, fuzzy: boolean): TitleForm[] {
  const t = content[k]!.t;
  const forms: TitleForm[] = [];
  if (index.titleTerms.has(t)) forms.push({ form: t, joined: false });
  const next = content[k + 1]?.t;
  if (next && index.titleTerms.has(`${t}${next}`)) forms.push({ form: `${t}${next}`, joined: true });
  if (fuzzy && forms.length === 0 && t.length >= 5) {
    for (const e of index.vocabulary.expandTerm(t, { fuzzy: true })) {
      if (e.via === 'fuzzy' && index.titleTerms.has(e.indexTerm)) {
        forms.push({ form: e.indexTerm, joined: false });
        break;
      }
    }
  }
  return forms;
}

/**
 * The densest window of the post holding the talk's title terms: score = IDF-weighted share of the
 * title's terms found within a window at most twice the title's length (+4). `phrases` counts title
 * bigrams that stand next to each other in the window: word order survives in a real mention and
 * rarely in text that merely shares vocabulary.
 */
function titleWindow(
  talk: TalkEntry,
  content: readonly { tok: Token; i: number }[],
  positions: ReadonlyMap<string, readonly { k: number; end: number }[]>,
  index: MentionIndex,
): { score: number; span: Span; phrases: number } | undefined {
  const terms = talk.titleTerms;
  if (terms.length === 0) return undefined;
  const termSet = new Set(terms);
  const weights = new Map(terms.map((t) => [t, index.titleIdf(t)]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const bigrams = new Set(talk.titleSeqs.flatMap((seq) => seq.slice(1).map((w, i) => `${seq[i]} ${w}`)));
  const hits: { k: number; end: number; term: string }[] = [];
  for (const term of termSet) for (const p of positions.get(term) ?? []) hits.push({ ...p, term });
  hits.sort((a, b) => a.k - b.k || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  if (hits.length < Math.min(2, terms.length)) return undefined;
  const maxWidth = terms.length * 2 + 4;
  let best: { score: number; span: Span; phrases: number } | undefined;
  for (let a = 0; a < hits.length; a += 1) {
    const seen = new Set<string>();
    let sum = 0;
    let phrases = 0;
    for (let b = a; b < hits.length && hits[b]!.k - hits[a]!.k <= maxWidth; b += 1) {
      const hit = hits[b]!;
      const prev = hits[b - 1];
      if (b > a && prev && hit.k === prev.end + 1 && bigrams.has(`${prev.term} ${hit.term}`)) phrases += 1;
      if (!seen.has(hit.term)) {
        seen.add(hit.term);
        sum += weights.get(hit.term) ?? 0;
      }
      if (seen.size >= Math.min(2, terms.length)) {
        const score = sum / total;
        if (!best || score > best.score || (score === best.score && phrases > best.phrases)) {
          best = { score, phrases, span: { start: content[hits[a]!.k]!.tok.start, end: content[hit.end]!.tok.end } };
        }
      }
    }
  }
  return best;
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

function detectEvents(
  text: string,
  tokens: readonly Token[],
  doc: PostDocument,
  index: MentionIndex,
  about: Map<string, 'strong' | 'weak'>,
): void {
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
    }
    const c = index.eventCities.get(tokens[i]!.t);
    if (c && tokens[i]!.capital) for (const id of c) cities.add(id);
  }
  const dated = new Set<string>();
  for (const day of datesIn(text)) for (const id of index.eventDays.get(day) ?? []) dated.add(id);
  for (const id of cities) mark([id], dated.has(id) ? 'strong' : 'weak');
  for (const id of dated) mark([id], cities.has(id) ? 'strong' : 'weak');
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Dates written as 2013-12-05, 5 Dec 2013, 5DEC2013, December 5, 2013 or 05.12.2013. */
export function datesIn(text: string): string[] {
  const out = new Set<string>();
  const fmt = (y: number, m: number, d: number): void => {
    if (y > 1900 && y < 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31)
      out.add(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  };
  for (const m of text.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) fmt(+m[1]!, +m[2]!, +m[3]!);
  for (const m of text.matchAll(/\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([A-Za-z]{3,9})\.?,?\s*(\d{4})\b/g)) {
    const mon = MONTHS[m[2]!.toLowerCase().slice(0, 3)];
    if (mon) fmt(+m[3]!, mon, +m[1]!);
  }
  for (const m of text.matchAll(/\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b/g)) {
    const mon = MONTHS[m[1]!.toLowerCase().slice(0, 3)];
    if (mon) fmt(+m[3]!, mon, +m[2]!);
  }
  for (const m of text.matchAll(/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/g)) fmt(+m[3]!, +m[2]!, +m[1]!);
  return [...out];
}

/** Does a rare word of the talk's title stand within a few words of `span`? */
function rareTitleWordNear(
  talk: TalkEntry | undefined,
  span: Span,
  content: readonly Token[],
  index: MentionIndex,
): boolean {
  if (!talk) return false;
  const terms = new Set(talk.titleTerms.filter((t) => index.titleDf(t) <= RARE_TITLE_DF));
  if (terms.size === 0) return false;
  return content.some(
    (tok) => tok.end >= span.start - NEAR_CHARS && tok.start <= span.end + NEAR_CHARS && terms.has(tok.t),
  );
}

/** How near (characters) a title word must stand to a name to tell the speaker's talks apart. */
const NEAR_CHARS = 60;

function pickSpan(e: TalkEvidence): Span {
  if (e.title && e.speaker) {
    const start = Math.min(e.title.span.start, e.speaker.span.start);
    const end = Math.max(e.title.span.end, e.speaker.span.end);
    return end - start < 400 ? { start, end } : e.title.span;
  }
  return e.title?.span ?? e.speaker?.span ?? e.link ?? { start: -1, end: -1 };
}
