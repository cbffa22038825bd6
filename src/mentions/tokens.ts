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

/**
 * The tokens (sorted by position, as tokenising yields them) that overlap `start..end`: a binary
 * search, so looking around each of many names in a long post costs the neighbourhood, not the post.
 */
export function tokensWithin(tokens: readonly Token[], start: number, end: number): readonly Token[] {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]!.end < start) lo = mid + 1;
    else hi = mid;
  }
  let stop = lo;
  while (stop < tokens.length && tokens[stop]!.start <= end) stop += 1;
  return tokens.slice(lo, stop);
}
