import type { CatalogueReader } from '../catalogue/store-port.ts';
import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import type { Logger } from '../platform/logger.ts';
import type { TalkIndex } from '../search/talk-index.ts';
import { buildEventContext, matchRecording, type EventMatchContext } from './match.ts';
import type { SourceRunResult } from './poll-types.ts';
import { attachRecording } from './recording.ts';
import type { RecordingItem } from './source.ts';
import type { RecordingReader } from './store-port.ts';
import type { Source, UnmatchedRecording } from './types.ts';

/**
 * Applying reported items inside one store transaction: the workset holds what matching needs for
 * the sources' events (talks, unmatched queue, match contexts) and collects what the write changes.
 * Items already linked (by a poll, a push or a person) are refreshed, never moved; new ones are
 * matched; unlinked keys are never re-linked to the talk a person took them from; the rest waits in
 * the unmatched queue, rewritten only when its entry changed.
 */

/** The sources' events with their talks, the unmatched queue, and what changed so far. */
export type Workset = {
  events: Map<string, { event: Event; ctx: EventMatchContext; keyToTalk: Map<string, string> }>;
  talks: Map<string, Talk>;
  changedTalks: Set<string>;
  unmatched: Map<string, UnmatchedRecording>;
  unmatchedPuts: Map<string, UnmatchedRecording>;
  unmatchedDeletes: Set<string>;
  domainEvents: DomainEvent[];
};

export type ApplyDeps = {
  readonly index: TalkIndex;
  readonly logger: Logger;
  readonly now: Date;
};

/** Load what matching needs for the sources' events: their talks, unmatched queue and contexts. */
export async function loadWorkset(
  view: CatalogueReader & RecordingReader,
  sources: readonly Source[],
  publicUrl: string,
): Promise<Workset> {
  const work: Workset = {
    events: new Map(),
    talks: new Map(),
    changedTalks: new Set(),
    unmatched: new Map(),
    unmatchedPuts: new Map(),
    unmatchedDeletes: new Set(),
    domainEvents: [],
  };
  for (const eventId of new Set(sources.map((s) => s.eventId))) {
    const event = await view.getEvent(eventId);
    if (!event) continue;
    const talks = await view.talksOfEvent(eventId);
    for (const t of talks) work.talks.set(t.id, t);
    const keyToTalk = new Map<string, string>();
    for (const t of talks) for (const r of t.recordings) keyToTalk.set(r.key, t.id);
    work.events.set(eventId, { event, ctx: buildEventContext(event, talks, publicUrl), keyToTalk });
  }
  for (const eventId of work.events.keys())
    for (const u of await view.listUnmatched(eventId)) work.unmatched.set(u.id, u);
  return work;
}

/** Apply a source's items (duplicates by key ignored) to the workset. */
export function applyItems(
  source: Source,
  items: readonly RecordingItem[],
  work: Workset,
  deps: ApplyDeps,
): SourceRunResult {
  const base = { sourceId: source.id, eventId: source.eventId };
  if (!work.events.has(source.eventId))
    return {
      ...base,
      status: 'failed',
      items: items.length,
      matched: 0,
      published: [],
      unmatched: 0,
      error: `event ${source.eventId} is gone`,
    };
  let matched = 0;
  let unmatched = 0;
  const published: string[] = [];
  const seenKeys = new Set<string>();
  for (const item of items) {
    if (seenKeys.has(item.key)) continue;
    seenKeys.add(item.key);
    const outcome = applyItem(source, item, work, deps);
    if (outcome.kind === 'matched') {
      matched += 1;
      if (outcome.published) published.push(outcome.published);
    } else if (outcome.kind === 'unmatched') unmatched += 1;
  }
  deps.logger.debug({ sourceId: source.id, items: items.length, matched, unmatched }, 'source applied');
  return { ...base, status: 'ok', items: items.length, matched, published, unmatched };
}

type ItemOutcome =
  | { readonly kind: 'dismissed' }
  | { readonly kind: 'matched'; readonly published: string | undefined }
  | { readonly kind: 'unmatched' };

function applyItem(source: Source, item: RecordingItem, work: Workset, deps: ApplyDeps): ItemOutcome {
  const ev = work.events.get(source.eventId)!;
  const queueId = `${source.eventId}|${item.key}`;
  const queued = work.unmatched.get(queueId);
  if (queued?.dismissed) return { kind: 'dismissed' };
  // Already linked (by a poll, a push or a person): refresh its details, never move it.
  const knownTalkId = ev.keyToTalk.get(item.key);
  if (knownTalkId) {
    const talk = work.talks.get(knownTalkId)!;
    const existing = talk.recordings.find((r) => r.key === item.key)!;
    const res = attachRecording(talk, { ...recordingInput(item, source.id), match: existing.match }, deps.now);
    if (res.changed) updateTalk(work, res.talk, res.events);
    if (queued) dequeue(work, queueId);
    return { kind: 'matched', published: undefined };
  }
  const decision = matchRecording(item, ev.ctx, deps.index);
  let talkId = decision.kind === 'matched' ? decision.talkId : undefined;
  let reason = decision.kind === 'unmatched' ? decision.reason : '';
  if (talkId && work.talks.get(talkId)?.rejectedRecordingKeys?.includes(item.key)) {
    reason = `a person unlinked this recording from ${talkId}`;
    talkId = undefined;
  }
  if (talkId && decision.kind === 'matched') {
    const talk = work.talks.get(talkId)!;
    const res = attachRecording(talk, { ...recordingInput(item, source.id), match: decision.match }, deps.now);
    let published: string | undefined;
    if (res.changed) {
      updateTalk(work, res.talk, res.events);
      if (res.events.some((e) => e.type === 'recording.published')) published = talkId;
    }
    ev.keyToTalk.set(item.key, talkId);
    if (queued) dequeue(work, queueId);
    return { kind: 'matched', published };
  }
  const nowIso = deps.now.toISOString();
  enqueue(work, unmatchedEntry(source, item, queued, decision.candidates, reason, nowIso), queued, nowIso);
  return { kind: 'unmatched' };
}

function unmatchedEntry(
  source: Source,
  item: RecordingItem,
  queued: UnmatchedRecording | undefined,
  candidates: UnmatchedRecording['candidates'],
  reason: string,
  nowIso: string,
): UnmatchedRecording {
  return {
    id: `${source.eventId}|${item.key}`,
    eventId: source.eventId,
    sourceId: source.id,
    key: item.key,
    url: item.url,
    provider: item.provider,
    title: item.title,
    description: item.description?.slice(0, 1000),
    publishedAt: item.publishedAt,
    candidates,
    reason,
    firstSeenAt: queued?.firstSeenAt ?? nowIso,
    lastSeenAt: queued?.lastSeenAt ?? nowIso,
  };
}

/** Queue an unmatched item. Re-polling the same content writes nothing: only a changed entry is stored. */
function enqueue(
  work: Workset,
  entry: UnmatchedRecording,
  queued: UnmatchedRecording | undefined,
  nowIso: string,
): void {
  if (queued && JSON.stringify({ ...queued, lastSeenAt: '' }) === JSON.stringify({ ...entry, lastSeenAt: '' })) return;
  const stored = { ...entry, lastSeenAt: nowIso };
  work.unmatched.set(entry.id, stored);
  work.unmatchedPuts.set(entry.id, stored);
}

function dequeue(work: Workset, queueId: string): void {
  work.unmatched.delete(queueId);
  work.unmatchedDeletes.add(queueId);
  work.unmatchedPuts.delete(queueId);
}

function updateTalk(work: Workset, talk: Talk, events: readonly DomainEvent[]): void {
  work.talks.set(talk.id, talk);
  work.changedTalks.add(talk.id);
  work.domainEvents.push(...events);
  const ev = work.events.get(talk.eventId);
  if (ev) for (const r of talk.recordings) ev.keyToTalk.set(r.key, talk.id);
}

/** What a run writes: changed talks, sources' health, queue changes and domain events. */
export function writeOf(work: Workset, sourcePuts: ReadonlyMap<string, Source>) {
  return {
    talks: [...work.changedTalks].map((id) => work.talks.get(id)!),
    sources: [...sourcePuts.values()],
    unmatched: [...work.unmatchedPuts.values()],
    unmatchedDeletes: [...work.unmatchedDeletes],
    domainEvents: work.domainEvents,
  };
}

function recordingInput(item: RecordingItem, sourceId: string) {
  return {
    url: item.url,
    key: item.key,
    provider: item.provider,
    embedUrl: item.embedUrl,
    language: item.language,
    title: item.title,
    publishedAt: item.publishedAt,
    sourceId,
  };
}
