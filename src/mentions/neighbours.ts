/**
 * Title terms and speaker names one edit away from a word of a post (typos: "McClian",
 * "Kubernets"), looked up in the index's {@link TypoIndex} once per distinct word and post: names
 * and titles share the answers.
 */
import type { MentionIndex } from './mention-index.ts';

/** Indexed words one edit away from `term` (not `term` itself). */
export type Neighbours = (term: string) => readonly string[];

/** A per-post memo of {@link Neighbours} over the index's typo index. */
export function neighboursIn(index: MentionIndex): Neighbours {
  const memo = new Map<string, readonly string[]>();
  return (term) => {
    let found = memo.get(term);
    if (!found) memo.set(term, (found = index.typos.near(term)));
    return found;
  };
}
