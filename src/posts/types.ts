import type { FeedHealth, FetchCache } from '../recordings/types.ts';
import type { Mention } from '../mentions/types.ts';

export type { Mention, MentionEvidence } from '../mentions/types.ts';

export type PostOrigin = 'submitted' | 'feed' | 'webmention';

/** A recap post. Its text is stored (capped) so mentions can be recomputed when the catalogue changes. */
export type Post = {
  readonly id: string;
  readonly url?: string | undefined;
  readonly title?: string | undefined;
  readonly text: string;
  readonly links: readonly string[];
  /** sha256 of title+text+links, to see whether a re-submission changed anything. */
  readonly contentHash: string;
  readonly origin: PostOrigin;
  readonly blogId?: string | undefined;
  /** The event the submitter said the post is about, if any (kept for rescans). */
  readonly eventId?: string | undefined;
  readonly mentions: readonly Mention[];
  readonly publishedAt?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** A blog whose feed is crawled for recap posts. */
export type Blog = {
  readonly id: string;
  readonly feedUrl: string;
  readonly title?: string | undefined;
  readonly schedule: string;
  readonly cache: FetchCache;
  readonly health: FeedHealth;
  readonly createdAt: string;
};

export type WebmentionStatus = 'pending' | 'accepted' | 'rejected' | 'removed';

/** A received W3C Webmention; `id` is derived from source+target so a repeat is an update. */
export type Webmention = {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly status: WebmentionStatus;
  readonly reason?: string | undefined;
  readonly postId?: string | undefined;
  readonly receivedAt: string;
  readonly verifiedAt?: string | undefined;
};
