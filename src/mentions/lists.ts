/**
 * A track's programme retold as a list: short lines (bullets, list items, bare lines) that each
 * read as a talk's title, or its first part, without quotes. One such line alone is weak; two or
 * more lines naming talks of the same event are a programme, and each of them is a mention.
 */
import type { Evidence } from './evidence.ts';
import { evidenceFor } from './evidence.ts';
import type { MentionIndex } from './mention-index.ts';
import type { Token } from './tokens.ts';

/** A list line holds 2 to this many content words. */
const MAX_LINE_WORDS = 15;
/** Share of the line's content words that must be title words of the talk (the line *is* a title). */
const LINE_IN_TITLE = 0.75;
/** IDF-weighted share of the title the line must cover (a first part is enough). */
const TITLE_COVERED = 0.5;
/** Title evidence of a programme line (before the event's own weight is added). */
const LISTED_SCORE = 0.65;
/** Title terms shared by more talks than this do not nominate candidates (they are generic). */
const MAX_TERM_TALKS = 500;

type Line = { start: number; end: number; tokens: Token[] };

/** Short lines of the text with their content tokens. */
function shortLines(text: string, content: readonly Token[]): Line[] {
  const lines: Line[] = [];
  let k = 0;
  for (const m of text.matchAll(/[^\n]+/g)) {
    const start = m.index;
    const end = start + m[0].length;
    const tokens: Token[] = [];
    while (k < content.length && content[k]!.start < start) k += 1;
    let j = k;
    while (j < content.length && content[j]!.end <= end) tokens.push(content[j++]!);
    // Prose has sentence punctuation inside; a list line has none (a final full stop is allowed).
    const body = m[0].trim().replace(/[.;]$/, '');
    if (tokens.length >= 2 && tokens.length <= MAX_LINE_WORDS && !/[.!?;]\s/.test(body))
      lines.push({ start, end, tokens });
  }
  return lines;
}

/** The one talk a line reads as the title (or first part) of, with the share of the title covered. */
function lineTalk(line: Line, index: MentionIndex): { id: string; covered: number } | undefined {
  const words = [...new Set(line.tokens.map((t) => t.t))];
  const shared = new Map<string, number>();
  for (const w of words) {
    const ids = index.titleTerms.get(w);
    if (!ids || ids.size > MAX_TERM_TALKS) continue;
    for (const id of ids) shared.set(id, (shared.get(id) ?? 0) + 1);
  }
  let best: { id: string; covered: number } | undefined;
  let tie = false;
  for (const [id, n] of shared) {
    if (n < 2 || n / words.length < LINE_IN_TITLE) continue;
    const talk = index.talks.get(id);
    if (!talk) continue;
    const inLine = new Set(words);
    let got = 0;
    let all = 0;
    for (const term of talk.titleTerms) {
      const w = index.titleIdf(term);
      all += w;
      if (inLine.has(term)) got += w;
    }
    const covered = all > 0 ? got / all : 0;
    // Enough of the title, or its beginning word for word ("Rust on the ESP32 …").
    if (covered < TITLE_COVERED && !opensTitle(line, talk.titleSeqs)) continue;
    if (!best || covered > best.covered) {
      best = { id, covered };
      tie = false;
    } else if (covered === best.covered) tie = true;
  }
  return tie ? undefined : best;
}

/** Title evidence for list lines that, together, name two or more talks of one event. */
export function addListEvidence(
  text: string,
  content: readonly Token[],
  index: MentionIndex,
  evidence: Evidence,
): void {
  const found = new Map<string, { id: string; covered: number; line: Line }[]>();
  for (const line of shortLines(text, content)) {
    const hit = lineTalk(line, index);
    if (!hit) continue;
    const eventId = index.talks.get(hit.id)?.eventId ?? '';
    let list = found.get(eventId);
    if (!list) found.set(eventId, (list = []));
    list.push({ ...hit, line });
  }
  for (const hits of found.values()) {
    if (new Set(hits.map((h) => h.id)).size < 2) continue;
    for (const h of hits) {
      const e = evidenceFor(evidence, h.id);
      // The list is the evidence: a line among others naming the same event's talks reads as a
      // title even when it gives only the title's first part.
      const score = Math.max(e.title?.score ?? 0, h.covered, LISTED_SCORE);
      e.title = {
        score,
        span: { start: h.line.start, end: h.line.end },
        phrase: true,
        quoted: false,
        terms: index.talks.get(h.id)?.titleTerms.length ?? 0,
        listed: true,
      };
    }
  }
}

/** Are the line's words, in order, the first words of one of the talk's titles (at least two)? */
function opensTitle(line: Line, titleSeqs: readonly (readonly string[])[]): boolean {
  const words = line.tokens.map((t) => t.t);
  return titleSeqs.some((seq) => words.length >= 2 && words.length < seq.length && words.every((w, i) => seq[i] === w));
}
