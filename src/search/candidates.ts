/**
 * The per-search candidate accumulator of the talk index: for each candidate talk, the best value
 * earned per query term and the source it came from, kept in flat typed arrays.
 */
import type { Doc, ScoredSource } from './postings.ts';

/**
 * Per-search candidate accumulator: candidate slots in insertion order, flat `best`/`from` arrays of
 * `terms` entries per slot, and the running sum of each slot's best values (`partial`), in typed
 * arrays grown by doubling. `slotOf` is an index-wide scratch array (doc → slot, −1 when free) reset
 * by {@link release}.
 */
export class Candidates {
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
