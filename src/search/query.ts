/**
 * The query side of a talk-index search: the query's terms with their expansions and weights, and
 * the (term, expansion, field) sources that can credit a talk.
 *
 * Each non-stopword query term `q` has a weight `w(q) = idf(q)` (BM25 idf); when `q` itself is not
 * indexed (a typo, a prefix) its weight is the largest idf among its expansions, and when nothing
 * matches it, the idf of an unseen term. A source's value is `w(q) × fieldWeight × (1 − penalty)`.
 */
import { STOPWORDS, tokenize } from '../text/normalize.ts';
import type { TermExpander } from './expansion.ts';
import { offerExpansion } from './expansion.ts';
import { ALL_FIELDS } from './fields.ts';
import type { ScoredSource, Source } from './postings.ts';
import type { IndexField, TermExpansion } from './types.ts';

const STILL_TYPING_RE = /[\p{L}\p{N}\p{M}]$/u;

export type QueryTerm = { text: string; expansions: Map<string, TermExpansion>; weight: number };

/** BM25 inverse document frequency `ln(1 + (N − df + 0.5) / (df + 0.5))` in `n` talks; 0 when `n` is 0. */
export function bm25Idf(n: number, df: number): number {
  if (n === 0) return 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** What query analysis reads from the index. */
export type QueryContext = {
  readonly expander: TermExpander;
  /** Number of indexed talks. */
  readonly size: number;
  documentFrequency(term: string): number;
};

/**
 * Non-stopword, de-duplicated query terms with their expansions and weights. The last token is
 * expanded as a prefix when `allowPrefix` and the query does not end with a space or punctuation
 * (the user is still typing it); adjacent tokens `ice house` also expand to an indexed `icehouse`.
 */
export function queryTerms(query: string, allowPrefix: boolean, index: QueryContext): QueryTerm[] {
  const tokens = tokenize(query);
  const typingLast = allowPrefix && STILL_TYPING_RE.test(query);
  const byText = new Map<string, QueryTerm>();
  tokens.forEach((tok, pos) => {
    if (STOPWORDS.has(tok)) return;
    let q = byText.get(tok);
    if (q === undefined) byText.set(tok, (q = { text: tok, expansions: new Map(), weight: 0 }));
    index.expander.collect(tok, typingLast && pos === tokens.length - 1, true, q.expansions);
  });
  // adjacent query tokens joined: `ice house` → `icehouse`, credited to both
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = byText.get(tokens[i] ?? '');
    const b = byText.get(tokens[i + 1] ?? '');
    if (a === undefined || b === undefined || a === b) continue;
    const e = index.expander.joined(a.text, b.text);
    if (e === undefined) continue;
    offerExpansion(a.expansions, e);
    offerExpansion(b.expansions, e);
  }
  const terms = [...byText.values()];
  for (const q of terms) q.weight = termWeight(q, index);
  return terms;
}

/** `idf(q)` if indexed, else the best idf among its expansions, else the idf of an unseen term. */
function termWeight(q: QueryTerm, index: QueryContext): number {
  const own = index.documentFrequency(q.text);
  if (own > 0) return bm25Idf(index.size, own);
  let weight = 0;
  for (const e of q.expansions.values()) {
    const df = index.documentFrequency(e.indexTerm);
    if (df > 0) weight = Math.max(weight, bm25Idf(index.size, df));
  }
  return weight > 0 ? weight : bm25Idf(index.size, 0);
}

/** Non-empty (term, expansion, field) sources with their contribution value, in a stable order. */
export function scoredSources(
  qterms: readonly QueryTerm[],
  weights: Readonly<Record<IndexField, number>>,
  source: (indexTerm: string, field: IndexField) => Source,
): ScoredSource[] {
  const out: ScoredSource[] = [];
  qterms.forEach((q, term) => {
    for (const expansion of q.expansions.values()) {
      for (const field of ALL_FIELDS) {
        const s = source(expansion.indexTerm, field);
        if (s.size === 0) continue;
        const value = q.weight * weights[field] * (1 - expansion.penalty);
        out.push({ index: out.length, source: s, term, field, expansion, value });
      }
    }
  });
  return out;
}
