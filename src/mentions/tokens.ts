/** Words of a post with their character offsets, normalised like the mention index. */
import { normalizeText } from '../text/normalize.ts';

/** One normalised word: `t` the index form, `raw` the text as written at `start..end`. */
export type Token = {
  readonly t: string;
  readonly raw: string;
  readonly start: number;
  readonly end: number;
  /** The written word starts with an upper-case letter. */
  readonly capital: boolean;
};

/** A character range of the post (`-1..-1` when it has no position, e.g. a link outside the text). */
export type Span = { start: number; end: number };

const WORD_RE = /[\p{L}\p{N}]+(?:['’‘ʼ][\p{L}\p{N}]+)*['’‘ʼ]?/gu;

/** Words with their offsets in `text`, normalised like the index (case, accents, possessives). */
export function tokenizeWithOffsets(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const raw = m[0];
    const start = m.index;
    for (const t of normalizeText(raw).split(' ')) {
      if (t) out.push({ t, raw, start, end: start + raw.length, capital: /^\p{Lu}/u.test(raw) });
    }
  }
  return out;
}
