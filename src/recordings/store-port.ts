/** What recording sources, polling and manual links need from the store. */
import type { DomainEvent, Talk } from '../catalogue/types.ts';
import type { CatalogueReader } from '../catalogue/store-port.ts';
import type { Source, UnmatchedRecording } from './types.ts';
import type { ClaimRequest, LeaseStore, NamedClaim } from '../platform/lease.ts';

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

export interface RecordingStore extends RecordingReader, LeaseStore {
  findTalk(ref: string): Promise<Talk | undefined>;
  getEvent: CatalogueReader['getEvent'];
  /** Add a source; the existing one when the event already has a source with this URL. */
  addSource(source: Source): Promise<{ source: Source; created: boolean }>;
  deleteSource(id: string): Promise<boolean>;
  /**
   * Lease the sources due at `req.now` (of cron expression `schedule`, if given) to `req.owner`:
   * free, past the due time their last release set, past their backoff. Two instances claiming
   * at once get disjoint sets. Release with `releaseLeases('sources', …)` and the next due time.
   */
  claimDueSources(req: ClaimRequest, schedule?: string): Promise<Source[]>;
  /** Lease these sources whether due or not (a person asked); those leased to another instance are `busy`. */
  claimSources(ids: readonly string[], req: ClaimRequest): Promise<NamedClaim<Source>>;
  /**
   * Run a recording plan (poll result, push, manual link) over current data in one transaction.
   * The plan must be a pure function of what it reads: after a conflicting write it runs again.
   */
  applyRecordings<R>(
    plan: (view: CatalogueReader & RecordingReader) => Promise<RecordingWrite<R>> | RecordingWrite<R>,
  ): Promise<R>;
}
