/**
 * Public data types of the talk index: what it indexes, what a search returns, its options and
 * counters. Re-exported by `talk-index.ts`, the module outside code imports them from.
 */

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

/** Counters of the last `TalkIndex.search`, for tests and diagnostics. */
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

/** Fresh all-zero counters. */
export function emptySearchStats(): SearchStats {
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

/** Options of `TalkIndex.search`. */
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
