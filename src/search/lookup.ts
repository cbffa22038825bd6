import type { Event, Talk } from '../catalogue/types.ts';
import type { CatalogueReader } from '../catalogue/store-port.ts';
import { notFound } from '../platform/errors.ts';
import type { CatalogueIndex } from './catalogue-index.ts';

export type LookupResult = {
  readonly talk: Talk;
  readonly event: Event | undefined;
  readonly score: number;
  readonly matched: readonly string[];
};

export type LookupDeps = {
  readonly index: CatalogueIndex;
  readonly store: Pick<CatalogueReader, 'getEvent' | 'getTalks' | 'getEvents'>;
};

/** Rank talks for free text (speaker, partial or misspelt title, event words) from the index. */
export async function lookupTalks(
  deps: LookupDeps,
  query: string,
  opts: { eventId?: string | undefined; limit: number },
): Promise<readonly LookupResult[]> {
  if (opts.eventId && !(await deps.store.getEvent(opts.eventId)))
    throw notFound('EVENT_NOT_FOUND', 'event', opts.eventId);
  const hits = deps.index.search(query, { eventId: opts.eventId, limit: opts.limit });
  // Two reads for the whole page, whatever the store (one round trip each on PostgreSQL).
  const talks = new Map((await deps.store.getTalks(hits.map((h) => h.id))).map((t) => [t.id, t]));
  const events = new Map((await deps.store.getEvents([...talks.values()].map((t) => t.eventId))).map((e) => [e.id, e]));
  const results: LookupResult[] = [];
  for (const hit of hits) {
    const talk = talks.get(hit.id);
    if (!talk) continue;
    const event = events.get(talk.eventId);
    results.push({
      talk,
      event,
      score: hit.score,
      matched: hit.matched.map((m) => `${m.field}:${m.indexTerm}${m.via === 'exact' ? '' : ` (${m.via} "${m.term}")`}`),
    });
  }
  return results;
}
