/** What recording sources, polling and manual links need from the store. */
import type { DomainEvent, Talk } from '../catalogue/types.ts';
import type { CatalogueReader } from '../catalogue/store-port.ts';
import type { Source, UnmatchedRecording } from './types.ts';

/** Reads about recording sources and the unmatched queue; also what a recording plan sees. */
export interface RecordingReader {
  getSource(id: string): Promise<Source | undefined>;
  listSources(filter?: { eventId?: string | undefined }): Promise<Source[]>;
  listUnmatched(eventId: string): Promise<UnmatchedRecording[]>;
}

/** What a poll, push or manual link writes. Sources deleted meanwhile are not brought back. */
export type RecordingWrite<R> = {
  readonly talks?: readonly Talk[];
  readonly sources?: readonly Source[];
  readonly unmatched?: readonly UnmatchedRecording[];
  readonly unmatchedDeletes?: readonly string[];
  readonly domainEvents?: readonly DomainEvent[];
  readonly result: R;
};

export interface RecordingStore extends RecordingReader {
  findTalk(ref: string): Promise<Talk | undefined>;
  getEvent: CatalogueReader['getEvent'];
  /** Add a source; the existing one when the event already has a source with this URL. */
  addSource(source: Source): Promise<{ source: Source; created: boolean }>;
  deleteSource(id: string): Promise<boolean>;
  /**
   * Run a recording plan (poll result, push, manual link) over current data in one transaction.
   * The plan must be a pure function of what it reads: after a conflicting write it runs again.
   */
  applyRecordings<R>(
    plan: (view: CatalogueReader & RecordingReader) => Promise<RecordingWrite<R>> | RecordingWrite<R>,
  ): Promise<R>;
}
