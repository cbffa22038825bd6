import type { MatchInfo } from '../catalogue/types.ts';

export const SOURCE_KINDS = ['youtube', 'mediaccc', 'feed'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** HTTP validators from the last successful fetch (RFC 9110 conditional requests). */
export type FetchCache = {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
};

/** What an operator needs to see about a polled feed. Shared by recording sources and blogs. */
export type FeedHealth = {
  readonly lastPollAt?: string | undefined;
  readonly lastSuccessAt?: string | undefined;
  readonly lastError?: { readonly at: string; readonly message: string } | undefined;
  readonly consecutiveFailures: number;
  /** Earliest time the next poll may run (backoff after failures). */
  readonly nextPollAt?: string | undefined;
  readonly itemsSeen: number;
  readonly itemsMatched: number;
};

export const emptyHealth = (): FeedHealth => ({ consecutiveFailures: 0, itemsSeen: 0, itemsMatched: 0 });

/** A place where an event's recordings get published. */
export type Source = {
  readonly id: string;
  readonly eventId: string;
  readonly kind: SourceKind;
  readonly url: string;
  /** Cron expression. */
  readonly schedule: string;
  readonly cache: FetchCache;
  readonly health: FeedHealth;
  readonly createdAt: string;
};

export type Candidate = { readonly talkId: string; readonly score: number; readonly evidence: readonly string[] };

/** A recording no talk could be matched to with enough confidence. Nothing is linked. */
export type UnmatchedRecording = {
  /** `<eventId>|<recording key>` */
  readonly id: string;
  readonly eventId: string;
  readonly sourceId?: string | undefined;
  readonly key: string;
  readonly url: string;
  readonly provider: string;
  readonly title: string;
  readonly description?: string | undefined;
  readonly publishedAt?: string | undefined;
  readonly candidates: readonly Candidate[];
  readonly reason: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** A person decided this item is not a talk of the event; later polls keep it out of the queue. */
  readonly dismissed?: boolean | undefined;
};

export type { MatchInfo };
