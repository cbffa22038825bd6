/** What mention detection reports: a talk a post mentions, how sure, and where. */
export type MentionEvidence = 'link' | 'title' | 'speaker';

/** A talk a post mentions, with where and why. */
export type Mention = {
  readonly talkId: string;
  /** 0..1 */
  readonly confidence: number;
  readonly evidence: readonly MentionEvidence[];
  /** The matched text as it stands in the post. */
  readonly snippet: string;
  /** Offsets of the snippet in the post's plain text. */
  readonly start: number;
  readonly end: number;
};
