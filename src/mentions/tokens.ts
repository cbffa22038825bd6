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

/**
 * Normalised forms of written words, shared by every post: prose repeats its words, and Unicode
 * normalisation per word is the costliest part of tokenising. Bounded: cleared when full.
 */
const NORMALISED = new Map<string, readonly string[]>();
const NORMALISED_MAX = 100_000;

function normalisedParts(raw: string): readonly string[] {
  let parts = NORMALISED.get(raw);
  if (!parts) {
    if (NORMALISED.size >= NORMALISED_MAX) NORMALISED.clear();
    parts = normalizeText(raw).split(' ');
    NORMALISED.set(raw, parts);
  }
  return parts;
}

/** Words with their offsets in `text`, normalised like the index (case, accents, possessives). */
export function tokenizeWithOffsets(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const raw = m[0];
    const start = m.index;
    for (const t of normalisedParts(raw)) {
      if (t) out.push({ t, raw, start, end: start + raw.length, capital: /^\p{Lu}/u.test(raw) });
    }
  }
  return out;
}
