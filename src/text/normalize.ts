/**
 * Text normalisation and token-level similarity shared by the talk index, recording matching and
 * mention detection. Pure functions, no I/O.
 */
import { distance } from 'fastest-levenshtein';

/** Letters that Unicode decomposition (NFKD) does not reduce to ASCII, with their usual transliteration. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ŧ: 't',
  ĸ: 'k',
  ŋ: 'ng',
};
const SPECIAL_LETTERS_RE = /[ßæœøłđðþħıŀŧĸŋ]/gu;

/** ASCII apostrophe, typographic quotes, modifier-letter apostrophe, grave, acute, prime. */
const APOSTROPHE_CLASS = "'\u2019\u2018\u02BC\u0060\u00B4\u2032";
/** `'s` directly after a letter/digit and not followed by one: the English possessive. */
const POSSESSIVE_RE = new RegExp(`([\\p{L}\\p{N}])[${APOSTROPHE_CLASS}]s(?![\\p{L}\\p{N}])`, 'gu');
const APOSTROPHE_RE = new RegExp(`[${APOSTROPHE_CLASS}]`, 'gu');
const COMBINING_MARKS_RE = /\p{M}+/gu;
const NON_ALPHANUMERIC_RE = /[^\p{L}\p{N}]+/gu;

const mapSpecialLetters = (s: string): string => s.replace(SPECIAL_LETTERS_RE, (c) => SPECIAL_LETTERS[c] ?? c);

/**
 * Folds free text to a canonical, comparable form:
 *
 * 1. lowercase, transliterate letters NFKD leaves alone (`ß`→`ss`, `æ`→`ae`, `ø`→`o`, `ł`→`l`, …);
 * 2. drop the English possessive (`McClain's`, `Carrez’s` → `mcclain`, `carrez`), then delete every
 *    remaining apostrophe so names stay whole (`O'Brien` → `obrien`, `Carrez’` → `carrez`);
 * 3. NFKD and strip combining marks (`Thíerry` → `thierry`, `ﬁ` → `fi`, full-width → ASCII);
 * 4. every run of non-letters/non-digits becomes one space; trimmed.
 *
 * @example normalizeText("Mark McClain's “Segments → Services”") === 'mark mcclain segments services'
 */
export function normalizeText(s: string): string {
  const folded = mapSpecialLetters(s.toLowerCase())
    .replace(POSSESSIVE_RE, '$1')
    .replace(APOSTROPHE_RE, '')
    .normalize('NFKD')
    .replace(COMBINING_MARKS_RE, '');
  return mapSpecialLetters(folded).replace(NON_ALPHANUMERIC_RE, ' ').trim();
}

/** {@link normalizeText}, split on spaces. Never contains empty strings. */
export function tokenize(s: string): string[] {
  const normalized = normalizeText(s);
  return normalized === '' ? [] : normalized.split(' ');
}

/**
 * English function words (plus a handful of very generic ones) that carry no signal for finding a
 * talk. Deliberately small and free of domain words ("cloud", "talk", "open" are NOT stopwords).
 * Entries are normalised (see {@link normalizeText}).
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'of',
  'to',
  'and',
  'or',
  'in',
  'on',
  'for',
  'with',
  'from',
  'into',
  'at',
  'by',
  'as',
  'about',
  'vs',
  'via',
  'is',
  'are',
  'be',
  'was',
  'were',
  'do',
  'does',
  'can',
  'not',
  'no',
  'how',
  'what',
  'why',
  'when',
  'where',
  'who',
  'which',
  'we',
  'our',
  'us',
  'your',
  'you',
  'i',
  'me',
  'my',
  'it',
  'its',
  'this',
  'that',
  'these',
  'those',
  'they',
  'their',
  'he',
  'she',
  'his',
  'her',
  // Function words of the other languages conference titles are commonly written in (after
  // normalisation: accents dropped). Only words that are not also meaningful English title words.
  // French
  'le',
  'la',
  'les',
  'des',
  'du',
  'et',
  'pour',
  'une',
  'un',
  'aux',
  'au',
  'sur',
  'par',
  'dans',
  'avec',
  'ou',
  'est',
  // German
  'der',
  'das',
  'den',
  'dem',
  'und',
  'fur',
  'mit',
  'von',
  'vom',
  'zum',
  'zur',
  'im',
  'ein',
  'eine',
  'einen',
  'ist',
  'wie',
  'auf',
  'aus',
  'bei',
  // Spanish / Italian / Portuguese
  'el',
  'los',
  'las',
  'y',
  'del',
  'para',
  'con',
  'por',
  'il',
  'di',
  'e',
  'da',
  'em',
  'do',
  'dos',
]);

/** Optimal string alignment distance (Levenshtein plus adjacent transposition), no bound. */
function osaDistance(a: string, b: string): number {
  const n = b.length;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prevPrev[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
    }
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[n] ?? 0;
}

/**
 * Edit distance between `a` and `b` where an adjacent transposition counts as ONE edit
 * (`mcclian`/`mcclain` = 1), capped: returns `k + 1` as soon as the distance is known to exceed `k`.
 * Uses a length pre-check, then fastest-levenshtein; the transposition-aware DP only runs when
 * plain Levenshtein is in `2..2k` (a transposition costs 2 in Levenshtein).
 */
export function boundedEditDistance(a: string, b: string, k: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > k) return k + 1;
  const lev = distance(a, b);
  if (lev <= 1 || lev > 2 * k) return Math.min(lev, k + 1);
  return Math.min(osaDistance(a, b), lev, k + 1);
}

/** True when {@link boundedEditDistance}(a, b) ≤ k (transpositions count as one edit). */
export function editDistanceAtMost(a: string, b: string, k: number): boolean {
  return boundedEditDistance(a, b, k) <= k;
}

/** Match quality credited to a token joined/split across a space (`icehouse` ≈ `ice house`). */
const SIMILARITY_COMPOUND = 0.95;
/** Match quality credited to tokens within one edit of each other (both ≥ 5 characters). */
const SIMILARITY_FUZZY = 0.8;
const SIMILARITY_FUZZY_MIN_LENGTH = 5;

/** Tokens used for comparison: stopwords dropped unless that would empty either side. */
function comparableTokens(a: string, b: string): [string[], string[]] {
  const ta = tokenize(a);
  const tb = tokenize(b);
  const ca = ta.filter((t) => !STOPWORDS.has(t));
  const cb = tb.filter((t) => !STOPWORDS.has(t));
  return ca.length > 0 && cb.length > 0 ? [ca, cb] : [ta, tb];
}

/**
 * Greedy one-to-one alignment of `xs` against `ys`, writing match qualities into `qx`/`qy`
 * (0 = unmatched). Passes run strongest first, so an exact match is never displaced by a weaker one.
 */
function alignTokens(xs: string[], ys: string[], qx: number[], qy: number[]): void {
  // 1. exact
  for (let i = 0; i < xs.length; i++) {
    const j = ys.findIndex((y, jj) => qy[jj] === 0 && y === xs[i]);
    if (j >= 0) qx[i] = qy[j] = 1;
  }
  // 2. compound: one token equals two adjacent tokens of the other side joined (both directions)
  const joinPass = (one: string[], qOne: number[], two: string[], qTwo: number[]): void => {
    for (let i = 0; i < one.length; i++) {
      if (qOne[i] !== 0) continue;
      for (let j = 0; j + 1 < two.length; j++) {
        if (qTwo[j] === 0 && qTwo[j + 1] === 0 && `${two[j]}${two[j + 1]}` === one[i]) {
          qOne[i] = qTwo[j] = qTwo[j + 1] = SIMILARITY_COMPOUND;
          break;
        }
      }
    }
  };
  joinPass(xs, qx, ys, qy);
  joinPass(ys, qy, xs, qx);
  // 3. fuzzy: one edit apart, both long enough for a typo to be plausible
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? '';
    if (qx[i] !== 0 || x.length < SIMILARITY_FUZZY_MIN_LENGTH) continue;
    const j = ys.findIndex(
      (y, jj) => qy[jj] === 0 && y.length >= SIMILARITY_FUZZY_MIN_LENGTH && editDistanceAtMost(x, y, 1),
    );
    if (j >= 0) qx[i] = qy[j] = SIMILARITY_FUZZY;
  }
}

/**
 * Order-insensitive similarity of two titles in `0..1` (1 = same tokens).
 *
 * Both strings are tokenised ({@link tokenize}); stopwords are dropped from both unless that leaves
 * either side empty. Tokens are aligned one-to-one, strongest evidence first: exact equality
 * (quality 1), compounds — a token equal to two adjacent tokens of the other side joined,
 * `icehouse` ~ `ice house` (0.95 for each token involved) — and typos within one edit for tokens of
 * at least 5 characters (0.8). The result is a generalised Dice coefficient over the two token
 * multisets:
 *
 * `similarity = (Σ quality of a's tokens + Σ quality of b's tokens) / (|a| + |b|)`
 *
 * so extra or missing words lower the score symmetrically. Tokens are unweighted (no IDF): use the
 * talk index when corpus statistics matter. Returns 0 when either side has no tokens.
 */
export function similarity(a: string, b: string): number {
  const [xs, ys] = comparableTokens(a, b);
  if (xs.length === 0 || ys.length === 0) return 0;
  const qx = new Array<number>(xs.length).fill(0);
  const qy = new Array<number>(ys.length).fill(0);
  alignTokens(xs, ys, qx, qy);
  const sum = (q: number[]): number => q.reduce((s, v) => s + v, 0);
  return (sum(qx) + sum(qy)) / (xs.length + ys.length);
}
