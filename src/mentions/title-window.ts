/**
 * Where a talk's title stands in a post: the densest window of the post's content tokens holding
 * the title's terms, weighted by how rare each term is among titles (IDF).
 */
import type { MentionIndex, TalkEntry } from './mention-index.ts';
import type { Span, Token } from './tokens.ts';

/** A title term a content token may stand for; `joined` when it spans this token and the next ("ice house"). */
export type TitleForm = { readonly form: string; readonly joined: boolean };
/** Where a title term stands: content token `k` (to `end` for a joined form). */
export type TermPosition = { k: number; end: number };
export type TitleWindow = { score: number; span: Span; phrases: number };

/** Title term → its positions among the content tokens, built once per post. */
export function termPositions(titleForms: readonly (readonly TitleForm[])[]): Map<string, TermPosition[]> {
  const positions = new Map<string, TermPosition[]>();
  titleForms.forEach((f, k) => {
    for (const { form, joined } of f) {
      let list = positions.get(form);
      if (!list) positions.set(form, (list = []));
      list.push({ k, end: joined ? k + 1 : k });
    }
  });
  return positions;
}

/**
 * The densest window of the post holding the talk's title terms: score = IDF-weighted share of the
 * title's terms found within a window at most twice the title's length (+4). `phrases` counts title
 * bigrams that stand next to each other in the window: word order survives in a real mention and
 * rarely in text that merely shares vocabulary.
 */
export function titleWindow(
  talk: TalkEntry,
  content: readonly Token[],
  positions: ReadonlyMap<string, readonly TermPosition[]>,
  index: MentionIndex,
): TitleWindow | undefined {
  const terms = talk.titleTerms; // distinct
  if (terms.length === 0) return undefined;
  const need = Math.min(2, terms.length);
  // Hits as parallel arrays of (position, end, term number): no object per hit.
  const ks: number[] = [];
  const ends: number[] = [];
  const which: number[] = [];
  const weights = new Float64Array(terms.length);
  let total = 0;
  for (let j = 0; j < terms.length; j += 1) {
    weights[j] = index.titleIdf(terms[j]!);
    total += weights[j]!;
    for (const p of positions.get(terms[j]!) ?? []) {
      ks.push(p.k);
      ends.push(p.end);
      which.push(j);
    }
  }
  if (ks.length < need) return undefined;
  // In post order; at one position, in the title's term order (deterministic).
  const order = ks.map((_, h) => h).sort((x, y) => ks[x]! - ks[y]! || which[x]! - which[y]!);
  const maxWidth = terms.length * 2 + 4;
  const bigrams = talk.bigrams;
  // seen[j] === a + 1: term j is already counted in the window starting at hit a.
  const seen = new Uint32Array(terms.length);
  let best: TitleWindow | undefined;
  for (let a = 0; a < order.length; a += 1) {
    const first = order[a]!;
    let distinct = 0;
    let sum = 0;
    let phrases = 0;
    for (let b = a; b < order.length && ks[order[b]!]! - ks[first]! <= maxWidth; b += 1) {
      const hit = order[b]!;
      if (b > a) {
        const prev = order[b - 1]!;
        if (ks[hit] === ends[prev]! + 1 && bigrams.has(`${terms[which[prev]!]} ${terms[which[hit]!]}`)) phrases += 1;
      }
      const j = which[hit]!;
      if (seen[j] !== a + 1) {
        seen[j] = a + 1;
        distinct += 1;
        sum += weights[j]!;
      }
      if (distinct >= need) {
        const score = sum / total;
        if (!best || score > best.score || (score === best.score && phrases > best.phrases)) {
          best = { score, phrases, span: { start: content[ks[first]!]!.start, end: content[ends[hit]!]!.end } };
        }
      }
    }
  }
  return best;
}
