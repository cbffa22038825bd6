/**
 * What each detection step records per talk, and how much each kind of evidence weighs. Evidence
 * items are treated as independent when combined: confidence = 1 − Π(1 − eᵢ).
 */
import type { Span } from './tokens.ts';

/** Evidence weights (probabilities that the item alone means the talk is mentioned). */
export const WEIGHTS = {
  link: 1,
  fullName: 0.7,
  surnameInEvent: 0.45,
  firstNameCoref: 0.1,
  eventStrong: 0.3,
  eventWeak: 0.12,
  /** A speaker named in a post not about any of their talks' events may be mentioned for other reasons. */
  otherEventFactor: 0.6,
  /**
   * A name whose paragraph shares no word stem with any of the speaker's talks (a byline, a photo
   * credit, "organised by"): weak alone (0.7 × 0.4 = 0.28, under the report threshold even with
   * the event in context).
   */
  offTopicFactor: 0.4,
} as const;

/** A speaker name shared by more talks than this is only used within the events the post is about. */
export const MAX_NAME_TALKS = 50;

export type TitleEvidence = {
  score: number;
  span: Span;
  phrase: boolean;
  quoted: boolean;
  terms: number;
  /** One line of a programme retold as a list (see `lists.ts`). */
  listed?: boolean;
};
export type SpeakerEvidence = { weight: number; span: Span; kind: 'full' | 'surname' };

/** The evidence gathered for one talk. */
export type TalkEvidence = {
  link?: Span;
  title?: TitleEvidence;
  speaker?: SpeakerEvidence;
  /** Bare first names referring back to a speaker named in full. */
  corefSpans: Span[];
};

/** Talk id → its evidence, in order of discovery. */
export type Evidence = Map<string, TalkEvidence>;

/** The evidence of talk `id`, created empty if there is none yet. */
export function evidenceFor(evidence: Evidence, id: string): TalkEvidence {
  let e = evidence.get(id);
  if (!e) evidence.set(id, (e = { corefSpans: [] }));
  return e;
}
