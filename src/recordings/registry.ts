import type { SourceKind } from './types.ts';
import { feedSource } from './feed.ts';
import { mediaCccSource } from './media-ccc.ts';
import type { RecordingSource } from './source.ts';
import { youtubeSource } from './youtube.ts';

/** The parser of each recording source kind. */
export const sources: Record<SourceKind, RecordingSource> = {
  youtube: youtubeSource,
  mediaccc: mediaCccSource,
  feed: feedSource,
};
