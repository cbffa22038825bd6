/**
 * Adjacent-pair ("phrase") sources: the talks where index term `a` is directly followed by `b` in one
 * field, as needed by split compounds (`icehouse` → `ice house`). Nothing is stored per pair: the two
 * postings are intersected on demand and verified against the stored token sequences, and the
 * result is cached until the next update of the index.
 */
import {
  EMPTY_IDS,
  EMPTY_SOURCE,
  SetSource,
  type Doc,
  type EventRecord,
  type Source,
  type TalkRecord,
} from './postings.ts';
import type { IndexField } from './types.ts';
import type { Vocabulary } from './vocabulary.ts';

const PHRASE_CACHE_MAX = 4096;

/** Is `a` directly followed by `b` in one of the sequences? */
export function adjacentIn(sequences: readonly (readonly string[])[], a: string, b: string): boolean {
  for (const seq of sequences) {
    for (let i = 0; i + 1 < seq.length; i++) if (seq[i] === a && seq[i + 1] === b) return true;
  }
  return false;
}

/** What phrase lookup reads from the index (live views, not copies). */
export type PhraseContext = {
  readonly vocabulary: Vocabulary;
  readonly events: ReadonlyMap<string, EventRecord>;
  readonly records: readonly (TalkRecord | undefined)[];
  /** The talks of these events as one source. */
  eventSource(eventIds: ReadonlySet<string>): Source;
  /** Postings longer than this are frequent (not walked). */
  enumerationLimit(): number;
};

/** Phrase sources with a bounded cache; {@link clear} on every update of the index. */
export class PhraseSources {
  private readonly cache = new Map<string, Source>();

  constructor(private readonly index: PhraseContext) {}

  clear(): void {
    this.cache.clear();
  }

  /** The source of `phrase` (`a b`, one space at `space`) in `field`, cached. */
  get(phrase: string, space: number, field: IndexField): Source {
    const key = `${field} ${phrase}`;
    let cached = this.cache.get(key);
    if (cached === undefined) {
      if (this.cache.size >= PHRASE_CACHE_MAX) this.cache.clear();
      cached = this.compute(phrase.slice(0, space), phrase.slice(space + 1), field);
      this.cache.set(key, cached);
    }
    return cached;
  }

  /**
   * Talks where `a` is directly followed by `b` in `field`: intersection of the two postings (the
   * shorter one walked, at most the enumeration limit) verified on the stored token sequences.
   */
  private compute(a: string, b: string, field: IndexField): Source {
    const ea = this.index.vocabulary.get(a);
    const eb = this.index.vocabulary.get(b);
    if (ea === undefined || eb === undefined || field === 'abstract') return EMPTY_SOURCE;
    if (field === 'event') {
      const matching = new Set<string>();
      for (const e of ea.events ?? EMPTY_IDS) {
        const record = this.index.events.get(e);
        if (eb.events?.has(e) === true && record !== undefined && adjacentIn(record.sequences, a, b)) matching.add(e);
      }
      return this.index.eventSource(matching);
    }
    const sa = ea[field];
    const sb = eb[field];
    if (sa === undefined || sb === undefined) return EMPTY_SOURCE;
    const [small, large] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
    if (small.size > this.index.enumerationLimit()) return EMPTY_SOURCE; // both halves frequent: not supported
    const matching = new Set<Doc>();
    for (const doc of small) {
      const record = this.index.records[doc];
      if (large.has(doc) && record !== undefined && adjacentIn(record.sequences[field], a, b)) matching.add(doc);
    }
    return matching.size === 0 ? EMPTY_SOURCE : new SetSource(matching);
  }
}
