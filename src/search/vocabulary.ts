/**
 * The vocabulary of the talk index: every indexed term with its {@link TermEntry}, plus
 * - a SymSpell-style deletion index (all strings obtained by deleting 1 character from terms of
 *   ≥ 5 characters, and 2 characters from terms of ≥ 8) so typo candidates are found by hash
 *   lookups, without scanning the vocabulary;
 * - a sorted array of the terms (merged lazily after updates) for binary-searched prefix lookup.
 * Terms containing digits get no deletion variants (they are never fuzzy-matched).
 */
import { STOPWORDS, tokenize } from '../text/normalize.ts';
import { TALK_FIELDS } from './fields.ts';
import type { TermEntry } from './postings.ts';

export const MIN_FUZZY_LENGTH = 5;
export const MIN_FUZZY_TWO_LENGTH = 8;
const HAS_DIGIT_RE = /\p{N}/u;
/** Canonical string instances of the stopwords, so token sequences share them. */
const STOPWORD_STRINGS = new Map([...STOPWORDS].map((w) => [w, w]));

/** Adds to `out` every string obtained by deleting 1 to `depth` characters from `term`. */
export function deletions(term: string, depth: number, out: Set<string>): void {
  for (let i = 0; i < term.length; i++) {
    const d = term.slice(0, i) + term.slice(i + 1);
    if (out.has(d)) continue;
    out.add(d);
    if (depth > 1) deletions(d, depth - 1, out);
  }
}

/** Indexed terms with typo and prefix lookup. */
export class Vocabulary {
  private readonly terms = new Map<string, TermEntry>();
  /** Deletion variant → vocabulary term(s) it came from. */
  private readonly deletes = new Map<string, string | string[]>();
  private sorted: string[] = [];
  private pendingVocabulary: string[] = [];
  private droppedSinceMerge = 0;

  /** @param fuzzyDistanceTwo allow edit distance 2 for terms of ≥ 8 characters. */
  constructor(private readonly fuzzyDistanceTwo: boolean) {}

  /** Number of distinct terms. */
  get size(): number {
    return this.terms.size;
  }

  get(term: string): TermEntry | undefined {
    return this.terms.get(term);
  }

  has(term: string): boolean {
    return this.terms.has(term);
  }

  /** The entry of `term`, created (and added to the typo and prefix structures) if new. */
  entryFor(term: string): TermEntry {
    let entry = this.terms.get(term);
    if (entry === undefined) {
      entry = { term, talkDf: 0 };
      this.terms.set(term, entry);
      this.pendingVocabulary.push(term);
      this.addDeletes(term);
    }
    return entry;
  }

  /** Tokens of `text`, each replaced by its canonical string (vocabulary entry or stopword). */
  canonicalTokens(text: string): string[] {
    return tokenize(text).map((w) => STOPWORD_STRINGS.get(w) ?? this.entryFor(w).term);
  }

  /** Forgets the entry once no talk field and no event holds it any more. */
  dropIfEmpty(entry: TermEntry): void {
    if (entry.talkDf > 0 || entry.events !== undefined) return;
    if (TALK_FIELDS.some((f) => entry[f] !== undefined)) return;
    this.terms.delete(entry.term);
    this.removeDeletes(entry.term);
    this.droppedSinceMerge++;
  }

  /** Edits tolerated for a term of this length: 0, 1, or 2 (when enabled). */
  fuzzyDepth(length: number): number {
    if (length >= MIN_FUZZY_TWO_LENGTH && this.fuzzyDistanceTwo) return 2;
    return length >= MIN_FUZZY_LENGTH ? 1 : 0;
  }

  /** Edits tolerated for `term`: 0 when it contains a digit, else by its length. */
  fuzzyDepthOf(term: string): number {
    return HAS_DIGIT_RE.test(term) ? 0 : this.fuzzyDepth(term.length);
  }

  /**
   * Indexed terms (other than `term`) sharing a deletion variant of up to `depth` characters with
   * `term`: a superset of those within edit distance `depth`, to be verified by the caller.
   */
  typoCandidates(term: string, depth: number): Set<string> {
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
    return candidates;
  }

  /**
   * Indexed terms starting with `typed` (other than `typed` itself), in code-unit order, looking at
   * most `maxScan` sorted entries.
   */
  completions(typed: string, maxScan: number): string[] {
    const vocab = this.sortedVocabulary();
    let lo = 0;
    let hi = vocab.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((vocab[mid] ?? '') < typed) lo = mid + 1;
      else hi = mid;
    }
    const found: string[] = [];
    for (let i = lo, scanned = 0; i < vocab.length && scanned < maxScan; i++, scanned++) {
      const t = vocab[i] ?? '';
      if (!t.startsWith(typed)) break;
      if (t !== typed && this.terms.has(t)) found.push(t);
    }
    return found;
  }

  private deletionsOf(term: string): Set<string> {
    const out = new Set<string>();
    const depth = this.fuzzyDepthOf(term);
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
}
