import type { SourceKind } from './types.ts';

/**
 * One recording as a source reports it, before matching. Parsers fill what the format carries;
 * everything else stays undefined.
 */
export type RecordingItem = {
  /** Natural key at the provider: `youtube:<videoId>`, `mediaccc:<slug>`, `url:<link>`, `guid:<feed guid>`. */
  readonly key: string;
  /** The watch page (or media file when a feed has nothing else). */
  readonly url: string;
  readonly provider: string;
  readonly title: string;
  readonly subtitle?: string | undefined;
  readonly description?: string | undefined;
  /** Provider's publication time, ISO 8601, if given. */
  readonly publishedAt?: string | undefined;
  /** Provider's last update time, ISO 8601, if given (an edit of an old video changes only this). */
  readonly updatedAt?: string | undefined;
  /** When the talk was given, if the source says (media.ccc.de `date`). */
  readonly recordedAt?: string | undefined;
  /** Schedule guid the recording carries (media.ccc.de, voctopublish). */
  readonly guid?: string | undefined;
  /** Provider slug (media.ccc.de `slug`, e.g. `36c3-10526-title`), which often embeds the schedule id. */
  readonly slug?: string | undefined;
  readonly persons?: readonly string[] | undefined;
  readonly language?: string | undefined;
  readonly embedUrl?: string | undefined;
  /** Other URLs the item carries (schedule page `link`, links found in the description). */
  readonly links?: readonly string[] | undefined;
};

/** Thrown by parsers for content that is not what the source kind expects (HTML error page, malformed XML/JSON). */
export class SourceParseError extends Error {
  override readonly name = 'SourceParseError';
}

/** A recording source kind: a pure parser of the fetched body. */
export type RecordingSource = {
  readonly kind: SourceKind;
  /** `Accept` header to send. */
  readonly accept: string;
  /** Parse a fetched body into items. Items lacking a URL are dropped; a body that is not this format throws SourceParseError. */
  parse(body: string, contentType: string | undefined): RecordingItem[];
};
