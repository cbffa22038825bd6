/** Link evidence: a link to a talk's Talkreel page, schedule page or recording names it for certain. */
import type { PostDocument } from '../text/extract.ts';
import { evidenceFor, type Evidence } from './evidence.ts';
import type { MentionIndex } from './mention-index.ts';

/** Records the first link to each talk; `shift` moves link offsets from `doc.text` into the detection text. */
export function addLinkEvidence(doc: PostDocument, shift: number, index: MentionIndex, evidence: Evidence): void {
  for (const link of doc.links) {
    const id = index.talkOfLink(link.href);
    if (!id) continue;
    const span = link.start >= 0 ? { start: link.start + shift, end: link.end + shift } : { start: -1, end: -1 };
    evidenceFor(evidence, id).link ??= span;
  }
}
