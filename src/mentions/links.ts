/** Link evidence: a link to a talk's Talkreel page, schedule page or recording names it for certain. */
import type { PostDocument } from '../text/extract.ts';
import { linkShape } from '../catalogue/talk-urls.ts';
import { evidenceFor, type Evidence } from './evidence.ts';
import type { MentionIndex } from './mention-index.ts';
import type { Span } from './tokens.ts';

/**
 * Records the first link to each talk; `shift` moves link offsets from `doc.text` into the
 * detection text. Returns the text of links to talk pages that are none of the catalogue's (a
 * schedule page or recording of another edition, `…/v/gc22-707-…` at the 2023 edition): what such
 * a link's text names is that page's talk, not ours (see {@link dropTitlesOfOtherPages}).
 */
export function addLinkEvidence(doc: PostDocument, shift: number, index: MentionIndex, evidence: Evidence): Span[] {
  const foreign: Span[] = [];
  for (const link of doc.links) {
    const span = link.start >= 0 ? { start: link.start + shift, end: link.end + shift } : { start: -1, end: -1 };
    const id = index.talkOfLink(link.href);
    if (id) evidenceFor(evidence, id).link ??= span;
    else if (span.start >= 0 && (linkShape(link.href)?.keys.length ?? 0) > 0) foreign.push(span);
  }
  return foreign;
}

/** Title evidence found only inside the text of a link to another talk page is that page's, not ours. */
export function dropTitlesOfOtherPages(evidence: Evidence, foreign: readonly Span[]): void {
  if (foreign.length === 0) return;
  for (const [id, e] of evidence) {
    const t = e.title;
    if (!t || e.link) continue;
    if (!foreign.some((f) => t.span.start >= f.start && t.span.end <= f.end)) continue;
    delete e.title;
    if (!e.speaker && e.corefSpans.length === 0) evidence.delete(id);
  }
}
