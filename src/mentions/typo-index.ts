/**
 * Typo lookup over the words mention detection cares about (speakers' first and last names, title
 * terms), kept apart from the search vocabulary so that its cost does not grow with the catalogue:
 * a symmetric-deletion index (each word of ≥ 5 letters under itself and each one-letter deletion),
 * so a post's word finds the indexed words one edit away (substitution, insertion, deletion,
 * adjacent transposition) with at most `length + 1` hash probes.
 */

/** Words shorter than this are never matched with a typo: too many ordinary words lie one edit away. */
export const MIN_TYPO_LENGTH = 5;

export class TypoIndex {
  /** Indexed word → how many talks contributed it (removals are exact). */
  private readonly counts = new Map<string, number>();
  /** Word or one-letter deletion of a word → the indexed words it came from. */
  private readonly keys = new Map<string, string | string[]>();

  add(word: string): void {
    if (!typoable(word)) return;
    const n = this.counts.get(word) ?? 0;
    this.counts.set(word, n + 1);
    if (n === 0) for (const key of keysOf(word)) this.link(key, word);
  }

  remove(word: string): void {
    const n = this.counts.get(word);
    if (n === undefined) return;
    if (n > 1) {
      this.counts.set(word, n - 1);
      return;
    }
    this.counts.delete(word);
    for (const key of keysOf(word)) this.unlink(key, word);
  }

  /** Indexed words one edit away from `word` (never `word` itself), in no particular order. */
  near(word: string): string[] {
    if (!typoable(word)) return [];
    const found = new Set<string>();
    for (const key of keysOf(word)) {
      const hit = this.keys.get(key);
      if (hit === undefined) continue;
      for (const w of typeof hit === 'string' ? [hit] : hit) if (w !== word && oneEditApart(word, w)) found.add(w);
    }
    return [...found];
  }

  private link(key: string, word: string): void {
    const cur = this.keys.get(key);
    if (cur === undefined) this.keys.set(key, word);
    else if (typeof cur === 'string') this.keys.set(key, [cur, word]);
    else cur.push(word);
  }

  private unlink(key: string, word: string): void {
    const cur = this.keys.get(key);
    if (cur === word) this.keys.delete(key);
    else if (Array.isArray(cur)) {
      const rest = cur.filter((w) => w !== word);
      if (rest.length === 1) this.keys.set(key, rest[0]!);
      else this.keys.set(key, rest);
    }
  }
}

function typoable(word: string): boolean {
  return word.length >= MIN_TYPO_LENGTH && !/\d/.test(word);
}

/** The word and each of its one-letter deletions. */
function keysOf(word: string): Set<string> {
  const keys = new Set<string>([word]);
  for (let i = 0; i < word.length; i += 1) keys.add(word.slice(0, i) + word.slice(i + 1));
  return keys;
}

/** Are `a` and `b` (different) one substitution, insertion, deletion or adjacent transposition apart? */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  if (l.length - s.length > 1) return false;
  let i = 0;
  while (i < s.length && s[i] === l[i]) i += 1;
  if (s.length === l.length) {
    if (s.slice(i + 1) === l.slice(i + 1)) return true; // substitution
    return s[i] === l[i + 1] && s[i + 1] === l[i] && s.slice(i + 2) === l.slice(i + 2); // transposition
  }
  return s.slice(i) === l.slice(i + 1); // insertion
}
