/**
 * Candidate collection and ranking of a talk-index search, over the query's scored sources.
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
 * `TalkIndex.lastSearchStats` reports the counters of the last search.
 */
import type { Candidates } from './candidates.ts';
import type { Doc, ScoredSource } from './postings.ts';
import type { SearchStats } from './types.ts';

/** Re-check the pruning threshold only after the remaining upper bound fell by this factor. */
const PRUNE_RECHECK_FACTOR = 0.95;
/** Slack for comparing upper bounds built from incrementally summed floats with exact scores. */
const SCORE_EPSILON = 1e-9;

/** What collection and ranking read from the index and the search. */
export type RankingContext = {
  /** Counters of the current search, updated in place. */
  readonly stats: SearchStats;
  /** Postings longer than this are frequent. */
  readonly enumerationLimit: number;
  /** Candidates taken from the smallest source when every source is frequent. */
  readonly fallbackCandidates: number;
  /** doc → talk id ('' when free), for the ties on id. */
  readonly docIds: readonly string[];
};

export type Ranked = { doc: Doc; id: string; raw: number; slot: number };

/** Score descending, then id ascending. */
export const better = (a: { id: string; raw: number }, b: { id: string; raw: number }): boolean =>
  a.raw > b.raw || (a.raw === b.raw && a.id < b.id);

/**
 * Fills `candidates` from the postings of the non-frequent sources, in descending order of value,
 * and returns the sources left for membership tests: the frequent ones, plus the tail of the rare
 * ones once even a talk found only through them could not reach the results (MaxScore-style:
 * the tail's best possible score is below the k-th best lower bound so far).
 */
export function collectCandidates(
  sources: readonly ScoredSource[],
  candidates: Candidates,
  filter: ReadonlySet<Doc> | undefined,
  limit: number,
  floor: number,
  ctx: RankingContext,
): ScoredSource[] {
  const stats = ctx.stats;
  const enumLimit = ctx.enumerationLimit;
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
  if (candidates.count === 0 && deferred.length > 0) fallback(deferred, candidates, filter, ctx);
  return deferred;
}

/** Every source is frequent: candidates are the first postings of the smallest one (capped). */
function fallback(
  deferred: readonly ScoredSource[],
  candidates: Candidates,
  filter: ReadonlySet<Doc> | undefined,
  ctx: RankingContext,
): void {
  let smallest: ScoredSource | undefined;
  for (const s of deferred) if (smallest === undefined || s.source.size < smallest.source.size) smallest = s;
  if (smallest === undefined) return;
  ctx.stats.fallback = true;
  smallest.source.forEach((doc) => {
    ctx.stats.postingsVisited++;
    if (filter === undefined || filter.has(doc)) candidates.slot(doc);
    return candidates.count < ctx.fallbackCandidates;
  });
}

/**
 * Completes candidates' scores with the deferred sources and keeps the best `limit`. Candidates
 * are visited by decreasing upper bound (partial score + the most each term could still gain from
 * deferred sources), so the walk stops as soon as the next upper bound cannot beat the current
 * k-th best. For each term, deferred sources are tried best value first: the first one containing
 * the talk gives the term's best value.
 */
export function rank(
  candidates: Candidates,
  deferred: readonly ScoredSource[],
  terms: number,
  limit: number,
  floor: number,
  ctx: RankingContext,
): Ranked[] {
  const byTerm: ScoredSource[][] = Array.from({ length: terms }, () => []);
  for (const s of deferred) byTerm[s.term]?.push(s);
  for (const list of byTerm) list.sort((a, b) => b.value - a.value || a.index - b.index);
  const maxDeferred = byTerm.map((list) => list[0]?.value ?? 0);
  const termOrder = maxDeferred.map((_, t) => t).sort((x, y) => (maxDeferred[y] ?? 0) - (maxDeferred[x] ?? 0) || x - y);

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
    if (tieAtBest && (ctx.docIds[doc] ?? '') > (top[limit - 1]?.id ?? '')) continue; // at best a tie, lost on id
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
    const hit: Ranked = { doc, id: ctx.docIds[doc] ?? '', raw, slot };
    if (top.length === limit && !better(hit, top[limit - 1] ?? hit)) continue;
    let i = top.length === limit ? limit - 1 : top.length;
    top[i] = hit;
    for (; i > 0 && better(hit, top[i - 1] ?? hit); i--) {
      top[i] = top[i - 1] ?? hit;
      top[i - 1] = hit;
    }
  }
  ctx.stats.candidatesScored = scored;
  return top;
}
