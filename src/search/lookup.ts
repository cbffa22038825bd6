import type { Event, Talk } from '../catalogue/types.ts';
import type { CatalogueReader } from '../catalogue/store-port.ts';
import { notFound } from '../platform/errors.ts';
import type { CatalogueIndex } from './catalogue-index.ts';
import { normalizeText } from '../text/normalize.ts';

export type LookupResult = {
  readonly talk: Talk;
  readonly event: Event | undefined;
  readonly score: number;
  readonly matched: readonly string[];
};

export type LookupDeps = {
  readonly index: CatalogueIndex;
  readonly store: Pick<CatalogueReader, 'getEvent' | 'getTalks' | 'getEvents' | 'findTalk'>;
  /** Resolves URLs (schedule pages, recordings in any provider shape) and schedule slugs to a talk id. */
  readonly mentions?: { talkOfRef(ref: string): string | undefined };
};

/** Ranked hits looked at for a talk whose whole title is the query. */
const TITLE_WINDOW = 5;

/** Rank talks for free text (speaker, partial or misspelt title, event words) from the index. */
export async function lookupTalks(
  deps: LookupDeps,
  query: string,
  opts: { eventId?: string | undefined; limit: number },
): Promise<readonly LookupResult[]> {
  if (opts.eventId && !(await deps.store.getEvent(opts.eventId)))
    throw notFound('EVENT_NOT_FOUND', 'event', opts.eventId);
  // A query that names one talk exactly (id, earlier id, guid, slug, schedule or recording URL)
  // answers that talk first, with full confidence; the ranked text matches follow.
  const q = query.trim();
  const exact = (await deps.store.findTalk(q)) ?? (await findByRef(deps, q));
  const exactHit = exact && (!opts.eventId || exact.eventId === opts.eventId) ? exact : undefined;
  // A few more than asked for, so that a whole-title match ranked just below still comes first.
  const hits = deps.index
    .search(query, { eventId: opts.eventId, limit: Math.max(opts.limit, TITLE_WINDOW) })
    .filter((h) => h.id !== exactHit?.id);
  // Two reads for the whole page, whatever the store (one round trip each on PostgreSQL).
  const talks = new Map((await deps.store.getTalks(hits.map((h) => h.id))).map((t) => [t.id, t]));
  const events = new Map((await deps.store.getEvents([...talks.values()].map((t) => t.eventId))).map((e) => [e.id, e]));
  // A query that is a talk's whole title (as normalised) names that talk rather than another whose
  // title merely starts with it (a sequel, "… for Everyone"): stable, so the ranking stays otherwise.
  const wanted = normalizeText(q);
  const isTitle = (id: string): boolean => normalizeText(talks.get(id)?.title ?? '') === wanted;
  hits.sort((a, b) => Number(isTitle(b.id)) - Number(isTitle(a.id)));
  hits.splice(exactHit ? opts.limit - 1 : opts.limit);
  const results: LookupResult[] = [];
  if (exactHit) {
    const event = (await deps.store.getEvents([exactHit.eventId]))[0];
    results.push({ talk: exactHit, event, score: 1, matched: ['exact reference'] });
  }
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

async function findByRef(deps: LookupDeps, ref: string) {
  const id = deps.mentions?.talkOfRef(ref);
  return id ? deps.store.findTalk(id) : undefined;
}
