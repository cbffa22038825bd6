/**
 * Combining a talk's evidence into a confidence, and the mentions reported: evidence items are
 * treated as independent, confidence = 1 − Π(1 − eᵢ); talks at or above {@link REPORT_CONFIDENCE}
 * are reported in order of position in the post.
 */
import type { Mention, MentionEvidence } from './types.ts';
import { WEIGHTS, type Evidence, type TalkEvidence } from './evidence.ts';
import type { EventContext } from './event-context.ts';
import type { MentionIndex } from './mention-index.ts';
import type { Span } from './tokens.ts';

export const REPORT_CONFIDENCE = 0.5;

/** The text evidence spans point into, and how far it is shifted from the post's `text` (a prepended title). */
export type DetectionText = { readonly text: string; readonly shift: number };

/** The reportable mentions, by position in the post (then confidence, then talk id), at most `limit`. */
export function selectMentions(
  evidence: Evidence,
  about: EventContext,
  index: MentionIndex,
  source: DetectionText,
  limit: number,
): Mention[] {
  const mentions: Mention[] = [];
  for (const [id, e] of evidence) {
    const talk = index.talks.get(id);
    if (!talk) continue;
    const combined = combineEvidence(e, about.get(talk.eventId));
    if (!combined || combined.confidence < REPORT_CONFIDENCE) continue;
    mentions.push(toMention(id, talk.title, e, combined, source));
  }
  mentions.sort(
    (a, b) =>
      (a.start < 0 ? 1e12 : a.start) - (b.start < 0 ? 1e12 : b.start) ||
      b.confidence - a.confidence ||
      a.talkId.localeCompare(b.talkId),
  );
  return mentions.slice(0, limit);
}

/**
 * Confidence of a talk from its evidence and the strength of its event in the post; `undefined`
 * when there is no link, title or speaker evidence (the event alone names no talk).
 */
export function combineEvidence(
  e: TalkEvidence,
  context: 'strong' | 'weak' | undefined,
): { confidence: number; kinds: MentionEvidence[] } | undefined {
  const items: number[] = [];
  const kinds: MentionEvidence[] = [];
  if (e.link) {
    items.push(WEIGHTS.link);
    kinds.push('link');
  }
  if (e.title) {
    items.push(e.title.score * 0.9);
    kinds.push('title');
  }
  if (e.speaker) {
    items.push(e.speaker.weight);
    kinds.push('speaker');
    if (e.corefSpans.length > 0) items.push(WEIGHTS.firstNameCoref);
  }
  if (items.length === 0) return undefined;
  if (context) items.push(context === 'strong' ? WEIGHTS.eventStrong : WEIGHTS.eventWeak);
  const confidence = 1 - items.reduce((p, w) => p * (1 - w), 1);
  return { confidence, kinds };
}

function toMention(
  talkId: string,
  title: string,
  e: TalkEvidence,
  { confidence, kinds }: { confidence: number; kinds: MentionEvidence[] },
  { text, shift }: DetectionText,
): Mention {
  const span = pickSpan(e);
  const start = Math.max(0, span.start - shift);
  const end = Math.max(start, span.end - shift);
  return {
    talkId,
    confidence: Math.round(confidence * 1000) / 1000,
    evidence: kinds,
    snippet: span.start >= 0 ? text.slice(span.start, span.end).slice(0, 300) : title,
    start: span.start >= shift ? start : span.start >= 0 ? 0 : -1,
    end: span.start >= shift ? end : span.start >= 0 ? 0 : -1,
  };
}

/** The span shown for a mention: title and speaker together when close, else the best single one. */
export function pickSpan(e: TalkEvidence): Span {
  if (e.title && e.speaker) {
    const start = Math.min(e.title.span.start, e.speaker.span.start);
    const end = Math.max(e.title.span.end, e.speaker.span.end);
    return end - start < 400 ? { start, end } : e.title.span;
  }
  return e.title?.span ?? e.speaker?.span ?? e.link ?? { start: -1, end: -1 };
}
