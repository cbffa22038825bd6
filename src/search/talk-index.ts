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
 * A search never scores every talk; its cost is bounded by the postings of the query's expansions.
 * - Each (expansion, field) pair is a *source*. A source longer than the enumeration limit
 *   `max(minEnumeration, min(enumerationRatio × N, enumerationCap))` (defaults 100, 10 %, 2000) is
 *   *frequent*: its postings are never enumerated, it only adds to the score of candidates found
 *   through rarer sources (one membership test per candidate). Only when every source of the query
 *   is frequent are candidates taken from the smallest one, at most `fallbackCandidates` (1000)
 *   of its postings in index order.
 * - Rare sources are enumerated best value first, MaxScore-style: once the best score a talk could
 *   reach through the remaining rare sources and the frequent ones is below the k-th best lower
 *   bound seen so far, the remaining sources are only used for membership tests.
 * - Candidates are then completed in decreasing order of their upper bound and the walk stops when
 *   no remaining candidate can enter the top `limit`. This pruning is exact: results equal a full
 *   scoring of the same candidate set.
 * - With an `eventId` filter whose talk set is within the enumeration limit, the candidates are
 *   simply that event's talks.
 * - Typo lookup costs O(variants of the query term) map lookups; prefix lookup is a binary search
 *   plus a scan of at most `maxPrefixScan` entries; a split compound intersects two postings lists
 *   by walking the shorter one (not attempted when both halves are frequent).
 * {@link TalkIndex.lastSearchStats} reports the counters of the last search.
 */
import { STOPWORDS, boundedEditDistance, tokenize } from '../text/normalize.ts';

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
  /** Sources only used for membership tests on candidates: the frequent ones and the pruned ones. */
  sourcesDeferred: number;
  /** Rare-enough sources not enumerated because they could no longer lift a talk into the results. */
  sourcesPruned: number;
  /** Postings entries visited while enumerating. */
  postingsVisited: number;
  /** Distinct talks reached through the enumerated postings (the candidate set). */
  candidates: number;
  /** Candidates fully scored (the others were skipped by their score upper bound). */
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
/** Internal dense talk number; reused after removal. */
type Doc = number;

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
/** Re-check the pruning threshold only after the remaining upper bound fell by this factor. */
const PRUNE_RECHECK_FACTOR = 0.95;
const PHRASE_CACHE_MAX = 4096;
/** Slack for comparing upper bounds built from incrementally summed floats with exact scores. */
const SCORE_EPSILON = 1e-9;
const HAS_DIGIT_RE = /\p{N}/u;
const STILL_TYPING_RE = /[\p{L}\p{N}\p{M}]$/u;

const EMPTY_IDS: ReadonlySet<string> = new Set<string>();
const EMPTY_DOCS: ReadonlySet<Doc> = new Set<Doc>();
/** Canonical string instances of the stopwords, so token sequences share them. */
const STOPWORD_STRINGS = new Map([...STOPWORDS].map((w) => [w, w]));

type TermEntry = {
  /** The canonical instance of the term's string; token sequences and the vocabulary share it. */
  readonly term: string;
  title?: Set<Doc>;
  speaker?: Set<Doc>;
  track?: Set<Doc>;
  abstract?: Set<Doc>;
  /** Ids of events whose name/aliases/city/acronym contain the term. */
  events?: Set<string>;
  /** Talks containing the term in at least one of their own fields. */
  talkDf: number;
};

type TalkRecord = {
  readonly id: string;
  readonly eventId: string;
  readonly sequences: Readonly<Record<SequenceField, readonly (readonly string[])[]>>;
  readonly abstractTerms: readonly string[];
};

type EventRecord = { readonly sequences: readonly (readonly string[])[] };

/** A postings list as the scorer sees it. */
interface Source {
  readonly size: number;
  has(doc: Doc): boolean;
  /** Visits docs in a stable order; stops when `fn` returns false. */
  forEach(fn: (doc: Doc) => boolean | void): void;
}

class SetSource implements Source {
  constructor(private readonly set: ReadonlySet<Doc>) {}
  get size(): number {
    return this.set.size;
  }
  has(doc: Doc): boolean {
    return this.set.has(doc);
  }
  forEach(fn: (doc: Doc) => boolean | void): void {
    for (const doc of this.set) if (fn(doc) === false) return;
  }
}

/** The talks of a set of events, without materialising them. */
class EventSource implements Source {
  readonly size: number;
  constructor(
    private readonly eventIds: ReadonlySet<string>,
    private readonly docsOf: (eventId: string) => ReadonlySet<Doc>,
    private readonly eventOf: (doc: Doc) => string | undefined,
  ) {
    let size = 0;
    for (const e of eventIds) size += docsOf(e).size;
    this.size = size;
  }
  has(doc: Doc): boolean {
    const e = this.eventOf(doc);
    return e !== undefined && this.eventIds.has(e);
  }
  forEach(fn: (doc: Doc) => boolean | void): void {
    for (const e of this.eventIds) for (const doc of this.docsOf(e)) if (fn(doc) === false) return;
  }
}

const EMPTY_SOURCE: Source = new SetSource(EMPTY_DOCS);

type ScoredSource = {
  /** Position in the search's source list (recorded per candidate term to explain the hit). */
  readonly index: number;
  readonly source: Source;
  readonly term: number;
  readonly field: IndexField;
  readonly expansion: TermExpansion;
  /** `w(q) × fieldWeight × (1 − penalty)`: what a talk in this source earns for the term. */
  readonly value: number;
};

type QueryTerm = { text: string; expansions: Map<string, TermExpansion>; weight: number };

/**
 * Per-search candidate accumulator: candidate slots in insertion order, flat `best`/`from` arrays of
 * `terms` entries per slot, and the running sum of each slot's best values (`partial`), in typed
 * arrays grown by doubling. `slotOf` is an index-wide scratch array (doc → slot, −1 when free) reset
 * by {@link release}.
 */
class Candidates {
  count = 0;
  docs = new Int32Array(64);
  partial = new Float64Array(64);
  best: Float64Array;
  from: Int32Array;
  constructor(
    readonly terms: number,
    private readonly slotOf: Int32Array,
  ) {
    this.best = new Float64Array(64 * terms);
    this.from = new Int32Array(64 * terms).fill(-1);
  }
  private grow(): void {
    const capacity = this.docs.length * 2;
    const docs = new Int32Array(capacity);
    docs.set(this.docs);
    this.docs = docs;
    const partial = new Float64Array(capacity);
    partial.set(this.partial);
    this.partial = partial;
    const best = new Float64Array(capacity * this.terms);
    best.set(this.best);
    this.best = best;
    const from = new Int32Array(capacity * this.terms).fill(-1);
    from.set(this.from);
    this.from = from;
  }
  slot(doc: Doc): number {
    let s = this.slotOf[doc] ?? -1;
    if (s < 0) {
      if (this.count === this.docs.length) this.grow();
      s = this.count++;
      this.slotOf[doc] = s;
      this.docs[s] = doc;
    }
    return s;
  }
  /** Records `s` for its term if it beats the current best (higher value, then lower source index). */
  credit(slot: number, s: ScoredSource): void {
    const k = slot * this.terms + s.term;
    const cur = this.best[k] ?? 0;
    if (s.value > cur || (s.value === cur && s.index < (this.from[k] ?? -1))) {
      this.partial[slot] = (this.partial[slot] ?? 0) + s.value - cur;
      this.best[k] = s.value;
      this.from[k] = s.index;
    }
  }
  /** Exact score of a slot: best values summed in term order (independent of crediting order). */
  score(slot: number): number {
    let sum = 0;
    const base = slot * this.terms;
    for (let t = 0; t < this.terms; t++) sum += this.best[base + t] ?? 0;
    return sum;
  }
  /** k-th largest partial score (a lower bound of the k-th best final score), 0 if fewer than k. */
  kthPartial(k: number): number {
    if (k <= 0 || this.count < k) return 0;
    const heap = new Float64Array(k); // min-heap of the k largest seen
    let size = 0;
    for (let c = 0; c < this.count; c++) {
      const v = this.partial[c] ?? 0;
      if (size < k) {
        let i = size++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          const pv = heap[p] ?? 0;
          if (pv <= v) break;
          heap[i] = pv;
          i = p;
        }
        heap[i] = v;
      } else if (v > (heap[0] ?? 0)) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= k) break;
          const r = l + 1;
          const m = r < k && (heap[r] ?? 0) < (heap[l] ?? 0) ? r : l;
          const mv = heap[m] ?? 0;
          if (mv >= v) break;
          heap[i] = mv;
          i = m;
        }
        heap[i] = v;
      }
    }
    return heap[0] ?? 0;
  }
  release(): void {
    for (let c = 0; c < this.count; c++) this.slotOf[this.docs[c] ?? 0] = -1;
  }
}

type Ranked = { doc: Doc; id: string; raw: number; slot: number };

/** Score descending, then id ascending. */
const better = (a: { id: string; raw: number }, b: { id: string; raw: number }): boolean =>
  a.raw > b.raw || (a.raw === b.raw && a.id < b.id);

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
  private readonly docOf = new Map<string, Doc>();
  private readonly records: (TalkRecord | undefined)[] = [];
  /** doc → talk id ('' when free); a flat copy of `records[doc].id` for the ranking's tie-breaks. */
  private readonly docIds: string[] = [];
  private readonly freeDocs: Doc[] = [];
  private readonly events = new Map<string, EventRecord>();
  private readonly eventDocs = new Map<string, Set<Doc>>();
  private readonly eventTalkIds = new Map<string, Set<string>>();
  /** Deletion variant → vocabulary term(s) it came from. */
  private readonly deletes = new Map<string, string | string[]>();
  private sorted: string[] = [];
  private pendingVocabulary: string[] = [];
  private droppedSinceMerge = 0;
  /** Adjacent-pair sources computed by searches; cleared by every update method. */
  private readonly phraseCache = new Map<string, Source>();
  /** doc → candidate slot during a search, −1 otherwise. */
  private slotOf = new Int32Array(0);
  private stats: SearchStats = TalkIndex.emptyStats();

  private readonly docsOfEvent = (eventId: string): ReadonlySet<Doc> => this.eventDocs.get(eventId) ?? EMPTY_DOCS;
  private readonly eventOfDoc = (doc: Doc): string | undefined => this.records[doc]?.eventId;
  private idOf(doc: Doc): string {
    return this.docIds[doc] ?? '';
  }

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
      sourcesPruned: 0,
      postingsVisited: 0,
      candidates: 0,
      candidatesScored: 0,
      fallback: false,
    };
  }

  /** Number of indexed talks. */
  get size(): number {
    return this.docOf.size;
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
    this.phraseCache.clear();
    this.removeEvent(e.id);
    const texts = [e.name, ...e.aliases, e.city ?? '', e.acronym ?? ''];
    const sequences = texts.map((text) => this.canonicalTokens(text)).filter((seq) => seq.length > 0);
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
    this.phraseCache.clear();
    this.events.delete(id);
    for (const term of new Set(record.sequences.flat())) {
      const entry = this.terms.get(term);
      if (entry?.events === undefined) continue;
      entry.events.delete(id);
      if (entry.events.size === 0) delete entry.events;
      this.dropIfEmpty(entry);
    }
  }

  /** Adds a talk, or re-indexes it from scratch if its id is already present (no stale postings). */
  upsertTalk(t: IndexedTalk): void {
    this.phraseCache.clear();
    this.removeTalk(t.id);
    const doc = this.freeDocs.pop() ?? this.records.length;
    const seqs = (texts: readonly string[]): string[][] =>
      texts.map((text) => this.canonicalTokens(text)).filter((seq) => seq.length > 0);
    const abstractTerms = new Set(this.canonicalTokens(t.abstract ?? ''));
    for (const w of STOPWORDS) abstractTerms.delete(w);
    const record: TalkRecord = {
      id: t.id,
      eventId: t.eventId,
      sequences: {
        title: seqs([t.title, t.subtitle ?? '', ...t.aliases]),
        speaker: seqs(t.speakers.map((s) => s.name)),
        track: seqs([t.track ?? '']),
      },
      abstractTerms: [...abstractTerms],
    };
    this.records[doc] = record;
    this.docIds[doc] = t.id;
    this.docOf.set(t.id, doc);
    this.eventMembership(t.eventId, t.id, doc, true);
    for (const [term, fields] of TalkIndex.termFields(record)) {
      const entry = this.entryFor(term);
      entry.talkDf++;
      for (const f of fields) (entry[f] ??= new Set()).add(doc);
    }
  }

  /** Removes a talk and all its postings. Unknown ids are ignored. */
  removeTalk(id: string): void {
    const doc = this.docOf.get(id);
    const record = doc === undefined ? undefined : this.records[doc];
    if (doc === undefined || record === undefined) return;
    this.phraseCache.clear();
    for (const [term, fields] of TalkIndex.termFields(record)) {
      const entry = this.terms.get(term);
      if (entry === undefined) continue;
      entry.talkDf--;
      for (const f of fields) {
        const set = entry[f];
        set?.delete(doc);
        if (set?.size === 0) delete entry[f];
      }
      this.dropIfEmpty(entry);
    }
    this.eventMembership(record.eventId, id, doc, false);
    this.docOf.delete(id);
    this.records[doc] = undefined;
    this.docIds[doc] = '';
    this.freeDocs.push(doc);
  }

  private eventMembership(eventId: string, id: string, doc: Doc, add: boolean): void {
    let docs = this.eventDocs.get(eventId);
    let ids = this.eventTalkIds.get(eventId);
    if (add) {
      if (docs === undefined) this.eventDocs.set(eventId, (docs = new Set()));
      if (ids === undefined) this.eventTalkIds.set(eventId, (ids = new Set()));
      docs.add(doc);
      ids.add(id);
      return;
    }
    docs?.delete(doc);
    ids?.delete(id);
    if (docs?.size === 0) this.eventDocs.delete(eventId);
    if (ids?.size === 0) this.eventTalkIds.delete(eventId);
  }

  /** Tokens of `text`, each replaced by its canonical string (vocabulary entry or stopword). */
  private canonicalTokens(text: string): string[] {
    return tokenize(text).map((w) => STOPWORD_STRINGS.get(w) ?? this.entryFor(w).term);
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
      entry = { term, talkDf: 0 };
      this.terms.set(term, entry);
      this.pendingVocabulary.push(term);
      this.addDeletes(term);
    }
    return entry;
  }

  private dropIfEmpty(entry: TermEntry): void {
    if (entry.talkDf > 0 || entry.events !== undefined) return;
    if (TALK_FIELDS.some((f) => entry[f] !== undefined)) return;
    this.terms.delete(entry.term);
    this.removeDeletes(entry.term);
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
        this.deletes.set(d, rest.length === 1 ? (rest[0] ?? '') : rest);
      }
    }
  }

  /** The vocabulary in code-unit order, merging terms added (and dropping terms removed) since the last call. */
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
    return this.eventTalkIds.get(eventId) ?? EMPTY_IDS;
  }

  /**
   * Ids of the talks whose `field` contains the exact normalised `term`, built on each call (cost
   * proportional to the result). For `event`, the talks of the events whose name etc. contain it. A
   * two-word term `a b` returns the talks where `a` is directly followed by `b` in that field (not
   * supported for `abstract`).
   */
  postings(term: string, field: IndexField): ReadonlySet<string> {
    const out = new Set<string>();
    this.source(term, field).forEach((doc) => {
      const id = this.records[doc]?.id;
      if (id !== undefined) out.add(id);
    });
    return out;
  }

  /**
   * Talks containing `term` in any field, counting the talks of events whose name etc. contain it.
   * A talk that has the term both in its own fields and in its event's is counted twice (the sum is
   * capped at {@link size}); stopwords are not indexed and have frequency 0. A two-word term `a b`
   * counts the talks where the two are adjacent.
   */
  documentFrequency(term: string): number {
    if (term.includes(' ')) {
      const docs = new Set<Doc>();
      for (const f of ALL_FIELDS) {
        this.source(term, f).forEach((doc) => {
          docs.add(doc);
        });
      }
      return docs.size;
    }
    const entry = this.terms.get(term);
    if (entry === undefined) return 0;
    let df = entry.talkDf;
    if (entry.events !== undefined) for (const e of entry.events) df += this.docsOfEvent(e).size;
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
    const source = new EventSource(eventIds, this.docsOfEvent, this.eventOfDoc);
    return source.size === 0 ? EMPTY_SOURCE : source;
  }

  /** Postings of an index term (or an adjacent pair `a b`) in one field, as a scorer source. */
  private source(indexTerm: string, field: IndexField): Source {
    const space = indexTerm.indexOf(' ');
    if (space < 0) {
      const entry = this.terms.get(indexTerm);
      if (entry === undefined) return EMPTY_SOURCE;
      if (field === 'event') return entry.events === undefined ? EMPTY_SOURCE : this.eventSource(entry.events);
      const set = entry[field];
      return set === undefined ? EMPTY_SOURCE : new SetSource(set);
    }
    const key = `${field} ${indexTerm}`;
    let cached = this.phraseCache.get(key);
    if (cached === undefined) {
      if (this.phraseCache.size >= PHRASE_CACHE_MAX) this.phraseCache.clear();
      cached = this.phraseSource(indexTerm.slice(0, space), indexTerm.slice(space + 1), field);
      this.phraseCache.set(key, cached);
    }
    return cached;
  }

  /**
   * Talks where `a` is directly followed by `b` in `field`: intersection of the two postings (the
   * shorter one walked, at most the enumeration limit) verified on the stored token sequences.
   */
  private phraseSource(a: string, b: string, field: IndexField): Source {
    const ea = this.terms.get(a);
    const eb = this.terms.get(b);
    if (ea === undefined || eb === undefined || field === 'abstract') return EMPTY_SOURCE;
    if (field === 'event') {
      const matching = new Set<string>();
      for (const e of ea.events ?? EMPTY_IDS) {
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
    const matching = new Set<Doc>();
    for (const doc of small) {
      const record = this.records[doc];
      if (large.has(doc) && record !== undefined && adjacentIn(record.sequences[field], a, b)) matching.add(doc);
    }
    return matching.size === 0 ? EMPTY_SOURCE : new SetSource(matching);
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
    const limit = Math.floor(opts.limit ?? 10);
    const qterms = this.queryTerms(query, opts.prefix ?? true);
    stats.terms = qterms.length;
    if (qterms.length === 0 || this.size === 0 || limit <= 0) return [];
    const filter = opts.eventId === undefined ? undefined : (this.eventDocs.get(opts.eventId) ?? EMPTY_DOCS);
    if (filter?.size === 0) return [];

    const sources = this.scoredSources(qterms);
    stats.expansions = qterms.reduce((n, q) => n + q.expansions.size, 0);
    stats.sources = sources.length;
    const denominator = qterms.reduce((sum, q) => sum + q.weight, 0) * this.maxWeight;
    const floor = (opts.minScore ?? 0) * denominator;

    if (this.slotOf.length < this.records.length) {
      const grown = new Int32Array(Math.max(this.records.length, 2 * this.slotOf.length)).fill(-1);
      grown.set(this.slotOf);
      this.slotOf = grown;
    }
    const candidates = new Candidates(qterms.length, this.slotOf);
    try {
      const deferred = this.collectCandidates(sources, candidates, filter, limit, floor);
      stats.sourcesDeferred = deferred.length;
      stats.candidates = candidates.count;
      const ranked = this.rank(candidates, deferred, qterms.length, limit, floor);
      return ranked.map(({ id, raw, slot }) => ({
        id,
        score: Math.min(1, raw / denominator),
        matched: qterms.flatMap((q, t) => {
          const s = sources[candidates.from[slot * qterms.length + t] ?? -1];
          if (s === undefined) return [];
          return [{ term: q.text, field: s.field, via: s.expansion.via, indexTerm: s.expansion.indexTerm }];
        }),
      }));
    } finally {
      candidates.release();
    }
  }

  /**
   * Fills `candidates` from the postings of the non-frequent sources, in descending order of value,
   * and returns the sources left for membership tests: the frequent ones, plus the tail of the rare
   * ones once even a talk found only through them could not reach the results (MaxScore-style:
   * the tail's best possible score is below the k-th best lower bound so far).
   */
  private collectCandidates(
    sources: readonly ScoredSource[],
    candidates: Candidates,
    filter: ReadonlySet<Doc> | undefined,
    limit: number,
    floor: number,
  ): ScoredSource[] {
    const stats = this.stats;
    const enumLimit = this.enumerationLimit();
    if (filter !== undefined && filter.size <= enumLimit) {
      for (const doc of filter) candidates.slot(doc);
      return [...sources];
    }
    const deferred: ScoredSource[] = [];
    const enumerable: ScoredSource[] = [];
    for (const s of sources) (s.source.size > enumLimit ? deferred : enumerable).push(s);
    enumerable.sort((a, b) => b.value - a.value || a.index - b.index);

    // bound[j]: best score a talk can get from enumerable[j..] and the deferred sources alone
    const suffixMax = new Float64Array(candidates.terms);
    for (const s of deferred) suffixMax[s.term] = Math.max(suffixMax[s.term] ?? 0, s.value);
    const bound = new Float64Array(enumerable.length + 1);
    for (let j = enumerable.length; j >= 0; j--) {
      const s = enumerable[j];
      if (s !== undefined) suffixMax[s.term] = Math.max(suffixMax[s.term] ?? 0, s.value);
      bound[j] = suffixMax.reduce((sum, v) => sum + v, 0);
    }

    let checkedAt = Infinity;
    for (let j = 0; j < enumerable.length; j++) {
      const b = bound[j] ?? 0;
      if ((candidates.count >= limit || floor > 0) && b < checkedAt * PRUNE_RECHECK_FACTOR) {
        checkedAt = b;
        if (b + SCORE_EPSILON < Math.max(floor, candidates.kthPartial(limit))) {
          stats.sourcesPruned = enumerable.length - j;
          deferred.push(...enumerable.slice(j));
          break;
        }
      }
      const s = enumerable[j];
      if (s === undefined) continue;
      stats.sourcesEnumerated++;
      s.source.forEach((doc) => {
        stats.postingsVisited++;
        if (filter === undefined || filter.has(doc)) candidates.credit(candidates.slot(doc), s);
      });
    }
    if (candidates.count === 0 && deferred.length > 0) this.fallback(deferred, candidates, filter);
    return deferred;
  }

  /** Every source is frequent: candidates are the first postings of the smallest one (capped). */
  private fallback(
    deferred: readonly ScoredSource[],
    candidates: Candidates,
    filter: ReadonlySet<Doc> | undefined,
  ): void {
    let smallest: ScoredSource | undefined;
    for (const s of deferred) if (smallest === undefined || s.source.size < smallest.source.size) smallest = s;
    if (smallest === undefined) return;
    this.stats.fallback = true;
    smallest.source.forEach((doc) => {
      this.stats.postingsVisited++;
      if (filter === undefined || filter.has(doc)) candidates.slot(doc);
      return candidates.count < this.fallbackCandidates;
    });
  }

  /**
   * Completes candidates' scores with the deferred sources and keeps the best `limit`. Candidates
   * are visited by decreasing upper bound (partial score + the most each term could still gain from
   * deferred sources), so the walk stops as soon as the next upper bound cannot beat the current
   * k-th best. For each term, deferred sources are tried best value first: the first one containing
   * the talk gives the term's best value.
   */
  private rank(
    candidates: Candidates,
    deferred: readonly ScoredSource[],
    terms: number,
    limit: number,
    floor: number,
  ): Ranked[] {
    const byTerm: ScoredSource[][] = Array.from({ length: terms }, () => []);
    for (const s of deferred) byTerm[s.term]?.push(s);
    for (const list of byTerm) list.sort((a, b) => b.value - a.value || a.index - b.index);
    const maxDeferred = byTerm.map((list) => list[0]?.value ?? 0);
    const termOrder = maxDeferred
      .map((_, t) => t)
      .sort((x, y) => (maxDeferred[y] ?? 0) - (maxDeferred[x] ?? 0) || x - y);

    // upper bounds; candidates that cannot beat the k-th best lower bound are dropped before sorting
    const lowerBound = Math.max(floor, candidates.kthPartial(limit));
    const upper = new Float64Array(candidates.count);
    const order: number[] = [];
    for (let slot = 0; slot < candidates.count; slot++) {
      const base = slot * terms;
      let u = candidates.partial[slot] ?? 0;
      for (let t = 0; t < terms; t++) u += Math.max(0, (maxDeferred[t] ?? 0) - (candidates.best[base + t] ?? 0));
      upper[slot] = u;
      if (u + SCORE_EPSILON >= lowerBound && u > 0) order.push(slot);
    }
    order.sort((x, y) => (upper[y] ?? 0) - (upper[x] ?? 0) || x - y);

    const top: Ranked[] = [];
    let scored = 0;
    for (const slot of order) {
      const bound = (upper[slot] ?? 0) + SCORE_EPSILON; // partial sums are order-dependent floats
      const worst = top.length === limit ? (top[limit - 1]?.raw ?? 0) : 0;
      if (bound < floor || bound < worst) break; // sorted: nothing later can do better
      const doc = candidates.docs[slot] ?? -1;
      const tieAtBest = top.length === limit && bound - 2 * SCORE_EPSILON <= worst;
      if (tieAtBest && this.idOf(doc) > (top[limit - 1]?.id ?? '')) continue; // at best a tie, lost on id
      const base = slot * terms;
      scored++;
      let remaining = bound - (candidates.partial[slot] ?? 0);
      let abandoned = false;
      for (const t of termOrder) {
        const gain = Math.max(0, (maxDeferred[t] ?? 0) - (candidates.best[base + t] ?? 0));
        if (gain === 0) continue;
        for (const s of byTerm[t] ?? []) {
          const cur = candidates.best[base + t] ?? 0;
          if (s.value < cur || (s.value === cur && s.index >= (candidates.from[base + t] ?? -1))) break;
          if (s.source.has(doc)) {
            candidates.credit(slot, s);
            break;
          }
        }
        remaining -= gain;
        const reachable = (candidates.partial[slot] ?? 0) + remaining;
        if (reachable + SCORE_EPSILON < Math.max(worst, floor)) {
          abandoned = true;
          break;
        }
      }
      if (abandoned) continue;
      const raw = candidates.score(slot);
      if (raw <= 0 || raw < floor) continue;
      const hit: Ranked = { doc, id: this.idOf(doc), raw, slot };
      if (top.length === limit && !better(hit, top[limit - 1] ?? hit)) continue;
      let i = top.length === limit ? limit - 1 : top.length;
      top[i] = hit;
      for (; i > 0 && better(hit, top[i - 1] ?? hit); i--) {
        top[i] = top[i - 1] ?? hit;
        top[i - 1] = hit;
      }
    }
    this.stats.candidatesScored = scored;
    return top;
  }

  /** Non-stopword, de-duplicated query terms with their expansions and weights. */
  private queryTerms(query: string, allowPrefix: boolean): QueryTerm[] {
    const tokens = tokenize(query);
    const typingLast = allowPrefix && STILL_TYPING_RE.test(query);
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
      if (a === undefined || b === undefined || a === b) continue;
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
          out.push({ index: out.length, source, term, field, expansion, value });
        }
      }
    });
    return out;
  }
}
