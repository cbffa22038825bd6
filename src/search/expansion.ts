/**
 * Term expansion: the index terms a query term may stand for, each with a match penalty.
 * - `exact`: the same normalised term (penalty 0).
 * - `fuzzy`: edit distance 1 for terms of ≥ 5 characters, 2 when both are ≥ 8 (adjacent
 *   transpositions count as one edit; terms containing digits are never fuzzy-matched); penalty
 *   0.2 (1 edit) or 0.35 (2 edits).
 * - `compound` (penalty 0.05): a token split at every position where both halves are indexed
 *   (`icehouse` → `ice house`, to be matched as adjacent terms), or two adjacent query tokens
 *   joined into an indexed term (`ice house` → `icehouse`).
 * - `prefix`: completions of a token of ≥ 3 characters, penalty `0.4 − 0.3 × typed/length`.
 */
import { boundedEditDistance } from '../text/normalize.ts';
import type { TermExpansion } from './types.ts';
import type { Vocabulary } from './vocabulary.ts';

export const PENALTY_COMPOUND = 0.05;
const PENALTY_FUZZY: readonly number[] = [0, 0.2, 0.35];
/** Prefix quality grows with how much of the term was typed: `0.6 + 0.3 × typed/length`. */
export const prefixPenalty = (typed: number, length: number): number => 0.4 - (0.3 * typed) / length;

const MIN_PREFIX_LENGTH = 3;
const MIN_SPLIT_LENGTH = 5;
const MIN_SPLIT_PART = 2;

/** Keeps `e` in `found` unless the same index term is already there with a lower or equal penalty. */
export function offerExpansion(found: Map<string, TermExpansion>, e: TermExpansion): void {
  const cur = found.get(e.indexTerm);
  if (cur === undefined || e.penalty < cur.penalty) found.set(e.indexTerm, e);
}

/** Caps on the expansions of one term. */
export type ExpansionLimits = {
  readonly maxFuzzyExpansions: number;
  readonly maxPrefixExpansions: number;
  readonly maxPrefixScan: number;
};

/** Expands query terms against a {@link Vocabulary}; `df` ranks equally good expansions. */
export class TermExpander {
  constructor(
    private readonly vocabulary: Vocabulary,
    private readonly df: (term: string) => number,
    private readonly limits: ExpansionLimits,
  ) {}

  /**
   * Index terms `term` may stand for, best first (lowest penalty, then rarer, then alphabetical);
   * a two-word input `a b` instead returns the joined compound `ab` if it is indexed.
   */
  expand(term: string, opts: { prefix?: boolean; fuzzy?: boolean } = {}): TermExpansion[] {
    const parts = term.split(' ');
    if (parts.length === 2) {
      const joined = this.joined(parts[0] ?? '', parts[1] ?? '');
      return joined === undefined ? [] : [joined];
    }
    const found = new Map<string, TermExpansion>();
    this.collect(term, opts.prefix ?? false, opts.fuzzy ?? true, found);
    const withDf = [...found.values()].map((e) => ({ e, df: this.df(e.indexTerm) })).filter(({ df }) => df > 0);
    withDf.sort((a, b) => a.e.penalty - b.e.penalty || a.df - b.df || (a.e.indexTerm < b.e.indexTerm ? -1 : 1));
    return withDf.map(({ e }) => e);
  }

  /** The compound `ab` for adjacent tokens `a b`, if `ab` is indexed. */
  joined(a: string, b: string): TermExpansion | undefined {
    const joined = a + b;
    return this.vocabulary.has(joined) ? { indexTerm: joined, via: 'compound', penalty: PENALTY_COMPOUND } : undefined;
  }

  /** Offers every expansion of `term` to `found` (exact, fuzzy, split compounds, prefixes if asked). */
  collect(term: string, prefix: boolean, fuzzy: boolean, found: Map<string, TermExpansion>): void {
    if (this.vocabulary.has(term)) offerExpansion(found, { indexTerm: term, via: 'exact', penalty: 0 });
    if (fuzzy) for (const e of this.fuzzy(term)) offerExpansion(found, e);
    for (const e of this.split(term)) offerExpansion(found, e);
    if (prefix) for (const e of this.prefix(term)) offerExpansion(found, e);
  }

  private fuzzy(term: string): TermExpansion[] {
    const depth = this.vocabulary.fuzzyDepthOf(term);
    if (depth === 0) return [];
    const out: { e: TermExpansion; d: number; df: number }[] = [];
    for (const t of this.vocabulary.typoCandidates(term, depth)) {
      const allowed = Math.min(depth, this.vocabulary.fuzzyDepthOf(t));
      if (allowed === 0) continue;
      const d = boundedEditDistance(term, t, allowed);
      if (d > allowed) continue;
      out.push({ e: { indexTerm: t, via: 'fuzzy', penalty: PENALTY_FUZZY[d] ?? 1 }, d, df: this.df(t) });
    }
    out.sort((a, b) => a.d - b.d || b.df - a.df || (a.e.indexTerm < b.e.indexTerm ? -1 : 1));
    return out.slice(0, this.limits.maxFuzzyExpansions).map((x) => x.e);
  }

  private split(term: string): TermExpansion[] {
    if (term.length < MIN_SPLIT_LENGTH) return [];
    const out: TermExpansion[] = [];
    for (let i = MIN_SPLIT_PART; i <= term.length - MIN_SPLIT_PART; i++) {
      const left = term.slice(0, i);
      const right = term.slice(i);
      if (this.vocabulary.has(left) && this.vocabulary.has(right)) {
        out.push({ indexTerm: `${left} ${right}`, via: 'compound', penalty: PENALTY_COMPOUND });
      }
    }
    return out;
  }

  private prefix(typed: string): TermExpansion[] {
    if (typed.length < MIN_PREFIX_LENGTH) return [];
    const found = this.vocabulary.completions(typed, this.limits.maxPrefixScan).map((term) => ({
      term,
      df: this.df(term),
    }));
    found.sort((a, b) => a.term.length - b.term.length || b.df - a.df || (a.term < b.term ? -1 : 1));
    return found.slice(0, this.limits.maxPrefixExpansions).map(({ term }) => ({
      indexTerm: term,
      via: 'prefix',
      penalty: prefixPenalty(typed.length, term.length),
    }));
  }
}
