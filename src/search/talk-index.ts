/**
 * In-memory inverted index over talks, used by `GET /api/lookup?q=…` (free-text lookup such as
 * `mcclain neutron`, `havana ice house`, `segmants to servises`) and, through its lower-level
 * primitives, by recording matching and mention detection. Pure: no I/O.
 *
 * Why this file is long: about 60 of its lines are this overview of the index's design; the
 * class itself is ~310 lines and composes the parts in the sibling files.
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
 * A search never scores every talk: its cost is bounded by the postings of the query's expansions
 * (frequent postings are only used for membership tests, see `ranking.ts` for the guarantees), and
 * the top-k pruning is exact. {@link TalkIndex.lastSearchStats} reports the counters of the last search.
 *
 * ## Files
 * `types.ts` public types (re-exported here) · `fields.ts` field lists and weights · `postings.ts`
 * term entries, talk/event records and postings sources · `vocabulary.ts` terms, deletion index,
 * sorted prefix array · `expansion.ts` exact/fuzzy/compound/prefix expansion · `phrases.ts`
 * adjacent-pair sources · `query.ts` query terms, weights and scored sources · `candidates.ts` the
 * candidate accumulator · `ranking.ts` candidate collection and exact top-k ranking.
 */
import { STOPWORDS } from '../text/normalize.ts';
import { Candidates } from './candidates.ts';
import { TermExpander } from './expansion.ts';
import { ALL_FIELDS, DEFAULT_FIELD_WEIGHTS } from './fields.ts';
import { PhraseSources } from './phrases.ts';
import {
  EMPTY_DOCS,
  EMPTY_IDS,
  EMPTY_SOURCE,
  EventSource,
  SetSource,
  termFields,
  type Doc,
  type EventRecord,
  type Source,
  type TalkRecord,
} from './postings.ts';
import { bm25Idf, queryTerms, scoredSources } from './query.ts';
import { collectCandidates, rank, type RankingContext } from './ranking.ts';
import {
  emptySearchStats,
  type IndexedEvent,
  type IndexedTalk,
  type IndexField,
  type SearchHit,
  type SearchOptions,
  type SearchStats,
  type TalkIndexOptions,
  type TermExpansion,
} from './types.ts';
import { Vocabulary } from './vocabulary.ts';

export type {
  IndexedEvent,
  IndexedTalk,
  IndexField,
  MatchVia,
  SearchHit,
  SearchOptions,
  SearchStats,
  TalkIndexOptions,
  TermExpansion,
} from './types.ts';

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

  private readonly vocabulary: Vocabulary;
  private readonly expander: TermExpander;
  private readonly docOf = new Map<string, Doc>();
  private readonly records: (TalkRecord | undefined)[] = [];
  /** doc → talk id ('' when free); a flat copy of `records[doc].id` for the ranking's tie-breaks. */
  private readonly docIds: string[] = [];
  private readonly freeDocs: Doc[] = [];
  private readonly events = new Map<string, EventRecord>();
  private readonly eventDocs = new Map<string, Set<Doc>>();
  private readonly eventTalkIds = new Map<string, Set<string>>();
  /** Adjacent-pair sources computed by searches; cleared by every update method. */
  private readonly phrases: PhraseSources;
  /** doc → candidate slot during a search, −1 otherwise. */
  private slotOf = new Int32Array(0);
  private stats: SearchStats = emptySearchStats();

  private readonly docsOfEvent = (eventId: string): ReadonlySet<Doc> => this.eventDocs.get(eventId) ?? EMPTY_DOCS;
  private readonly eventOfDoc = (doc: Doc): string | undefined => this.records[doc]?.eventId;
  private readonly df = (term: string): number => this.documentFrequency(term);
  private readonly sourceOf = (indexTerm: string, field: IndexField): Source => this.source(indexTerm, field);

  /** @param opts tuning knobs, see {@link TalkIndexOptions}. */
  constructor(opts: TalkIndexOptions = {}) {
    this.weights = { ...DEFAULT_FIELD_WEIGHTS, ...opts.fieldWeights };
    this.maxWeight = Math.max(...ALL_FIELDS.map((f) => this.weights[f]));
    this.enumerationRatio = opts.enumerationRatio ?? 0.1;
    this.enumerationCap = opts.enumerationCap ?? 2000;
    this.minEnumeration = opts.minEnumeration ?? 100;
    this.fallbackCandidates = opts.fallbackCandidates ?? 1000;
    this.vocabulary = new Vocabulary(opts.fuzzyDistanceTwo ?? true);
    this.expander = new TermExpander(this.vocabulary, this.df, {
      maxPrefixExpansions: opts.maxPrefixExpansions ?? 24,
      maxPrefixScan: opts.maxPrefixScan ?? 2000,
      maxFuzzyExpansions: opts.maxFuzzyExpansions ?? 16,
    });
    this.phrases = new PhraseSources({
      vocabulary: this.vocabulary,
      events: this.events,
      records: this.records,
      eventSource: (eventIds) => this.eventSource(eventIds),
      enumerationLimit: () => this.enumerationLimit(),
    });
  }

  /** Number of indexed talks. */
  get size(): number {
    return this.docOf.size;
  }

  /** Number of distinct indexed terms (talk and event fields). */
  get vocabularySize(): number {
    return this.vocabulary.size;
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
    this.phrases.clear();
    this.removeEvent(e.id);
    const texts = [e.name, ...e.aliases, e.city ?? '', e.acronym ?? ''];
    const sequences = texts.map((text) => this.vocabulary.canonicalTokens(text)).filter((seq) => seq.length > 0);
    this.events.set(e.id, { sequences });
    for (const term of new Set(sequences.flat())) {
      if (STOPWORDS.has(term)) continue;
      (this.vocabulary.entryFor(term).events ??= new Set()).add(e.id);
    }
  }

  /** Removes an event's terms. Its talks stay indexed (they just lose the `event` field). */
  removeEvent(id: string): void {
    const record = this.events.get(id);
    if (record === undefined) return;
    this.phrases.clear();
    this.events.delete(id);
    for (const term of new Set(record.sequences.flat())) {
      const entry = this.vocabulary.get(term);
      if (entry?.events === undefined) continue;
      entry.events.delete(id);
      if (entry.events.size === 0) delete entry.events;
      this.vocabulary.dropIfEmpty(entry);
    }
  }

  /** Adds a talk, or re-indexes it from scratch if its id is already present (no stale postings). */
  upsertTalk(t: IndexedTalk): void {
    this.phrases.clear();
    this.removeTalk(t.id);
    const doc = this.freeDocs.pop() ?? this.records.length;
    const seqs = (texts: readonly string[]): string[][] =>
      texts.map((text) => this.vocabulary.canonicalTokens(text)).filter((seq) => seq.length > 0);
    const abstractTerms = new Set(this.vocabulary.canonicalTokens(t.abstract ?? ''));
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
    for (const [term, fields] of termFields(record)) {
      const entry = this.vocabulary.entryFor(term);
      entry.talkDf++;
      for (const f of fields) (entry[f] ??= new Set()).add(doc);
    }
  }

  /** Removes a talk and all its postings. Unknown ids are ignored. */
  removeTalk(id: string): void {
    const doc = this.docOf.get(id);
    const record = doc === undefined ? undefined : this.records[doc];
    if (doc === undefined || record === undefined) return;
    this.phrases.clear();
    for (const [term, fields] of termFields(record)) {
      const entry = this.vocabulary.get(term);
      if (entry === undefined) continue;
      entry.talkDf--;
      for (const f of fields) {
        const set = entry[f];
        set?.delete(doc);
        if (set?.size === 0) delete entry[f];
      }
      this.vocabulary.dropIfEmpty(entry);
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
    const entry = this.vocabulary.get(term);
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
    return STOPWORDS.has(term) ? 0 : bm25Idf(this.size, this.documentFrequency(term));
  }

  /**
   * Index terms a normalised query term may stand for, best first (lowest penalty, then rarer, then
   * alphabetical): `exact`; `fuzzy` (see module docs); split `compound`s (`icehouse` → `ice house`,
   * only when the halves are adjacent somewhere); `prefix` completions when `opts.prefix`. A two-word
   * input `a b` instead returns the joined compound `ab` if it is indexed.
   * @param opts `prefix` default false, `fuzzy` default true.
   */
  expandTerm(term: string, opts: { prefix?: boolean; fuzzy?: boolean } = {}): TermExpansion[] {
    return this.expander.expand(term, opts);
  }

  // ---------------------------------------------------------------- sources

  private eventSource(eventIds: ReadonlySet<string>): Source {
    const source = new EventSource(eventIds, this.docsOfEvent, this.eventOfDoc);
    return source.size === 0 ? EMPTY_SOURCE : source;
  }

  /** Postings of an index term (or an adjacent pair `a b`) in one field, as a scorer source. */
  private source(indexTerm: string, field: IndexField): Source {
    const space = indexTerm.indexOf(' ');
    if (space >= 0) return this.phrases.get(indexTerm, space, field);
    const entry = this.vocabulary.get(indexTerm);
    if (entry === undefined) return EMPTY_SOURCE;
    if (field === 'event') return entry.events === undefined ? EMPTY_SOURCE : this.eventSource(entry.events);
    const set = entry[field];
    return set === undefined ? EMPTY_SOURCE : new SetSource(set);
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
    const stats = emptySearchStats();
    this.stats = stats;
    const limit = Math.floor(opts.limit ?? 10);
    const qterms = queryTerms(query, opts.prefix ?? true, {
      expander: this.expander,
      size: this.size,
      documentFrequency: this.df,
    });
    stats.terms = qterms.length;
    if (qterms.length === 0 || this.size === 0 || limit <= 0) return [];
    const filter = opts.eventId === undefined ? undefined : (this.eventDocs.get(opts.eventId) ?? EMPTY_DOCS);
    if (filter?.size === 0) return [];

    const sources = scoredSources(qterms, this.weights, this.sourceOf);
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
    const ctx: RankingContext = {
      stats,
      enumerationLimit: this.enumerationLimit(),
      fallbackCandidates: this.fallbackCandidates,
      docIds: this.docIds,
    };
    try {
      const deferred = collectCandidates(sources, candidates, filter, limit, floor, ctx);
      stats.sourcesDeferred = deferred.length;
      stats.candidates = candidates.count;
      const ranked = rank(candidates, deferred, qterms.length, limit, floor, ctx);
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
}
