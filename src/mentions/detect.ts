/**
 * Mention detection: which catalogued talks a post names.
 *
 * One pass over the post's tokens collects evidence from hash lookups in the {@link MentionIndex}
 * (never a pass over the catalogue), step by step:
 * 1. events the post is about, named by name, alias, acronym, URL, or by city and date
 *    (`event-context.ts`): they raise their talks' confidence;
 * 2. links to a talk's Talkreel page, schedule page or recording (`links.ts`, certain);
 * 3. speaker names (`speakers.ts`): full names with at most one one-letter typo, in any case,
 *    possessives folded; a bare surname counts only for talks of an event the post is about, a bare
 *    first name only for a speaker the post already named in full;
 * 4. titles (`titles.ts`, `title-window.ts`): the densest window of the post holding a talk's title
 *    terms, weighted by how rare each term is among titles (IDF); split/joined words ("Ice House")
 *    and one-letter typos count; quoted text is compared with whole titles;
 * 5. names attached to talks, weak title-only evidence dropped, evidence combined (`select.ts`).
 *
 * Evidence items are treated as independent: confidence = 1 − Π(1 − eᵢ). Talks at or above
 * {@link REPORT_CONFIDENCE} are reported.
 */
import type { Mention } from './types.ts';
import type { PostDocument } from '../text/extract.ts';
import { STOPWORDS } from '../text/normalize.ts';
import { eventsAbout } from './event-context.ts';
import type { Evidence } from './evidence.ts';
import { addLinkEvidence, dropTitlesOfOtherPages } from './links.ts';
import type { MentionIndex } from './mention-index.ts';
import { selectMentions } from './select.ts';
import { addSpeakerEvidence, findSpeakerNames, namedTalkIds } from './speakers.ts';
import { addTitleEvidence, dropWeakTitleOnly } from './titles.ts';
import { addListEvidence } from './lists.ts';
import { tokenizeWithOffsets } from './tokens.ts';
import { neighboursIn } from './neighbours.ts';

export { REPORT_CONFIDENCE } from './select.ts';
export { tokenizeWithOffsets } from './tokens.ts';
export { datesIn } from './dates.ts';

export type DetectOptions = {
  /** The event the post is known to be about (a Webmention target, `--event`). */
  readonly eventId?: string | undefined;
  /** At most this many mentions. @default 50 */
  readonly limit?: number | undefined;
};

/** Detect the talks a post mentions. Pure; deterministic order (by position in the post). */
export function detectMentions(doc: PostDocument, index: MentionIndex, opts: DetectOptions = {}): Mention[] {
  // The post's title is searched too, prepended; offsets are shifted back when reporting.
  const text = doc.title ? `${doc.title}\n\n${doc.text}` : doc.text;
  const shift = doc.title ? doc.title.length + 2 : 0;
  const tokens = tokenizeWithOffsets(text);
  const content = tokens.filter((tok) => !STOPWORDS.has(tok.t));
  const evidence: Evidence = new Map();

  const about = eventsAbout(text, tokens, doc, index, opts.eventId);
  const foreign = addLinkEvidence(doc, shift, index, evidence);
  const neighbours = neighboursIn(index);
  const names = findSpeakerNames(tokens, index, about, text, neighbours);
  addTitleEvidence(text, content, namedTalkIds(names, about, index), index, evidence, neighbours);
  dropTitlesOfOtherPages(evidence, foreign);
  addListEvidence(text, content, index, evidence);
  // after titles and links: they pick among a speaker's talks
  addSpeakerEvidence(names, { index, about, evidence, content, text });
  dropWeakTitleOnly(evidence, about, index);
  return selectMentions(evidence, about, index, { text, shift }, opts.limit ?? 50);
}
