/**
 * Index terms one edit away from a word of a post (typos: "McClian", "Kubernets"), looked up in
 * the search vocabulary once per distinct word and post: names and titles share the answers.
 */
import type { MentionIndex } from './mention-index.ts';

/** Index terms one edit away from `term` (not `term` itself). */
export type Neighbours = (term: string) => readonly string[];

/** A per-post memo of {@link Neighbours} over the index's vocabulary. */
export function neighboursIn(index: MentionIndex): Neighbours {
  const memo = new Map<string, readonly string[]>();
  return (term) => {
    let found = memo.get(term);
    if (!found) {
      found = index.vocabulary
        .expandTerm(term, { fuzzy: true })
        .filter((e) => e.via === 'fuzzy' && e.indexTerm !== term)
        .map((e) => e.indexTerm);
      memo.set(term, found);
    }
    return found;
  };
}
