import pLimit, { type LimitFunction } from 'p-limit';
import type { RecordingStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { HttpClient } from '../platform/http-client.ts';
import {
  claimAll,
  claimRequest,
  DEFAULT_LEASES,
  LeaseKeeper,
  type LeaseRelease,
  type LeaseSettings,
} from '../platform/lease.ts';
import type { FeedHealth, Source } from './types.ts';
import type { TalkIndex } from '../search/talk-index.ts';
import type { RecordingItem } from './source.ts';
import { fetchSource, type FetchOutcome } from './poll-fetch.ts';
import { afterFailure, afterNotModified, afterSuccess, mergedHealth, type HealthChange } from './poll-health.ts';
import type { PollRun, PollSelection, SourceRunResult } from './poll-types.ts';
import { applyItems, loadWorkset, writeOf, type Workset } from './workset.ts';

export type { PollRun, PollSelection, SourceRunResult } from './poll-types.ts';

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
  /** This instance's leases on claimed sources. @default {@link DEFAULT_LEASES} */
  readonly leases?: LeaseSettings;
};

/** Sources claimed per statement (a run claims page after page until all due are taken). */
const CLAIM_LIMIT = 1000;

/**
 * Polls recording sources and applies what they report.
 *
 * - A run polls only sources it claimed in the store (`claimDueSources`, `claimSources`): with
 *   several instances on one PostgreSQL each due source is polled by one of them, once per due
 *   time. The lease is renewed while the run goes and released with the next due time (the next
 *   tick of the source's schedule, or the end of its backoff) once the outcome is written; an
 *   instance that dies mid-poll loses its leases when they expire and another takes the sources.
 * - Runs of one instance never overlap: a run asked for while one is going waits for it
 *   (manual/push triggers) or is skipped (cron ticks).
 * - Each request is bounded (client timeout and size cap), concurrency is capped overall and per host.
 * - Conditional GETs: a 304 costs no parse and no store write (`poll-fetch.ts`).
 * - A failing source backs off exponentially (capped) and recovers on its own; others go on
 *   (`poll-health.ts`).
 * - All changes of a run land in one atomic store commit (`workset.ts` applies the items).
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
  private readonly leases: LeaseSettings;
  private readonly keeper: LeaseKeeper;

  constructor(private readonly deps: PollerDeps) {
    this.limit = pLimit(deps.concurrency ?? 8);
    this.leases = deps.leases ?? DEFAULT_LEASES;
    this.keeper = new LeaseKeeper('sources', deps.store, this.leases, deps.clock, deps.logger);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * A source's health: stored fields overlaid with the live ones. `nextPollAt` is the next cron tick
   * of its schedule, or the end of its backoff if that is later.
   */
  health(source: Source): FeedHealth {
    return mergedHealth(source, this.live.get(source.id), this.deps.clock.now());
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
        const work = await loadWorkset(view, [source], this.deps.publicUrl);
        const result = applyItems(source, items, work, this.applyDeps());
        return { ...writeOf(work, new Map()), result };
      });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runNow(selection: PollSelection, signal: AbortSignal | undefined): Promise<PollRun> {
    this.running = true;
    const { chosen, busy } = await this.claim(selection).catch((err: unknown) => {
      this.running = false;
      throw err;
    });
    const ids = chosen.map((s) => s.id);
    this.keeper.hold(ids);
    /** When each polled source is due again; absent: as it was (not polled). */
    let dueAgain = new Map<string, string | undefined>();
    try {
      if (chosen.length === 0) return { status: 'ok', results: busy, storeCommits: 0 };
      const now = this.deps.clock.now();
      // Wait for a host slot first, then take a global one: a busy host never holds global slots idle.
      const fetched = await Promise.all(
        chosen.map((s) => this.hostLimit(s.url)(() => this.limit(() => fetchSource(this.deps.http, s, signal)))),
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
        const work = await loadWorkset(view, live, this.deps.publicUrl);
        const sourcePuts = new Map<string, Source>();
        const results: SourceRunResult[] = [...busy];
        dueAgain = new Map();
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
          // Aborted by shutdown: due as before, so another instance (or the next start) polls it.
          if (outcome.kind !== 'aborted') {
            const after = sourcePuts.get(source.id) ?? source;
            dueAgain.set(source.id, mergedHealth(after, this.live.get(source.id), now).nextPollAt);
          }
        }
        const write = writeOf(work, sourcePuts);
        const commits = Object.values(write).some((v) => v.length > 0) ? 1 : 0;
        return { ...write, result: { status: 'ok' as const, results, storeCommits: commits } };
      });
    } finally {
      this.keeper.drop(ids);
      const releases: LeaseRelease[] = ids.map((id) => ({ id, dueAt: dueAgain.get(id) }));
      await this.deps.store
        .releaseLeases('sources', this.leases.owner, releases)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'releasing source leases failed; they expire'));
      this.running = false;
    }
  }

  /** Claim the selected sources; those another instance holds are answered as skipped. */
  private async claim(selection: PollSelection): Promise<{ chosen: Source[]; busy: SourceRunResult[] }> {
    const req = claimRequest(this.leases, this.deps.clock, CLAIM_LIMIT);
    if (selection.kind === 'due')
      return { chosen: await claimAll(req, (r) => this.deps.store.claimDueSources(r, selection.schedule)), busy: [] };
    const all = selection.kind === 'all' ? await this.deps.store.listSources() : undefined;
    const ids = selection.kind === 'ids' ? selection.ids : (all ?? []).map((s) => s.id);
    const { claimed, busy } = await this.deps.store.claimSources(ids, { ...req, limit: Math.max(ids.length, 1) });
    const held = await Promise.all(
      busy.map(async (id) => all?.find((s) => s.id === id) ?? this.deps.store.getSource(id)),
    );
    return {
      chosen: claimed,
      busy: held.flatMap((s) =>
        s
          ? [
              {
                sourceId: s.id,
                eventId: s.eventId,
                status: 'skipped' as const,
                items: 0,
                matched: 0,
                published: [],
                unmatched: 0,
                error: 'another instance is polling this source',
              },
            ]
          : [],
      ),
    };
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

  private applyOutcome(
    source: Source,
    outcome: FetchOutcome,
    work: Workset,
    sourcePuts: Map<string, Source>,
  ): SourceRunResult {
    const now = this.deps.clock.now();
    const empty = { items: 0, matched: 0, published: [], unmatched: 0 };
    const base = { sourceId: source.id, eventId: source.eventId };
    switch (outcome.kind) {
      case 'aborted':
        return { ...base, status: 'skipped', ...empty, error: 'aborted by shutdown' };
      case 'not-modified':
        this.record(source, afterNotModified(source, now), sourcePuts);
        return { ...base, status: 'not-modified', ...empty };
      case 'failed': {
        const change = afterFailure(source, outcome, now, (this.deps.random ?? Math.random)());
        this.record(source, change, sourcePuts);
        this.deps.logger
          .child({ sourceId: source.id })
          .warn(
            { failures: change.failures, nextPollAt: change.nextPollAt, error: outcome.error },
            'source poll failed',
          );
        return { ...base, status: 'failed', ...empty, error: outcome.error };
      }
      case 'ok': {
        const result = applyItems(source, outcome.items, work, this.applyDeps());
        const seen = { items: outcome.items.length, matched: result.matched };
        this.record(source, afterSuccess(source, seen, outcome.cache, now), sourcePuts);
        return result;
      }
      default: {
        const never: never = outcome;
        return never;
      }
    }
  }

  /** Keep (or forget) the live health fields, and queue the source for the write when it changed. */
  private record(source: Source, change: HealthChange, sourcePuts: Map<string, Source>): void {
    if (change.live) this.live.set(source.id, change.live);
    else this.live.delete(source.id);
    if (change.put) sourcePuts.set(source.id, change.put);
  }

  private applyDeps() {
    return { index: this.deps.index, logger: this.deps.logger, now: this.deps.clock.now() };
  }
}
