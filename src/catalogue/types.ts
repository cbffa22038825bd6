/**
 * Core catalogue types. Pure data: no I/O, no framework types.
 * Timestamps are ISO 8601 strings; talk start times keep the offset the schedule gave them.
 */

/** A conference or meetup. `id` is a URL-safe slug without slashes. */
export type Event = {
  readonly id: string;
  readonly name: string;
  /** Other names people use: acronym, "OIA Paris", former names. */
  readonly aliases: readonly string[];
  readonly acronym?: string | undefined;
  readonly city?: string | undefined;
  /** IANA zone, e.g. `Europe/Paris`. */
  readonly timezone?: string | undefined;
  /** First and last day, `YYYY-MM-DD`. */
  readonly startDate?: string | undefined;
  readonly endDate?: string | undefined;
  readonly url?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
};

export type Speaker = {
  readonly name: string;
  readonly affiliation?: string | undefined;
  readonly role?: string | undefined;
};

/** Identifiers a talk carries in the systems it came from. All of them resolve to the talk. */
export type ExternalIds = {
  /** Schedule guid (frab/pretalx), globally unique. */
  readonly guid?: string | undefined;
  /** Numeric schedule id, unique only within an event. */
  readonly scheduleId?: string | undefined;
  /** pretalx/frab slug as given by the schedule. */
  readonly slug?: string | undefined;
  /** The talk's page on the schedule. */
  readonly scheduleUrl?: string | undefined;
};

export type MatchMethod = 'schedule' | 'guid' | 'id-in-url' | 'slug' | 'evidence' | 'manual' | 'webhook';

/** How a recording was attached to its talk. */
export type MatchInfo = {
  readonly method: MatchMethod;
  /** 0..1 */
  readonly confidence: number;
  /** Human-readable reasons, e.g. `title 0.93`, `speaker "Mark McClain" in description`. */
  readonly evidence: readonly string[];
};

/** One published video or audio of a talk. A talk may have several (providers, languages). */
export type Recording = {
  readonly id: string;
  readonly url: string;
  /** `youtube`, `mediaccc`, `vimeo`, `podcast`, `web`, … */
  readonly provider: string;
  readonly embedUrl?: string | undefined;
  readonly language?: string | undefined;
  readonly title?: string | undefined;
  /** When the provider published it, if known. */
  readonly publishedAt?: string | undefined;
  /** When Talkreel first saw it. */
  readonly discoveredAt: string;
  readonly match: MatchInfo;
  /** Source that reported it (`src_…`), if any. */
  readonly sourceId?: string | undefined;
  /** Natural key at the provider, e.g. `youtube:dQw4w9WgXcQ`. */
  readonly key: string;
  readonly primary: boolean;
};

/** Recording state of a talk: a discriminated union, never loose booleans. */
export type RecordingState =
  | { readonly status: 'pending' }
  | { readonly status: 'not-recorded' }
  | {
      readonly status: 'published';
      readonly url: string;
      readonly recordingId: string;
      readonly publishedAt: string;
    }
  | {
      readonly status: 'withdrawn';
      readonly withdrawnAt: string;
      readonly reason: string;
      readonly lastUrl: string;
    };

export type RecordingStatus = RecordingState['status'];
export const RECORDING_STATUSES: readonly RecordingStatus[] = ['pending', 'not-recorded', 'published', 'withdrawn'];

export type Talk = {
  /** Slug unique in the catalogue, e.g. `oia-paris-2013-segments-to-services`. */
  readonly id: string;
  readonly eventId: string;
  readonly title: string;
  readonly subtitle?: string | undefined;
  /** Earlier titles and earlier ids (slugs), so old links still resolve. */
  readonly aliases: readonly string[];
  readonly speakers: readonly Speaker[];
  /** ISO 8601 with the schedule's offset. */
  readonly start?: string | undefined;
  /** Minutes. */
  readonly durationMinutes?: number | undefined;
  readonly room?: string | undefined;
  readonly track?: string | undefined;
  /** `talk`, `keynote`, `workshop`, `lightning`, … as the schedule says. */
  readonly kind?: string | undefined;
  readonly language?: string | undefined;
  readonly abstract?: string | undefined;
  readonly externalIds: ExternalIds;
  readonly recording: RecordingState;
  readonly recordings: readonly Recording[];
  /** Recording keys a person unlinked from this talk: polls never link them to it again. */
  readonly rejectedRecordingKeys?: readonly string[] | undefined;
  /** Set when a re-import no longer lists the talk. The talk is kept, not deleted. */
  readonly removedFromScheduleAt?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** A persistent domain event (Standard Webhooks style `{type, timestamp, data}`). */
export type DomainEvent =
  | {
      readonly id: string;
      readonly type: 'recording.published';
      readonly timestamp: string;
      readonly data: { readonly talkId: string; readonly eventId: string; readonly recording: Recording };
    }
  | {
      readonly id: string;
      readonly type: 'recording.withdrawn';
      readonly timestamp: string;
      readonly data: {
        readonly talkId: string;
        readonly eventId: string;
        readonly url: string;
        readonly reason: string;
      };
    }
  | {
      readonly id: string;
      readonly type: 'talk.mentioned';
      readonly timestamp: string;
      readonly data: {
        readonly talkId: string;
        readonly eventId: string;
        readonly postId: string;
        readonly postUrl?: string | undefined;
        readonly postTitle?: string | undefined;
      };
    };
