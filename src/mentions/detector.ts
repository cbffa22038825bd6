import { DomainError } from '../platform/errors.ts';
import type { PostDocument } from '../text/extract.ts';
import { detectMentions, type DetectOptions } from './detect.ts';
import type { MentionIndex } from './mention-index.ts';
import type { Mention } from './types.ts';

export type DetectRequestOptions = DetectOptions & {
  /**
   * Never run on the calling thread: when the detection worker cannot take the post now
   * (starting, restarting, queue full), fail with `DETECTION_UNAVAILABLE` instead. For posts from
   * anyone (the public `POST /api/mentions/detect`). @default false
   */
  readonly offThreadOnly?: boolean | undefined;
};

/** Where mention detection runs: on this thread, or in the detection worker (`detection-worker.ts`). */
export interface MentionDetector {
  /** The talks `doc` mentions, as {@link detectMentions} finds them against the current catalogue. */
  detect(doc: PostDocument, opts?: DetectRequestOptions): Promise<Mention[]>;
}

/** Detection on the calling thread, over the main thread's index (`TALKREEL_DETECT_WORKER=off`, the CLI). */
export function inThreadDetector(index: MentionIndex): MentionDetector {
  return {
    detect: async (doc, opts = {}) => detectMentions(doc, index, opts),
  };
}

/** Why detection could not take a post. */
export type UnavailableReason = 'starting' | 'restarting' | 'busy' | 'timeout' | 'stopping';
const MESSAGES: Record<UnavailableReason, string> = {
  starting: 'mention detection is starting (building its index); try again shortly',
  restarting: 'mention detection is restarting; try again shortly',
  busy: 'mention detection is busy; try again shortly',
  timeout: 'mention detection took too long; try again later',
  stopping: 'the server is shutting down',
};
/** `DETECTION_UNAVAILABLE` (503): `details.retryAfterSeconds` becomes the `Retry-After` header. */
export const detectionUnavailable = (reason: UnavailableReason): DomainError =>
  new DomainError('DETECTION_UNAVAILABLE', MESSAGES[reason], {
    reason,
    retryAfterSeconds: reason === 'busy' ? 2 : 5,
  });
