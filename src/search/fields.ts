/** The indexed fields: which belong to a talk, which keep token sequences, and their default weights. */
import type { IndexField } from './types.ts';

/** Fields stored per talk (`event` is stored once per event). */
export type TalkField = Exclude<IndexField, 'event'>;
/** Short talk fields whose token sequences are kept (for adjacency checks and removal). */
export type SequenceField = Exclude<TalkField, 'abstract'>;

export const TALK_FIELDS: readonly TalkField[] = ['title', 'speaker', 'track', 'abstract'];
export const SEQUENCE_FIELDS: readonly SequenceField[] = ['title', 'speaker', 'track'];
export const ALL_FIELDS: readonly IndexField[] = ['title', 'speaker', 'event', 'track', 'abstract'];

export const DEFAULT_FIELD_WEIGHTS: Readonly<Record<IndexField, number>> = {
  title: 1,
  speaker: 0.9,
  event: 0.6,
  track: 0.6,
  abstract: 0.3,
};
