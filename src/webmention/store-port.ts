/** What the Webmention receiver needs from the store. */
import type { Post, Webmention, WebmentionStatus } from '../posts/types.ts';
import type { ClaimRequest, LeaseStore } from '../platform/lease.ts';

export interface WebmentionStore extends LeaseStore {
  getWebmention(id: string): Promise<Webmention | undefined>;
  listWebmentions(): Promise<Webmention[]>;
  webmentionsWithStatus(status: WebmentionStatus): Promise<Webmention[]>;
  webmentionsOfPost(postId: string): Promise<Webmention[]>;
  /** Delete webmentions in one of `statuses` received before `before` (ISO); answers how many. */
  expireWebmentions(statuses: readonly WebmentionStatus[], before: string): Promise<number>;
  getPost(id: string): Promise<Post | undefined>;
  /**
   * Lease pending Webmentions (oldest received first) to `req.owner` for verification. Release
   * with `releaseLeases('webmentions', …)` once the outcome is saved (or the work was given up).
   */
  claimPendingWebmentions(req: ClaimRequest): Promise<Webmention[]>;
  /**
   * Insert or replace a webmention and, in the same transaction, the post it produced or changed
   * (`post` undefined leaves posts alone; `null` deletes the webmention's former post).
   */
  saveWebmention(
    id: string,
    change: (
      current: Webmention | undefined,
      view: { getPost(id: string): Promise<Post | undefined>; webmentionsOfPost(id: string): Promise<Webmention[]> },
    ) => Promise<{ webmention: Webmention; post?: Post | null | undefined } | undefined>,
  ): Promise<Webmention | undefined>;
}
