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
  const terms = talk.titleTerms;
  if (terms.length === 0) return undefined;
  const termSet = new Set(terms);
  const weights = new Map(terms.map((t) => [t, index.titleIdf(t)]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const bigrams = talk.bigrams;
  const hits: { k: number; end: number; term: string }[] = [];
  for (const term of termSet) for (const p of positions.get(term) ?? []) hits.push({ ...p, term });
  hits.sort((a, b) => a.k - b.k || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  if (hits.length < Math.min(2, terms.length)) return undefined;
  const maxWidth = terms.length * 2 + 4;
  let best: TitleWindow | undefined;
  for (let a = 0; a < hits.length; a += 1) {
    const seen = new Set<string>();
    let sum = 0;
    let phrases = 0;
    for (let b = a; b < hits.length && hits[b]!.k - hits[a]!.k <= maxWidth; b += 1) {
      const hit = hits[b]!;
      const prev = hits[b - 1];
      if (b > a && prev && hit.k === prev.end + 1 && bigrams.has(`${prev.term} ${hit.term}`)) phrases += 1;
      if (!seen.has(hit.term)) {
        seen.add(hit.term);
        sum += weights.get(hit.term) ?? 0;
      }
      if (seen.size >= Math.min(2, terms.length)) {
        const score = sum / total;
        if (!best || score > best.score || (score === best.score && phrases > best.phrases)) {
          best = { score, phrases, span: { start: content[hits[a]!.k]!.start, end: content[hit.end]!.end } };
        }
      }
    }
  }
  return best;
}
