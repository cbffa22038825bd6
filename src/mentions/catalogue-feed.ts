import type { CatalogueChange, CatalogueStore } from '../catalogue/store-port.ts';
import type { Event, Talk } from '../catalogue/types.ts';

type Listener = (change: CatalogueChange) => void;

/**
 * The part of the store an index attaches to (`listEvents`, `allTalks`, `onCommit`), fed by
 * messages instead of a database: the detection worker builds its `CatalogueIndex` and
 * `MentionIndex` with their own `attach` over it, exactly as the main thread does over the store.
 *
 * Commits that arrive before {@link CatalogueFeed.goLive} are held and replayed in order then, so
 * an index that subscribes after another one (both `attach` in turn) misses none. Replaying a
 * commit the snapshot already holds is harmless: every commit carries whole records, so applying
 * the commits after the subscription point, in order, on top of the snapshot converges on the
 * store's state.
 */
export class CatalogueFeed implements Pick<CatalogueStore, 'listEvents' | 'allTalks' | 'onCommit'> {
  private events: Event[] = [];
  private talks: Talk[] = [];
  private readonly listeners = new Set<Listener>();
  private held: CatalogueChange[] | undefined = [];
  private readonly snapshot: Promise<void>;
  private endSnapshot!: () => void;

  constructor() {
    this.snapshot = new Promise((resolve) => (this.endSnapshot = resolve));
  }

  addEvents(events: readonly Event[]): void {
    this.events.push(...events);
  }

  addTalks(talks: readonly Talk[]): void {
    for (const t of talks) this.talks.push(t);
  }

  /** The snapshot is complete: `listEvents` and `allTalks` answer. */
  snapshotEnded(): void {
    this.endSnapshot();
  }

  async listEvents(): Promise<Event[]> {
    await this.snapshot;
    return this.events;
  }

  async allTalks(): Promise<Talk[]> {
    await this.snapshot;
    return this.talks;
  }

  onCommit(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  commit(change: CatalogueChange): void {
    if (this.held) this.held.push(change);
    else for (const listener of this.listeners) listener(change);
  }

  /**
   * Every index is attached: replay the held commits, deliver the next ones at once, and let go of
   * the snapshot's arrays (the indexes hold what they need).
   */
  goLive(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const change of held) for (const listener of this.listeners) listener(change);
    this.events = [];
    this.talks = [];
  }
}
