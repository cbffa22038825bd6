/**
 * What the catalogue needs from the store (implemented in `src/store/`, which depends on this
 * file, never the other way round). Each operation is atomic.
 */
import type { Event, Talk } from './types.ts';

/** Reads about events and talks; also what an import plan sees inside its transaction. */
export interface CatalogueReader {
  getEvent(id: string): Promise<Event | undefined>;
  listEvents(): Promise<Event[]>;
  /**
   * Resolve any stable reference to a talk: its id, an earlier id kept as alias, its schedule
   * guid (any case), or `<eventId>:<scheduleId>`.
   */
  findTalk(ref: string): Promise<Talk | undefined>;
  talksOfEvent(eventId: string): Promise<Talk[]>;
  /** Talks by their ids (not other references), in the order asked; missing ones left out. One round trip. */
  getTalks(ids: readonly string[]): Promise<Talk[]>;
  /** Events by id, in the order asked; missing ones left out. One round trip. */
  getEvents(ids: readonly string[]): Promise<Event[]>;
  /** True when `id` is a talk's id or one of its references. */
  talkIdTaken(id: string): Promise<boolean>;
}

export type DeleteEventResult =
  | { readonly status: 'deleted'; readonly talks: number; readonly sources: number }
  | { readonly status: 'not-found' }
  | { readonly status: 'has-talks'; readonly talks: number };

/** Catalogue records a committed write changed, as listeners (indexes, caches) see them once durable. */
export type CatalogueChange = {
  readonly put: { readonly events?: readonly Event[] | undefined; readonly talks?: readonly Talk[] | undefined };
  readonly deleted: { readonly events?: readonly Event[] | undefined; readonly talks?: readonly Talk[] | undefined };
};

export interface CatalogueStore extends CatalogueReader {
  /** Create an event; false (and nothing written) when the id is taken. */
  createEvent(event: Event): Promise<boolean>;
  updateEvent(id: string, change: (current: Event) => Event): Promise<Event | undefined>;
  /** Delete an event; with talks only when `cascade` (talks, sources and unmatched go with it, atomically). */
  deleteEvent(id: string, cascade: boolean): Promise<DeleteEventResult>;
  /** Every talk: only for index builds and unfiltered listings. */
  allTalks(): Promise<Talk[]>;
  /** Create a talk; false (and nothing written) when its event is missing or its id is taken. */
  createTalk(talk: Talk): Promise<boolean>;
  updateTalk(ref: string, change: (current: Talk) => Talk): Promise<Talk | undefined>;
  deleteTalk(ref: string): Promise<Talk | undefined>;
  /** Called after each write is durable, in order. Returns the unsubscribe function. */
  onCommit(listener: (change: CatalogueChange) => void): () => void;
}
