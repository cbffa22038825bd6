import pLimit, { type LimitFunction } from 'p-limit';
import type { CatalogueReader } from '../catalogue/store-port.ts';
import type { RecordingReader, RecordingStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import type { FeedHealth, Source, UnmatchedRecording } from './types.ts';
import { attachRecording } from './recording.ts';
import type { TalkIndex } from '../search/talk-index.ts';
import { buildEventContext, matchRecording, type EventMatchContext } from './match.ts';
import type { RecordingItem } from './source.ts';
import { SourceParseError } from './source.ts';
import { sources as registry } from './registry.ts';
import { backoffDelayMs, retryAfterMs } from './backoff.ts';
import { nextCronRun } from './next-run.ts';

export type PollerDeps = {
  readonly store: RecordingStore;
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly index: TalkIndex;
  readonly publicUrl: string;
  /** Requests in flight overall. @default 8 */
  readonly concurrency?: number;
  /** Requests in flight per host. @default 2 */
  readonly perHost?: number;
  readonly random?: () => number;
};

export type SourceRunResult = {
  readonly sourceId: string;
  readonly eventId: string;
  readonly status: 'ok' | 'not-modified' | 'failed' | 'skipped';
  readonly items: number;
  readonly matched: number;
  readonly published: readonly string[];
  readonly unmatched: number;
  readonly error?: string | undefined;
};

export type PollRun =
  | { readonly status: 'ok'; readonly results: readonly SourceRunResult[]; readonly storeCommits: number }
  | { readonly status: 'skipped'; readonly reason: string };

export type PollSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'due'; readonly schedule?: string | undefined }
  | { readonly kind: 'ids'; readonly ids: readonly string[] };

/**
 * Polls recording sources and applies what they report.
 *
 * - Runs never overlap: a run asked for while one is going waits for it (manual/push triggers) or
 *   is skipped (cron ticks).
 * - Each request is bounded (client timeout and size cap), concurrency is capped overall and per host.
 * - Conditional GETs: a 304 costs no parse and no store write.
 * - A failing source backs off exponentially (capped) and recovers on its own; others go on.
 * - All changes of a run land in one atomic store commit.
 * - Manual decisions (links, unlinks) are never undone by a poll.
 */
export class RecordingPoller {
  private chain: Promise<unknown> = Promise.resolve();
  private running = false;
  /** Health fields that change on every poll (last poll, next poll) are kept here, not written each time. */
  private readonly live = new Map<string, Partial<FeedHealth>>();
  private readonly limit: LimitFunction;
  private readonly hostLimits = new Map<string, LimitFunction>();
  /** Aborted by `stop()`: in-flight fetches end at once on shutdown; applying results still completes. */
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: PollerDeps) {
    this.limit = pLimit(deps.concurrency ?? 8);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * A source's health: stored fields overlaid with the live ones. `nextPollAt` is the next cron tick
   * of its schedule, or the end of its backoff if that is later.
   */
  health(source: Source): FeedHealth {
    const merged = { ...source.health, ...this.live.get(source.id) };
    const tick = nextCronRun(source.schedule, this.deps.clock.now());
    const backoff = merged.nextPollAt ? Date.parse(merged.nextPollAt) : 0;
    const next = tick && tick.getTime() > backoff ? tick.toISOString() : merged.nextPollAt;
    return { ...merged, nextPollAt: next };
  }

  /**
   * Poll the selected sources. With `skipIfRunning` (cron ticks) a run already going means this one
   * is skipped; otherwise it is queued behind it.
   */
  run(selection: PollSelection, opts: { skipIfRunning?: boolean; signal?: AbortSignal } = {}): Promise<PollRun> {
    if (opts.skipIfRunning && this.running)
      return Promise.resolve({ status: 'skipped', reason: 'the previous run is still going' });
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.shutdown.signal]) : this.shutdown.signal;
    const next = this.chain.then(() => this.runNow(selection, signal));
    this.chain = next.catch((err: unknown) => this.deps.logger.error({ err }, 'poll run failed'));
    return next;
  }

  /** Wait for the current run (graceful shutdown). */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Shutdown: abort in-flight fetches, then wait for the run to record what it has. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }

  /**
   * Apply items that arrived by push (WebSub) for a source, through the same matching as a poll,
   * without touching its health or cache.
   */
  ingest(sourceId: string, items: readonly RecordingItem[]): Promise<SourceRunResult> {
    const next = this.chain.then(async () => {
      return this.deps.store.applyRecordings(async (view) => {
        const source = await view.getSource(sourceId);
        if (!source) throw new Error(`source ${sourceId} not found`);
        const work = await this.workset(view, [source]);
        const result = this.applyItems(source, items, work);
        return { ...writeOf(work, new Map()), result };
      });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runNow(selection: PollSelection, signal: AbortSignal | undefined): Promise<PollRun> {
    this.running = true;
    try {
      const now = this.deps.clock.now();
      const all = await this.deps.store.listSources();
      const chosen = all.filter((s) => {
        if (selection.kind === 'ids') return selection.ids.includes(s.id);
        if (selection.kind === 'all') return true;
        if (selection.schedule !== undefined && s.schedule !== selection.schedule) return false;
        const nextAt = { ...s.health, ...this.live.get(s.id) }.nextPollAt;
        return !nextAt || Date.parse(nextAt) <= now.getTime();
      });
      if (chosen.length === 0) return { status: 'ok', results: [], storeCommits: 0 };
      // Wait for a host slot first, then take a global one: a busy host never holds global slots idle.
      const fetched = await Promise.all(
        chosen.map((s) => this.hostLimit(s.url)(() => this.limit(() => this.fetchSource(s, signal)))),
      );
      // Matching and the write run in one transaction over current data (run again on a conflict).
      return await this.deps.store.applyRecordings(async (view) => {
        const live: Source[] = [];
        const outcomes: FetchOutcome[] = [];
        for (const [i, s] of chosen.entries()) {
          // Sources deleted while the run was fetching are not brought back.
          const current = await view.getSource(s.id);
          if (current) {
            live.push(current);
            outcomes.push(fetched[i]!);
          }
        }
        const work = await this.workset(view, live);
        const sourcePuts = new Map<string, Source>();
        const results: SourceRunResult[] = [];
        for (const [i, source] of live.entries()) {
          const outcome = outcomes[i]!;
          try {
            results.push(this.applyOutcome(source, outcome, work, sourcePuts));
          } catch (err) {
            // One bad item must not sink the run: this source fails, the others are applied.
            this.deps.logger.error({ err, sourceId: source.id }, 'applying a source failed');
            results.push(
              this.applyOutcome(
                source,
                { kind: 'failed', error: `could not apply items: ${(err as Error).message}` },
                work,
                sourcePuts,
              ),
            );
          }
        }
        const write = writeOf(work, sourcePuts);
        const commits = Object.values(write).some((v) => v.length > 0) ? 1 : 0;
        return { ...write, result: { status: 'ok' as const, results, storeCommits: commits } };
      });
    } finally {
      this.running = false;
    }
  }

  private hostLimit(url: string): LimitFunction {
    let host = '';
    try {
      host = new URL(url).host;
    } catch {
      // invalid URLs fail in fetch
    }
    let limit = this.hostLimits.get(host);
    if (!limit) this.hostLimits.set(host, (limit = pLimit(this.deps.perHost ?? 2)));
    return limit;
  }

  private async fetchSource(source: Source, signal: AbortSignal | undefined): Promise<FetchOutcome> {
    const kind = registry[source.kind];
    try {
      const res = await this.deps.http.get({
        url: source.url,
        accept: kind.accept,
        etag: source.cache.etag,
        lastModified: source.cache.lastModified,
        signal,
      });
      if (res.status === 'not-modified') return { kind: 'not-modified' };
      const items = kind.parse(res.body, res.contentType);
      return { kind: 'ok', items, cache: { etag: res.etag, lastModified: res.lastModified } };
    } catch (err) {
      // Shutting down is not the source's fault: no failure, no backoff.
      if (signal?.aborted) return { kind: 'aborted' };
      // 429 and 503 may say when to come back (RFC 9110 §10.2.3, RFC 6585 §4).
      if (err instanceof FetchError && (err.httpStatus === 429 || err.httpStatus === 503))
        return { kind: 'failed', error: err.message, retryAfter: err.retryAfter };
      if (err instanceof FetchError || err instanceof SourceParseError) return { kind: 'failed', error: err.message };
      return { kind: 'failed', error: `unexpected: ${(err as Error).message}` };
    }
  }

  private applyOutcome(
    source: Source,
    outcome: FetchOutcome,
    work: Workset,
    sourcePuts: Map<string, Source>,
  ): SourceRunResult {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const log = this.deps.logger.child({ sourceId: source.id });
    const base = { sourceId: source.id, eventId: source.eventId };
    switch (outcome.kind) {
      case 'aborted':
        return {
          ...base,
          status: 'skipped',
          items: 0,
          matched: 0,
          published: [],
          unmatched: 0,
          error: 'aborted by shutdown',
        };
      case 'not-modified': {
        this.live.set(source.id, { lastPollAt: nowIso, lastSuccessAt: nowIso, nextPollAt: undefined });
        if (source.health.consecutiveFailures > 0) {
          sourcePuts.set(source.id, {
            ...source,
            health: {
              ...source.health,
              consecutiveFailures: 0,
              lastError: undefined,
              lastPollAt: nowIso,
              lastSuccessAt: nowIso,
              nextPollAt: undefined,
            },
          });
        }
        return { ...base, status: 'not-modified', items: 0, matched: 0, published: [], unmatched: 0 };
      }
      case 'failed': {
        const failures = source.health.consecutiveFailures + 1;
        // A server's Retry-After (clamped) is a floor: never poll it sooner than it asked.
        const delay = Math.max(
          backoffDelayMs(failures, (this.deps.random ?? Math.random)()),
          retryAfterMs(outcome.retryAfter, now) ?? 0,
        );
        const nextPollAt = new Date(now.getTime() + delay).toISOString();
        const health: FeedHealth = {
          ...source.health,
          lastPollAt: nowIso,
          lastError: { at: nowIso, message: outcome.error },
          consecutiveFailures: failures,
          nextPollAt,
        };
        this.live.delete(source.id);
        sourcePuts.set(source.id, { ...source, health });
        log.warn({ failures, nextPollAt, error: outcome.error }, 'source poll failed');
        return { ...base, status: 'failed', items: 0, matched: 0, published: [], unmatched: 0, error: outcome.error };
      }
      case 'ok': {
        const result = this.applyItems(source, outcome.items, work);
        const health: FeedHealth = {
          ...source.health,
          consecutiveFailures: 0,
          lastError: source.health.consecutiveFailures > 0 ? undefined : source.health.lastError,
          itemsSeen: outcome.items.length,
          itemsMatched: result.matched,
          nextPollAt: undefined,
        };
        const cache = { etag: outcome.cache.etag, lastModified: outcome.cache.lastModified };
        const changed =
          JSON.stringify(health) !== JSON.stringify(source.health) ||
          JSON.stringify(cache) !== JSON.stringify(source.cache);
        this.live.set(source.id, { lastPollAt: nowIso, lastSuccessAt: nowIso, nextPollAt: undefined });
        if (changed)
          sourcePuts.set(source.id, {
            ...source,
            cache,
            health: { ...health, lastPollAt: nowIso, lastSuccessAt: nowIso },
          });
        return result;
      }
      default: {
        const never: never = outcome;
        return never;
      }
    }
  }

  /** Load what matching needs for the sources' events: their talks, unmatched queue and contexts. */
  private async workset(view: CatalogueReader & RecordingReader, sources: readonly Source[]): Promise<Workset> {
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
      work.events.set(eventId, { event, ctx: buildEventContext(event, talks, this.deps.publicUrl), keyToTalk });
    }
    for (const eventId of work.events.keys())
      for (const u of await view.listUnmatched(eventId)) work.unmatched.set(u.id, u);
    return work;
  }

  private applyItems(source: Source, items: readonly RecordingItem[], work: Workset): SourceRunResult {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const ev = work.events.get(source.eventId);
    const base = { sourceId: source.id, eventId: source.eventId };
    if (!ev)
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
      const queueId = `${source.eventId}|${item.key}`;
      const queued = work.unmatched.get(queueId);
      if (queued?.dismissed) continue;
      // Already linked (by a poll, a push or a person): refresh its details, never move it.
      const knownTalkId = ev.keyToTalk.get(item.key);
      if (knownTalkId) {
        const talk = work.talks.get(knownTalkId)!;
        const existing = talk.recordings.find((r) => r.key === item.key)!;
        const res = attachRecording(talk, { ...recordingInput(item, source.id), match: existing.match }, now);
        if (res.changed) this.updateTalk(work, res.talk, res.events);
        if (queued) {
          work.unmatched.delete(queueId);
          work.unmatchedDeletes.add(queueId);
          work.unmatchedPuts.delete(queueId);
        }
        matched += 1;
        continue;
      }
      const decision = matchRecording(item, ev.ctx, this.deps.index);
      let talkId = decision.kind === 'matched' ? decision.talkId : undefined;
      let reason = decision.kind === 'unmatched' ? decision.reason : '';
      if (talkId && work.talks.get(talkId)?.rejectedRecordingKeys?.includes(item.key)) {
        reason = `a person unlinked this recording from ${talkId}`;
        talkId = undefined;
      }
      if (talkId && decision.kind === 'matched') {
        const talk = work.talks.get(talkId)!;
        const res = attachRecording(talk, { ...recordingInput(item, source.id), match: decision.match }, now);
        if (res.changed) {
          this.updateTalk(work, res.talk, res.events);
          if (res.events.some((e) => e.type === 'recording.published')) published.push(talkId);
        }
        ev.keyToTalk.set(item.key, talkId);
        if (queued) {
          work.unmatched.delete(queueId);
          work.unmatchedDeletes.add(queueId);
          work.unmatchedPuts.delete(queueId);
        }
        matched += 1;
        continue;
      }
      unmatched += 1;
      const entry: UnmatchedRecording = {
        id: queueId,
        eventId: source.eventId,
        sourceId: source.id,
        key: item.key,
        url: item.url,
        provider: item.provider,
        title: item.title,
        description: item.description?.slice(0, 1000),
        publishedAt: item.publishedAt,
        candidates: decision.candidates,
        reason,
        firstSeenAt: queued?.firstSeenAt ?? nowIso,
        lastSeenAt: queued?.lastSeenAt ?? nowIso,
      };
      // Re-polling the same content writes nothing: only a changed entry is stored.
      if (!queued || JSON.stringify({ ...queued, lastSeenAt: '' }) !== JSON.stringify({ ...entry, lastSeenAt: '' })) {
        const stored = { ...entry, lastSeenAt: nowIso };
        work.unmatched.set(queueId, stored);
        work.unmatchedPuts.set(queueId, stored);
      }
    }
    this.deps.logger.debug({ sourceId: source.id, items: items.length, matched, unmatched }, 'source applied');
    return { ...base, status: 'ok', items: items.length, matched, published, unmatched };
  }

  private updateTalk(work: Workset, talk: Talk, events: readonly DomainEvent[]): void {
    work.talks.set(talk.id, talk);
    work.changedTalks.add(talk.id);
    work.domainEvents.push(...events);
    const ev = work.events.get(talk.eventId);
    if (ev) for (const r of talk.recordings) ev.keyToTalk.set(r.key, talk.id);
  }
}

/** What a run writes: changed talks, sources' health, queue changes and domain events. */
function writeOf(work: Workset, sourcePuts: Map<string, Source>) {
  return {
    talks: [...work.changedTalks].map((id) => work.talks.get(id)!),
    sources: [...sourcePuts.values()],
    unmatched: [...work.unmatchedPuts.values()],
    unmatchedDeletes: [...work.unmatchedDeletes],
    domainEvents: work.domainEvents,
  };
}

type FetchOutcome =
  | { kind: 'ok'; items: RecordingItem[]; cache: { etag: string | undefined; lastModified: string | undefined } }
  | { kind: 'not-modified' }
  | { kind: 'aborted' }
  | { kind: 'failed'; error: string; retryAfter?: string | undefined };

type Workset = {
  events: Map<string, { event: Event; ctx: EventMatchContext; keyToTalk: Map<string, string> }>;
  talks: Map<string, Talk>;
  changedTalks: Set<string>;
  unmatched: Map<string, UnmatchedRecording>;
  unmatchedPuts: Map<string, UnmatchedRecording>;
  unmatchedDeletes: Set<string>;
  domainEvents: DomainEvent[];
};

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
