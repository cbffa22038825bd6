/**
 * In-memory inverted index over talks, used by `GET /api/lookup?q=…` (free-text lookup such as
 * `mcclain neutron`, `havana ice house`, `segmants to servises`) and, through its lower-level
 * primitives, by recording matching and mention detection. Pure: no I/O.
 *
 * ## Structure
 * - **Postings** per normalised term and field: `title` (title, subtitle, talk aliases), `speaker`
 *   (each token of each speaker's name), `track`, `abstract`. Stopwords are not indexed.
 * - **Event terms** (name, aliases, city, acronym) are stored once per event; a talk carries the
 *   `event` field implicitly through its `eventId` (nothing is copied per talk).
 * - **Token sequences** of the short fields (title, speaker, track, event) are kept per talk/event,
 *   only to verify adjacency for compounds (see below) and to remove a talk cleanly.
 * - **Vocabulary**: every indexed term, plus
 *   - a SymSpell-style deletion index (all strings obtained by deleting 1 character from terms of
 *     ≥ 5 characters, and 2 characters from terms of ≥ 8) for typo lookup without scanning the
 *     vocabulary; candidates are verified with a transposition-aware edit distance;
 *   - a sorted array (merged lazily after updates) for binary-searched prefix lookup.
 *
 * ## Term expansion (what a query term may match)
 * - `exact`: the same normalised term.
 * - `fuzzy`: edit distance 1 for terms of ≥ 5 characters, 2 when both are ≥ 8 (adjacent
 *   transpositions count as one edit; terms containing digits are never fuzzy-matched).
 * - `prefix`: only for the query's LAST token, ≥ 3 characters, and only while the user is still
 *   typing it (the query does not end with a space or punctuation) — search-as-you-type.
 * - `compound` — handled on the query side only, the index stores no joined forms:
 *   - two adjacent query tokens `ice house` match the index term `icehouse` (both query terms are
 *     credited);
 *   - one query token `icehouse` (≥ 5 chars) is split at every position where both halves are
 *     indexed terms; the expansion `ice house` matches talks where the two halves are adjacent in
 *     the same short field (postings intersection, verified against the stored token sequences).
 *   This is also how a joined full name works: speakers are indexed per name token only, and
 *   `markmcclain` matches "Mark McClain" as the split `mark mcclain`.
 *
 * ## Scoring
 * Each non-stopword query term `q` has a weight `w(q) = idf(q)` (BM25 idf,
 * `ln(1 + (N − df + 0.5) / (df + 0.5))`); when `q` itself is not indexed (a typo, a prefix) its weight
 * is the largest idf among its expansions, and when nothing matches it, the idf of an unseen term.
 * A talk's contribution for `q` is the best, over its fields and `q`'s expansions, of
 * `w(q) × fieldWeight × (1 − penalty)`; penalties: exact 0, compound 0.05, fuzzy 0.2 (1 edit) or
 * 0.35 (2 edits), prefix `0.4 − 0.3 × typed/length`. The score is the sum of contributions divided by
 * `Σ w(q) × max fieldWeight`, hence in `0..1` — 1 when every term matched exactly in the title.
 * Terms matching nothing stay in the denominator. Default field weights: title 1, speaker 0.9,
 * event 0.6, track 0.6, abstract 0.3. Ties: score descending, then id ascending.
 *
 * ## Cost
 * A search never scores every talk. Candidates are the talks of the postings lists of the query's
 * expansions; a postings list longer than the enumeration limit
 * (`max(minEnumeration, min(enumerationRatio × N, enumerationCap))`) is a *frequent* source and is
 * not enumerated: it only scores candidates found through rarer sources (a membership test per
 * candidate). When every source of the query is frequent, candidates are the first
 * `fallbackCandidates` postings of the smallest one. With an `eventId` filter whose talk set is
 * within the enumeration limit, candidates are simply that event's talks.
 */
import { STOPWORDS, boundedEditDistance, tokenize } from './normalize.ts';

/** The part of a talk the index needs. `Talk` from the domain is assignable to it. */
export type IndexedTalk = {
  id: string;
  eventId: string;
  title: string;
  subtitle?: string | undefined;
  aliases: readonly string[];
  speakers: readonly { name: string }[];
  track?: string | undefined;
  abstract?: string | undefined;
};

/** The part of an event the index needs. `Event` from the domain is assignable to it. */
export type IndexedEvent = {
  id: string;
  name: string;
  aliases: readonly string[];
  city?: string | undefined;
  acronym?: string | undefined;
};

/** Where a term was found. `title` also covers subtitle and talk aliases. */
export type IndexField = 'title' | 'speaker' | 'event' | 'track' | 'abstract';

/** How a query term reached an index term. */
export type MatchVia = 'exact' | 'prefix' | 'fuzzy' | 'compound';

/** One search result. */
export type SearchHit = {
  id: string;
  /** 0..1; 1 = every query term matched exactly in the title. */
  score: number;
  /** Per matched query term (query order), the field and index term that gave its best contribution. */
  matched: { term: string; field: IndexField; via: MatchVia; indexTerm: string }[];
};

/**
 * An index term a query term can stand for. `indexTerm` is a normalised term, or two terms joined by
 * one space for a split compound (`ice house`: the two must be adjacent in a field).
 * Match quality is `1 − penalty`.
 */
export type TermExpansion = { indexTerm: string; via: MatchVia; penalty: number };

/** Counters of the last {@link TalkIndex.search}, for tests and diagnostics. */
export type SearchStats = {
  /** Non-stopword query terms. */
  terms: number;
  /** Expansions over all terms. */
  expansions: number;
  /** Non-empty (expansion, field) postings sources. */
  sources: number;
  /** Sources whose postings were enumerated to find candidates. */
  sourcesEnumerated: number;
  /** Frequent sources only used for membership tests. */
  sourcesDeferred: number;
  /** Postings entries visited while enumerating. */
  postingsVisited: number;
  /** Distinct talks scored. */
  candidatesScored: number;
  /** True when candidates came from the capped fallback (every source was frequent). */
  fallback: boolean;
};

/** Tuning knobs; defaults are documented per field. */
export type TalkIndexOptions = {
  /** Field weights. Default title 1, speaker 0.9, event 0.6, track 0.6, abstract 0.3. */
  fieldWeights?: Partial<Record<IndexField, number>>;
  /** Postings longer than this fraction of the catalogue are frequent. Default 0.1. */
  enumerationRatio?: number;
  /** Postings longer than this are frequent whatever the catalogue size. Default 2000. */
  enumerationCap?: number;
  /** Postings up to this length are always enumerated (small catalogues). Default 100. */
  minEnumeration?: number;
  /** Candidates taken from the smallest source when every source is frequent. Default 1000. */
  fallbackCandidates?: number;
  /** Most prefix completions used for the last query token. Default 24. */
  maxPrefixExpansions?: number;
  /** Most vocabulary entries scanned for prefix completions. Default 2000. */
  maxPrefixScan?: number;
  /** Most typo corrections used per query term. Default 16. */
  maxFuzzyExpansions?: number;
  /** Allow edit distance 2 for terms of ≥ 8 characters. Default true. */
  fuzzyDistanceTwo?: boolean;
};

/** Options of {@link TalkIndex.search}. */
export type SearchOptions = {
  /** Only talks of this event. */
  eventId?: string;
  /** Most hits returned. Default 10. */
  limit?: number;
  /** Hits scoring below this are dropped. Default 0. */
  minScore?: number;
  /** Treat the last token as a prefix while it is being typed. Default true. */
  prefix?: boolean;
};

type TalkField = Exclude<IndexField, 'event'>;
type SequenceField = Exclude<TalkField, 'abstract'>;

const TALK_FIELDS: readonly TalkField[] = ['title', 'speaker', 'track', 'abstract'];
const SEQUENCE_FIELDS: readonly SequenceField[] = ['title', 'speaker', 'track'];
const ALL_FIELDS: readonly IndexField[] = ['title', 'speaker', 'event', 'track', 'abstract'];

const DEFAULT_FIELD_WEIGHTS: Readonly<Record<IndexField, number>> = {
  title: 1,
  speaker: 0.9,
  event: 0.6,
  track: 0.6,
  abstract: 0.3,
};

const PENALTY_COMPOUND = 0.05;
const PENALTY_FUZZY: readonly number[] = [0, 0.2, 0.35];
/** Prefix quality grows with how much of the term was typed: `0.6 + 0.3 × typed/length`. */
const prefixPenalty = (typed: number, length: number): number => 0.4 - (0.3 * typed) / length;

const MIN_FUZZY_LENGTH = 5;
const MIN_FUZZY_TWO_LENGTH = 8;
const MIN_PREFIX_LENGTH = 3;
const MIN_SPLIT_LENGTH = 5;
const MIN_SPLIT_PART = 2;
const HAS_DIGIT_RE = /\p{N}/u;

const EMPTY: ReadonlySet<string> = new Set<string>();

type TermEntry = {
  title?: Set<string>;
  speaker?: Set<string>;
  track?: Set<string>;
  abstract?: Set<string>;
  /** Ids of events whose name/aliases/city/acronym contain the term. */
  events?: Set<string>;
  /** Talks containing the term in at least one of their own fields. */
  talkDf: number;
};

type TalkRecord = {
  eventId: string;
  sequences: Record<SequenceField, string[][]>;
  abstractTerms: string[];
};

type EventRecord = { sequences: string[][] };

/** A postings list as the scorer sees it: talk postings, or the talks of a set of events. */
type Source = {
  readonly size: number;
  has(talkId: string): boolean;
  /** Visits talk ids in a stable order; stops when `fn` returns false. */
  forEach(fn: (talkId: string) => boolean | void): void;
};

type ScoredSource = {
  source: Source;
  term: number;
  field: IndexField;
  expansion: TermExpansion;
  value: number;
};

type QueryTerm = { text: string; expansions: Map<string, TermExpansion>; weight: number };

type Candidate = { best: Float64Array; from: Int32Array };

const EMPTY_SOURCE: Source = { size: 0, has: () => false, forEach: () => undefined };

const setSource = (set: ReadonlySet<string>): Source => ({
  size: set.size,
  has: (id) => set.has(id),
  forEach: (fn) => {
    for (const id of set) if (fn(id) === false) return;
  },
});

function deletions(term: string, depth: number, out: Set<string>): void {
  for (let i = 0; i < term.length; i++) {
    const d = term.slice(0, i) + term.slice(i + 1);
    if (out.has(d)) continue;
    out.add(d);
    if (depth > 1) deletions(d, depth - 1, out);
  }
}

function adjacentIn(sequences: readonly (readonly string[])[], a: string, b: string): boolean {
  for (const seq of sequences) {
    for (let i = 0; i + 1 < seq.length; i++) if (seq[i] === a && seq[i + 1] === b) return true;
  }
  return false;
}

const compareHits = (x: { id: string; score: number }, y: { id: string; score: number }): number =>
  y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/**
 * Inverted index over talks and their events with typo, prefix and compound tolerant ranked search.
 * See the module documentation for structure, scoring and cost guarantees.
 */
export class TalkIndex {
  private readonly weights: Readonly<Record<IndexField, number>>;
  private readonly maxWeight: number;
  private readonly enumerationRatio: number;
  private readonly enumerationCap: number;
  private readonly minEnumeration: number;
  private readonly fallbackCandidates: number;
  private readonly maxPrefixExpansions: number;
  private readonly maxPrefixScan: number;
  private readonly maxFuzzyExpansions: number;
  private readonly fuzzyDistanceTwo: boolean;

  private readonly terms = new Map<string, TermEntry>();
  private readonly talks = new Map<string, TalkRecord>();
  private readonly events = new Map<string, EventRecord>();
  private readonly eventTalks = new Map<string, Set<string>>();
  /** Deletion variant → vocabulary term(s) it came from. */
  private readonly deletes = new Map<string, string | string[]>();
  private sorted: string[] = [];
  private pendingVocabulary: string[] = [];
  private droppedSinceMerge = 0;
  private stats: SearchStats = TalkIndex.emptyStats();

  /** @param opts tuning knobs, see {@link TalkIndexOptions}. */
  constructor(opts: TalkIndexOptions = {}) {
    this.weights = { ...DEFAULT_FIELD_WEIGHTS, ...opts.fieldWeights };
    this.maxWeight = Math.max(...ALL_FIELDS.map((f) => this.weights[f]));
    this.enumerationRatio = opts.enumerationRatio ?? 0.1;
    this.enumerationCap = opts.enumerationCap ?? 2000;
    this.minEnumeration = opts.minEnumeration ?? 100;
    this.fallbackCandidates = opts.fallbackCandidates ?? 1000;
    this.maxPrefixExpansions = opts.maxPrefixExpansions ?? 24;
    this.maxPrefixScan = opts.maxPrefixScan ?? 2000;
    this.maxFuzzyExpansions = opts.maxFuzzyExpansions ?? 16;
    this.fuzzyDistanceTwo = opts.fuzzyDistanceTwo ?? true;
  }

  private static emptyStats(): SearchStats {
    return {
      terms: 0,
      expansions: 0,
      sources: 0,
      sourcesEnumerated: 0,
      sourcesDeferred: 0,
      postingsVisited: 0,
      candidatesScored: 0,
      fallback: false,
    };
  }

  /** Number of indexed talks. */
  get size(): number {
    return this.talks.size;
  }

  /** Number of distinct indexed terms (talk and event fields). */
  get vocabularySize(): number {
    return this.terms.size;
  }

  /** Counters of the most recent {@link search}. */
  get lastSearchStats(): Readonly<SearchStats> {
    return this.stats;
  }

  // ---------------------------------------------------------------- updates

  /**
   * Adds or replaces an event. Its name, aliases, city and acronym are indexed once, as field
   * `event` of every talk whose `eventId` is this event (including talks indexed later or earlier).
   */
  upsertEvent(e: IndexedEvent): void {
    this.removeEvent(e.id);
    const texts = [e.name, ...e.aliases, e.city ?? '', e.acronym ?? ''];
    const sequences = texts.map(tokenize).filter((seq) => seq.length > 0);
    this.events.set(e.id, { sequences });
    for (const term of new Set(sequences.flat())) {
      if (STOPWORDS.has(term)) continue;
      (this.entryFor(term).events ??= new Set()).add(e.id);
    }
  }

  /** Removes an event's terms. Its talks stay indexed (they just lose the `event` field). */
  removeEvent(id: string): void {
    const record = this.events.get(id);
    if (record === undefined) return;
    this.events.delete(id);
    for (const term of new Set(record.sequences.flat())) {
      const entry = this.terms.get(term);
      if (entry?.events === undefined) continue;
      entry.events.delete(id);
      if (entry.events.size === 0) delete entry.events;
      this.dropIfEmpty(term, entry);
    }
  }

  /** Adds a talk, or re-indexes it from scratch if its id is already present (no stale postings). */
  upsertTalk(t: IndexedTalk): void {
    this.removeTalk(t.id);
    const texts = [t.title, t.subtitle ?? '', ...t.aliases];
    const record: TalkRecord = {
      eventId: t.eventId,
      sequences: {
        title: texts.map(tokenize).filter((seq) => seq.length > 0),
        speaker: t.speakers.map((s) => tokenize(s.name)).filter((seq) => seq.length > 0),
        track: t.track === undefined ? [] : [tokenize(t.track)].filter((seq) => seq.length > 0),
      },
      abstractTerms: [...new Set(tokenize(t.abstract ?? ''))].filter((w) => !STOPWORDS.has(w)),
    };
    this.talks.set(t.id, record);
    let inEvent = this.eventTalks.get(t.eventId);
    if (inEvent === undefined) this.eventTalks.set(t.eventId, (inEvent = new Set()));
    inEvent.add(t.id);
    for (const [term, fields] of TalkIndex.termFields(record)) {
      const entry = this.entryFor(term);
      entry.talkDf++;
      for (const f of fields) (entry[f] ??= new Set()).add(t.id);
    }
  }

  /** Removes a talk and all its postings. Unknown ids are ignored. */
  removeTalk(id: string): void {
    const record = this.talks.get(id);
    if (record === undefined) return;
    this.talks.delete(id);
    const inEvent = this.eventTalks.get(record.eventId);
    inEvent?.delete(id);
    if (inEvent?.size === 0) this.eventTalks.delete(record.eventId);
    for (const [term, fields] of TalkIndex.termFields(record)) {
      const entry = this.terms.get(term);
      if (entry === undefined) continue;
      entry.talkDf--;
      for (const f of fields) {
        const set = entry[f];
        set?.delete(id);
        if (set?.size === 0) delete entry[f];
      }
      this.dropIfEmpty(term, entry);
    }
  }

  /** Distinct (term, fields) pairs of a talk; the same for indexing and removal. */
  private static termFields(record: TalkRecord): Map<string, Set<TalkField>> {
    const out = new Map<string, Set<TalkField>>();
    const add = (term: string, field: TalkField): void => {
      if (STOPWORDS.has(term)) return;
      let fields = out.get(term);
      if (fields === undefined) out.set(term, (fields = new Set()));
      fields.add(field);
    };
    for (const f of SEQUENCE_FIELDS) for (const seq of record.sequences[f]) for (const w of seq) add(w, f);
    for (const w of record.abstractTerms) add(w, 'abstract');
    return out;
  }

  private entryFor(term: string): TermEntry {
    let entry = this.terms.get(term);
    if (entry === undefined) {
      entry = { talkDf: 0 };
      this.terms.set(term, entry);
      this.pendingVocabulary.push(term);
      this.addDeletes(term);
    }
    return entry;
  }

  private dropIfEmpty(term: string, entry: TermEntry): void {
    if (entry.talkDf > 0 || entry.events !== undefined) return;
    if (TALK_FIELDS.some((f) => entry[f] !== undefined)) return;
    this.terms.delete(term);
    this.removeDeletes(term);
    this.droppedSinceMerge++;
  }

  private fuzzyDepth(length: number): number {
    if (length >= MIN_FUZZY_TWO_LENGTH && this.fuzzyDistanceTwo) return 2;
    return length >= MIN_FUZZY_LENGTH ? 1 : 0;
  }

  private deletionsOf(term: string): Set<string> {
    const out = new Set<string>();
    const depth = HAS_DIGIT_RE.test(term) ? 0 : this.fuzzyDepth(term.length);
    if (depth > 0) deletions(term, depth, out);
    return out;
  }

  private addDeletes(term: string): void {
    for (const d of this.deletionsOf(term)) {
      const cur = this.deletes.get(d);
      if (cur === undefined) this.deletes.set(d, term);
      else if (typeof cur === 'string') this.deletes.set(d, [cur, term]);
      else cur.push(term);
    }
  }

  private removeDeletes(term: string): void {
    for (const d of this.deletionsOf(term)) {
      const cur = this.deletes.get(d);
      if (cur === term) this.deletes.delete(d);
      else if (Array.isArray(cur)) {
        const rest = cur.filter((x) => x !== term);
        if (rest.length === 1) this.deletes.set(d, rest[0] ?? '');
        else this.deletes.set(d, rest);
      }
    }
  }

  /** The vocabulary in code-unit order, merging terms added since the last call. */
  private sortedVocabulary(): readonly string[] {
    if (this.pendingVocabulary.length === 0 && this.droppedSinceMerge * 4 <= this.sorted.length) {
      return this.sorted;
    }
    const added = [...new Set(this.pendingVocabulary)].filter((t) => this.terms.has(t)).sort();
    const kept = this.sorted.filter((t) => this.terms.has(t));
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < kept.length || j < added.length) {
      const a = kept[i];
      const b = added[j];
      let next: string;
      if (b === undefined || (a !== undefined && a <= b)) {
        next = a ?? '';
        i++;
        if (a === b) j++;
      } else {
        next = b;
        j++;
      }
      if (merged[merged.length - 1] !== next) merged.push(next);
    }
    this.sorted = merged;
    this.pendingVocabulary = [];
    this.droppedSinceMerge = 0;
    return merged;
  }

  // ---------------------------------------------------------------- primitives

  /** Ids of the indexed talks of an event. */
  talkIdsForEvent(eventId: string): ReadonlySet<string> {
    return this.eventTalks.get(eventId) ?? EMPTY;
  }

  /**
   * Talk ids whose `field` contains the exact normalised `term`. For `event` the set is built from
   * the matching events' talks (cost proportional to the result). A two-word term `a b` returns the
   * talks where `a` is directly followed by `b` in that field (not supported for `abstract`).
   */
  postings(term: string, field: IndexField): ReadonlySet<string> {
    const source = this.source(term, field);
    if (source === EMPTY_SOURCE) return EMPTY;
    if (field !== 'event' && !term.includes(' ')) return this.terms.get(term)?.[field] ?? EMPTY;
    const out = new Set<string>();
    source.forEach((id) => {
      out.add(id);
    });
    return out;
  }

  /**
   * Talks containing `term` in any field, counting the talks of events whose name etc. contain it.
   * A talk that has the term both in its own fields and in its event's is counted twice (the sum is
   * capped at {@link size}); stopwords are not indexed and have frequency 0.
   */
  documentFrequency(term: string): number {
    if (term.includes(' ')) {
      const ids = new Set<string>();
      for (const f of ALL_FIELDS) {
        this.source(term, f).forEach((id) => {
          ids.add(id);
        });
      }
      return ids.size;
    }
    const entry = this.terms.get(term);
    if (entry === undefined) return 0;
    let df = entry.talkDf;
    if (entry.events !== undefined) for (const e of entry.events) df += this.talkIdsForEvent(e).size;
    return Math.min(df, this.size);
  }

  /**
   * BM25 inverse document frequency `ln(1 + (N − df + 0.5) / (df + 0.5))`, > 0 for any term in a
   * non-empty index; 0 for stopwords and for an empty index.
   */
  idf(term: string): number {
    return STOPWORDS.has(term) ? 0 : this.idfFromDf(this.documentFrequency(term));
  }

  private idfFromDf(df: number): number {
    const n = this.size;
    if (n === 0) return 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * Index terms a normalised query term may stand for, best first (lowest penalty, then rarer, then
   * alphabetical): `exact`; `fuzzy` (see module docs); split `compound`s (`icehouse` → `ice house`,
   * only when the halves are adjacent somewhere); `prefix` completions when `opts.prefix`. A two-word
   * input `a b` instead returns the joined compound `ab` if it is indexed.
   * @param opts `prefix` default false, `fuzzy` default true.
   */
  expandTerm(term: string, opts: { prefix?: boolean; fuzzy?: boolean } = {}): TermExpansion[] {
    const parts = term.split(' ');
    if (parts.length === 2) {
      const joined = parts.join('');
      return this.terms.has(joined) ? [{ indexTerm: joined, via: 'compound', penalty: PENALTY_COMPOUND }] : [];
    }
    const found = new Map<string, TermExpansion>();
    this.collectExpansions(term, opts.prefix ?? false, opts.fuzzy ?? true, found);
    const withDf = [...found.values()]
      .map((e) => ({ e, df: this.documentFrequency(e.indexTerm) }))
      .filter(({ df }) => df > 0);
    withDf.sort((a, b) => a.e.penalty - b.e.penalty || a.df - b.df || (a.e.indexTerm < b.e.indexTerm ? -1 : 1));
    return withDf.map(({ e }) => e);
  }

  private static offer(found: Map<string, TermExpansion>, e: TermExpansion): void {
    const cur = found.get(e.indexTerm);
    if (cur === undefined || e.penalty < cur.penalty) found.set(e.indexTerm, e);
  }

  private collectExpansions(term: string, prefix: boolean, fuzzy: boolean, found: Map<string, TermExpansion>): void {
    if (this.terms.has(term)) TalkIndex.offer(found, { indexTerm: term, via: 'exact', penalty: 0 });
    if (fuzzy) for (const e of this.fuzzyExpansions(term)) TalkIndex.offer(found, e);
    for (const e of this.splitExpansions(term)) TalkIndex.offer(found, e);
    if (prefix) for (const e of this.prefixExpansions(term)) TalkIndex.offer(found, e);
  }

  private fuzzyExpansions(term: string): TermExpansion[] {
    const depth = HAS_DIGIT_RE.test(term) ? 0 : this.fuzzyDepth(term.length);
    if (depth === 0) return [];
    const variants = new Set<string>([term]);
    deletions(term, depth, variants);
    const candidates = new Set<string>();
    for (const v of variants) {
      if (v !== term && this.terms.has(v)) candidates.add(v);
      const hit = this.deletes.get(v);
      if (typeof hit === 'string') candidates.add(hit);
      else if (hit !== undefined) for (const t of hit) candidates.add(t);
    }
    candidates.delete(term);
    const out: { e: TermExpansion; d: number; df: number }[] = [];
    for (const t of candidates) {
      if (HAS_DIGIT_RE.test(t)) continue;
      const allowed = Math.min(depth, this.fuzzyDepth(t.length));
      if (allowed === 0) continue;
      const d = boundedEditDistance(term, t, allowed);
      if (d > allowed) continue;
      out.push({ e: { indexTerm: t, via: 'fuzzy', penalty: PENALTY_FUZZY[d] ?? 1 }, d, df: this.documentFrequency(t) });
    }
    out.sort((a, b) => a.d - b.d || b.df - a.df || (a.e.indexTerm < b.e.indexTerm ? -1 : 1));
    return out.slice(0, this.maxFuzzyExpansions).map((x) => x.e);
  }

  private splitExpansions(term: string): TermExpansion[] {
    if (term.length < MIN_SPLIT_LENGTH) return [];
    const out: TermExpansion[] = [];
    for (let i = MIN_SPLIT_PART; i <= term.length - MIN_SPLIT_PART; i++) {
      const left = term.slice(0, i);
      const right = term.slice(i);
      if (this.terms.has(left) && this.terms.has(right)) {
        out.push({ indexTerm: `${left} ${right}`, via: 'compound', penalty: PENALTY_COMPOUND });
      }
    }
    return out;
  }

  private prefixExpansions(typed: string): TermExpansion[] {
    if (typed.length < MIN_PREFIX_LENGTH) return [];
    const vocab = this.sortedVocabulary();
    let lo = 0;
    let hi = vocab.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((vocab[mid] ?? '') < typed) lo = mid + 1;
      else hi = mid;
    }
    const found: { term: string; df: number }[] = [];
    for (let i = lo, scanned = 0; i < vocab.length && scanned < this.maxPrefixScan; i++, scanned++) {
      const t = vocab[i] ?? '';
      if (!t.startsWith(typed)) break;
      if (t !== typed && this.terms.has(t)) found.push({ term: t, df: this.documentFrequency(t) });
    }
    found.sort((a, b) => a.term.length - b.term.length || b.df - a.df || (a.term < b.term ? -1 : 1));
    return found.slice(0, this.maxPrefixExpansions).map(({ term }) => ({
      indexTerm: term,
      via: 'prefix',
      penalty: prefixPenalty(typed.length, term.length),
    }));
  }

  // ---------------------------------------------------------------- sources

  private eventSource(eventIds: ReadonlySet<string>): Source {
    if (eventIds.size === 0) return EMPTY_SOURCE;
    let size = 0;
    for (const e of eventIds) size += this.talkIdsForEvent(e).size;
    if (size === 0) return EMPTY_SOURCE;
    return {
      size,
      has: (id) => {
        const eventId = this.talks.get(id)?.eventId;
        return eventId !== undefined && eventIds.has(eventId);
      },
      forEach: (fn) => {
        for (const e of eventIds) for (const id of this.talkIdsForEvent(e)) if (fn(id) === false) return;
      },
    };
  }

  /** Postings of an index term (or an adjacent pair `a b`) in one field, as a scorer source. */
  private source(indexTerm: string, field: IndexField): Source {
    const space = indexTerm.indexOf(' ');
    if (space < 0) {
      const entry = this.terms.get(indexTerm);
      if (entry === undefined) return EMPTY_SOURCE;
      if (field === 'event') return entry.events === undefined ? EMPTY_SOURCE : this.eventSource(entry.events);
      const set = entry[field];
      return set === undefined ? EMPTY_SOURCE : setSource(set);
    }
    const a = indexTerm.slice(0, space);
    const b = indexTerm.slice(space + 1);
    const ea = this.terms.get(a);
    const eb = this.terms.get(b);
    if (ea === undefined || eb === undefined || field === 'abstract') return EMPTY_SOURCE;
    if (field === 'event') {
      const matching = new Set<string>();
      for (const e of ea.events ?? EMPTY) {
        const record = this.events.get(e);
        if (eb.events?.has(e) === true && record !== undefined && adjacentIn(record.sequences, a, b)) matching.add(e);
      }
      return this.eventSource(matching);
    }
    const sa = ea[field];
    const sb = eb[field];
    if (sa === undefined || sb === undefined) return EMPTY_SOURCE;
    const [small, large] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
    if (small.size > this.enumerationLimit()) return EMPTY_SOURCE; // both halves frequent: not supported
    const matching = new Set<string>();
    for (const id of small) {
      const record = this.talks.get(id);
      if (large.has(id) && record !== undefined && adjacentIn(record.sequences[field], a, b)) matching.add(id);
    }
    return matching.size === 0 ? EMPTY_SOURCE : setSource(matching);
  }

  private enumerationLimit(): number {
    const proportional = Math.min(Math.floor(this.enumerationRatio * this.size), this.enumerationCap);
    return Math.max(this.minEnumeration, proportional);
  }

  // ---------------------------------------------------------------- search

  /**
   * Ranked free-text lookup. Stopwords are ignored; a stopword-only or empty query returns `[]`.
   * See the module documentation for matching, scoring and cost.
   */
  search(query: string, opts: SearchOptions = {}): SearchHit[] {
    const stats = TalkIndex.emptyStats();
    this.stats = stats;
    const limit = opts.limit ?? 10;
    const minScore = opts.minScore ?? 0;
    const qterms = this.queryTerms(query, opts.prefix ?? true);
    stats.terms = qterms.length;
    if (qterms.length === 0 || this.size === 0 || limit <= 0) return [];

    const sources = this.scoredSources(qterms);
    stats.expansions = qterms.reduce((n, q) => n + q.expansions.size, 0);
    stats.sources = sources.length;

    const filter = opts.eventId === undefined ? undefined : this.talkIdsForEvent(opts.eventId);
    if (filter?.size === 0) return [];
    const enumLimit = this.enumerationLimit();
    const candidates = new Map<string, Candidate>();
    const newCandidate = (): Candidate => ({
      best: new Float64Array(qterms.length),
      from: new Int32Array(qterms.length).fill(-1),
    });
    const credit = (candidate: Candidate, si: number): void => {
      const s = sources[si];
      if (s !== undefined && s.value > (candidate.best[s.term] ?? 0)) {
        candidate.best[s.term] = s.value;
        candidate.from[s.term] = si;
      }
    };

    let deferred: number[] = [];
    if (filter !== undefined && filter.size <= enumLimit) {
      for (const id of filter) candidates.set(id, newCandidate());
      deferred = sources.map((_, i) => i);
    } else {
      sources.forEach((s, si) => {
        if (s.source.size > enumLimit) {
          deferred.push(si);
          return;
        }
        stats.sourcesEnumerated++;
        s.source.forEach((id) => {
          stats.postingsVisited++;
          if (filter !== undefined && !filter.has(id)) return;
          let c = candidates.get(id);
          if (c === undefined) candidates.set(id, (c = newCandidate()));
          credit(c, si);
        });
      });
      if (candidates.size === 0 && deferred.length > 0) this.fallback(sources, deferred, filter, candidates, newCandidate);
    }
    stats.sourcesDeferred = deferred.length;
    for (const [id, c] of candidates) for (const si of deferred) if (sources[si]?.source.has(id) === true) credit(c, si);
    stats.candidatesScored = candidates.size;

    const denominator = qterms.reduce((sum, q) => sum + q.weight, 0) * this.maxWeight;
    const scored: { id: string; score: number; c: Candidate }[] = [];
    for (const [id, c] of candidates) {
      const score = c.best.reduce((sum, v) => sum + v, 0) / denominator;
      if (score > 0 && score >= minScore) scored.push({ id, score, c });
    }
    scored.sort(compareHits);
    return scored.slice(0, limit).map(({ id, score, c }) => ({
      id,
      score,
      matched: qterms.flatMap((q, ti) => {
        const s = sources[c.from[ti] ?? -1];
        return s === undefined ? [] : [{ term: q.text, field: s.field, via: s.expansion.via, indexTerm: s.expansion.indexTerm }];
      }),
    }));
  }

  /** Every source is frequent: candidates are the first postings of the smallest one (capped). */
  private fallback(
    sources: readonly ScoredSource[],
    deferred: readonly number[],
    filter: ReadonlySet<string> | undefined,
    candidates: Map<string, Candidate>,
    newCandidate: () => Candidate,
  ): void {
    let smallest: ScoredSource | undefined;
    for (const si of deferred) {
      const s = sources[si];
      if (s !== undefined && (smallest === undefined || s.source.size < smallest.source.size)) smallest = s;
    }
    if (smallest === undefined) return;
    this.stats.fallback = true;
    const cap = this.fallbackCandidates;
    smallest.source.forEach((id) => {
      this.stats.postingsVisited++;
      if (filter === undefined || filter.has(id)) candidates.set(id, newCandidate());
      return candidates.size < cap;
    });
  }

  /** Non-stopword, de-duplicated query terms with their expansions and weights. */
  private queryTerms(query: string, allowPrefix: boolean): QueryTerm[] {
    const tokens = tokenize(query);
    const typingLast = allowPrefix && /[\p{L}\p{N}\p{M}]$/u.test(query);
    const byText = new Map<string, QueryTerm>();
    tokens.forEach((tok, pos) => {
      if (STOPWORDS.has(tok)) return;
      let q = byText.get(tok);
      if (q === undefined) byText.set(tok, (q = { text: tok, expansions: new Map(), weight: 0 }));
      this.collectExpansions(tok, typingLast && pos === tokens.length - 1, true, q.expansions);
    });
    // adjacent query tokens joined: `ice house` → `icehouse`, credited to both
    for (let i = 0; i + 1 < tokens.length; i++) {
      const a = byText.get(tokens[i] ?? '');
      const b = byText.get(tokens[i + 1] ?? '');
      if (a === undefined || b === undefined) continue;
      const joined = a.text + b.text;
      if (!this.terms.has(joined)) continue;
      const e: TermExpansion = { indexTerm: joined, via: 'compound', penalty: PENALTY_COMPOUND };
      TalkIndex.offer(a.expansions, e);
      TalkIndex.offer(b.expansions, e);
    }
    const terms = [...byText.values()];
    for (const q of terms) {
      if (this.documentFrequency(q.text) > 0) q.weight = this.idf(q.text);
      else {
        let weight = 0;
        for (const e of q.expansions.values()) {
          const df = this.documentFrequency(e.indexTerm);
          if (df > 0) weight = Math.max(weight, this.idfFromDf(df));
        }
        q.weight = weight > 0 ? weight : this.idfFromDf(0);
      }
    }
    return terms;
  }

  /** Non-empty (term, expansion, field) sources with their contribution value. */
  private scoredSources(qterms: readonly QueryTerm[]): ScoredSource[] {
    const out: ScoredSource[] = [];
    qterms.forEach((q, term) => {
      for (const expansion of q.expansions.values()) {
        for (const field of ALL_FIELDS) {
          const source = this.source(expansion.indexTerm, field);
          if (source.size === 0) continue;
          const value = q.weight * this.weights[field] * (1 - expansion.penalty);
          out.push({ source, term, field, expansion, value });
        }
      }
    });
    return out;
  }
}
