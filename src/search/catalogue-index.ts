import type { CatalogueStore } from '../catalogue/store-port.ts';
import type { Event, Talk } from '../catalogue/types.ts';
import { TalkIndex, type SearchHit } from './talk-index.ts';
import { loadAndFollow } from '../catalogue/load-and-follow.ts';

/**
 * The search index kept in step with the store: built once at start-up, then updated from every
 * commit (whoever made it: API, importer, poller), so lookups never scan the catalogue.
 */
export class CatalogueIndex {
  readonly talks = new TalkIndex();
  private unsubscribe: (() => void) | undefined;

  /** Build from the store's current content and follow its commits. */
  static async attach(store: Pick<CatalogueStore, 'listEvents' | 'allTalks' | 'onCommit'>): Promise<CatalogueIndex> {
    const index = new CatalogueIndex();
    await index.follow(store);
    return index;
  }

  /**
   * Build from the store's current content and follow its commits (`attach` on an index made
   * empty, so its users can hold it while it builds).
   * @param opts.yieldEvery give the event loop a turn after this many talks, so a server answers
   * while the index builds in the background. @default Infinity (never)
   */
  async follow(
    store: Pick<CatalogueStore, 'listEvents' | 'allTalks' | 'onCommit'>,
    opts: { yieldEvery?: number } = {},
  ): Promise<void> {
    const every = opts.yieldEvery ?? Infinity;
    this.unsubscribe = await loadAndFollow(
      store,
      async () => {
        for (const event of await store.listEvents()) this.talks.upsertEvent(toIndexedEvent(event));
        let n = 0;
        for (const talk of await store.allTalks()) {
          this.talks.upsertTalk(toIndexedTalk(talk));
          if (++n % every === 0) await yieldToEventLoop();
        }
      },
      ({ put, deleted }) => {
        for (const talk of deleted.talks ?? []) this.talks.removeTalk(talk.id);
        for (const event of deleted.events ?? []) this.removeEvent(event.id);
        for (const event of put.events ?? []) this.talks.upsertEvent(toIndexedEvent(event));
        for (const talk of put.talks ?? []) this.talks.upsertTalk(toIndexedTalk(talk));
      },
    );
  }

  /** An event leaves with its talks, whether or not the commit names them, and its name stops matching. */
  private removeEvent(id: string): void {
    for (const talkId of [...this.talks.talkIdsForEvent(id)]) this.talks.removeTalk(talkId);
    this.talks.removeEvent(id);
  }

  search(query: string, opts: { eventId?: string | undefined; limit?: number | undefined }): SearchHit[] {
    return this.talks.search(query, { ...(opts.eventId ? { eventId: opts.eventId } : {}), limit: opts.limit ?? 10 });
  }

  detach(): void {
    this.unsubscribe?.();
  }
}

/** Lets queued I/O (requests, timers) run between chunks of a long synchronous build. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function toIndexedEvent(e: Event) {
  return { id: e.id, name: e.name, aliases: e.aliases, city: e.city, acronym: e.acronym };
}

function toIndexedTalk(t: Talk) {
  return {
    id: t.id,
    eventId: t.eventId,
    title: t.title,
    subtitle: t.subtitle,
    aliases: t.aliases,
    speakers: t.speakers,
    // Track, kind ("keynote") and the speakers' affiliations and roles ("Red Hat", "Neutron PTL") are
    // metadata people search by; they share the track field's weight.
    track:
      [t.track, t.kind, ...t.speakers.flatMap((s) => [s.affiliation, s.role])].filter(Boolean).join(' · ') || undefined,
    abstract: t.abstract,
  };
}
