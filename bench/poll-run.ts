/**
 * `pollRun`: one `RecordingPoller.run({ kind: 'all' })` over 1,000 recording sources (200 in --quick).
 *
 * Setup (per configuration, fresh temp data dir, `createServices` with
 * TALKREEL_ALLOW_PRIVATE_NETWORK=on, LOG_LEVEL=silent, TALKREEL_JOBS=off):
 * - a synthetic catalogue of 20 events × 50 talks (bench/synthetic.ts, seed 5; 4 × 50 in --quick),
 *   committed as domain records (bench/util.ts `toDomain`);
 * - 1,000 `youtube` sources, 50 per event, committed in ONE store commit with the fields
 *   `SourceService.addSource` gives them (adding them one by one costs a durable commit each,
 *   ~1,000 file writes of setup, and is not what is measured);
 * - every source is a YouTube-shaped Atom feed of 15 entries served by ONE node:http server in a
 *   child process (bench/poll-feed-server.ts) on 127.0.0.1:0, so all 1,000 sources share one host.
 *   Source i: `i % 4 ∈ {0,1}` fixed content + ETag, answering 304 to a matching If-None-Match
 *   (half the sources); `2` a new upload on every request and a new ETag; `3` fixed content without
 *   validators (always 200).
 *
 * Per configuration: a warm-up run (every source answers 200; items are matched, recordings
 * linked, ETags stored), then the measured runs (`secondRun`, and runs 3..n in full mode, which
 * have the same workload). For each run: wall time of `poller.run`, split at the last response
 * into `fetchPhaseMs` (fetch + parse under the concurrency caps) and `applyAndCommitMs` (loading
 * talks, matching/applying items, the durable commit) — measured by wrapping `services.http.get`;
 * store commits it reports; file writes it caused (`(await store.stats()).writes` delta after
 * `store.flush()`); per-status source counts; items/matched/unmatched totals; and what the server
 * saw (requests, conditional requests, 304s). `parseOnly` is the in-process CPU cost of parsing
 * every feed once (no network), for scale.
 *
 * Configurations: the poller of `createServices` (defaults: 8 requests in flight overall, 2 per
 * host — with one host the per-host cap is the bottleneck), and RecordingPollers built with the
 * same deps but `concurrency`/`perHost` raised (8/8, and 32/32), since the services' poller takes no
 * concurrency settings from the config. Each runs against the server answering at once
 * (`serverLatency0ms`: CPU-bound, 3 measured runs in full mode) and answering after 50 ms
 * (`serverLatency50ms`: what a remote host's round trip does to a 2-per-host cap; 1 measured run).
 * Every configuration starts from a fresh data dir and fresh per-source server state.
 */
import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices, type Services } from '../src/app/services.ts';
import { RecordingPoller, type PollRun, type SourceRunResult } from '../src/recordings/poller.ts';
import { emptyHealth, type Source } from '../src/recordings/types.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { feedFactory, modeOf, type SourceMode } from './poll-feed-server.ts';
import { parseYoutubeFeed } from '../src/recordings/youtube.ts';
import {
  forkChild,
  makeTempDir,
  median,
  ms,
  nextMessage,
  progress,
  round,
  since,
  stopChild,
  toDomain,
  type BenchOptions,
} from './util.ts';

const SEED = 5;
const TALKS_PER_EVENT = 50;

type Ready = { ready: true; port: number };
type ServerStats = Record<
  string,
  { requests: number; ok: number; notModified: number; conditional: number; notFound: number }
>;
const isReady = (m: unknown): m is Ready => typeof m === 'object' && m !== null && 'ready' in m && 'port' in m;
const isStats = (m: unknown): m is { stats: ServerStats } => typeof m === 'object' && m !== null && 'stats' in m;

type Config = { name: string; concurrency?: number; perHost?: number; latencyMs: number; runs: number };

/** Added to every answer of the server in the second group of configurations (a remote host's round trip). */
const LATENCY_MS = 50;

async function serverStats(child: ChildProcess, prefix: string): Promise<ServerStats[string]> {
  const reply = nextMessage(child, isStats, 10_000);
  child.send({ stats: true });
  return (await reply).stats[prefix] ?? { requests: 0, ok: 0, notModified: 0, conditional: 0, notFound: 0 };
}

/** Timestamps of the outbound requests, recorded by wrapping `services.http.get` (the pollers share that object). */
type FetchTimes = { started: number[]; ended: number[] };

function instrumentHttp(services: Services): FetchTimes {
  const times: FetchTimes = { started: [], ended: [] };
  const http = services.http as { get: Services['http']['get'] };
  const get = http.get.bind(http);
  http.get = async (req) => {
    times.started.push(performance.now());
    try {
      return await get(req);
    } finally {
      times.ended.push(performance.now());
    }
  };
  return times;
}

async function measuredRun(
  services: Services,
  poller: RecordingPoller,
  child: ChildProcess,
  prefix: string,
  times: FetchTimes,
) {
  await services.store.flush();
  const before = await services.store.stats();
  const server0 = await serverStats(child, prefix);
  times.started.length = 0;
  times.ended.length = 0;
  const t0 = performance.now();
  const run: PollRun = await poller.run({ kind: 'all' });
  const t1 = performance.now();
  const wallMs = t1 - t0;
  const lastResponse = Math.max(t0, ...times.ended);
  await services.store.flush();
  const after = await services.store.stats();
  const server1 = await serverStats(child, prefix);
  if (run.status !== 'ok') throw new Error(`poll run skipped: ${run.reason}`);
  const count = (s: string): number => run.results.filter((r) => r.status === s).length;
  const sum = (f: (r: SourceRunResult) => number): number => run.results.reduce((n, r) => n + f(r), 0);
  const errors = [...new Set(run.results.flatMap((r) => (r.error ? [r.error] : [])))].slice(0, 3);
  return {
    wallMs: ms(wallMs),
    perSourceMs: ms(wallMs / Math.max(1, run.results.length)),
    /** Run start → last response received (fetching and parsing, throttled by the caps). */
    fetchPhaseMs: ms(lastResponse - t0),
    /** Last response → run resolved: last parse, loading talks/contexts, matching/applying every item, the durable commit. */
    applyAndCommitMs: ms(t1 - lastResponse),
    requestsMade: times.started.length,
    sources: run.results.length,
    ok: count('ok'),
    notModified: count('not-modified'),
    failed: count('failed'),
    skipped: count('skipped'),
    storeCommits: run.storeCommits,
    storeFileWrites: after.writes - before.writes,
    itemsParsed: sum((r) => r.items),
    itemsMatched: sum((r) => r.matched),
    itemsUnmatched: sum((r) => r.unmatched),
    talksNewlyPublished: sum((r) => r.published.length),
    server: {
      requests: server1.requests - server0.requests,
      answered200: server1.ok - server0.ok,
      answered304: server1.notModified - server0.notModified,
      conditionalRequests: server1.conditional - server0.conditional,
    },
    ...(errors.length > 0 ? { sampleErrors: errors } : {}),
  };
}

export async function benchPollRun(opts: BenchOptions): Promise<object> {
  const events = opts.quick ? 4 : 20;
  const sourceCount = opts.quick ? 200 : 1000;
  const talkCount = events * TALKS_PER_EVENT;
  const cat = syntheticCatalogue(talkCount, SEED);
  const domain = toDomain(cat);
  const perEvent = Math.ceil(sourceCount / events);
  const measuredRuns = opts.quick ? 2 : 3;

  progress(`pollRun: starting the feed server child (${sourceCount} feeds)`);
  const child = forkChild('poll-feed-server.ts', [String(talkCount), String(sourceCount), String(SEED)]);
  try {
    const { port } = await nextMessage(child, isReady, 60_000);
    const configs: Config[] = [
      { name: 'defaultConcurrency8PerHost2', latencyMs: 0, runs: measuredRuns },
      { name: 'concurrency8PerHost8', concurrency: 8, perHost: 8, latencyMs: 0, runs: measuredRuns },
      { name: 'defaultConcurrency8PerHost2', latencyMs: LATENCY_MS, runs: 1 },
      { name: 'concurrency8PerHost8', concurrency: 8, perHost: 8, latencyMs: LATENCY_MS, runs: 1 },
      { name: 'concurrency32PerHost32', concurrency: 32, perHost: 32, latencyMs: LATENCY_MS, runs: 1 },
    ];
    const out: Record<string, Record<string, unknown>> = {};
    for (const [k, cfg] of configs.entries()) {
      const prefix = `c${k}-l${cfg.latencyMs}`;
      const group = `serverLatency${cfg.latencyMs}ms`;
      const label = `${cfg.name} (+${cfg.latencyMs} ms)`;
      const tmp = makeTempDir('talkreel-bench-poll-');
      const config = loadConfig({
        TALKREEL_DATA_DIR: tmp.dir,
        TALKREEL_ALLOW_PRIVATE_NETWORK: 'on',
        LOG_LEVEL: 'silent',
        TALKREEL_JOBS: 'off',
      });
      const services = await createServices(config, createLogger('silent'));
      try {
        const now = new Date().toISOString();
        await services.store.load({ events: domain.events, talks: domain.talks });
        const sources: Source[] = Array.from({ length: sourceCount }, (_, i) => ({
          id: `src_bench${String(i).padStart(5, '0')}`,
          eventId: domain.events[Math.min(events - 1, Math.floor(i / perEvent))]!.id,
          kind: 'youtube',
          url: `http://127.0.0.1:${port}/${prefix}/feeds/videos.xml?channel_id=s${i}`,
          schedule: config.pollCron,
          cache: {},
          health: emptyHealth(),
          createdAt: now,
        }));
        await services.store.load({ sources });
        await services.store.flush();

        const times = instrumentHttp(services);
        const poller =
          cfg.concurrency === undefined
            ? services.poller
            : new RecordingPoller({
                store: services.store,
                http: services.http,
                clock: services.clock,
                logger: services.logger.child({ module: 'poller' }),
                index: services.index.talks,
                publicUrl: config.publicUrl,
                concurrency: cfg.concurrency,
                perHost: cfg.perHost,
              });
        progress(`pollRun: ${label}: warm-up run`);
        const warmUp = await measuredRun(services, poller, child, prefix, times);
        progress(
          `pollRun: ${label}:   warm-up ${warmUp.wallMs} ms (${warmUp.ok} ok, ${warmUp.failed} failed, ${warmUp.storeFileWrites} writes)`,
        );
        const measured = [];
        for (let r = 0; r < cfg.runs; r++) {
          const m = await measuredRun(services, poller, child, prefix, times);
          progress(
            `pollRun: ${label}:   run ${r + 2}: ${m.wallMs} ms (fetch ${m.fetchPhaseMs} ms + apply/commit ${m.applyAndCommitMs} ms): ${m.ok} ok / ${m.notModified} not-modified / ${m.failed} failed, ${m.storeCommits} commits, ${m.storeFileWrites} file writes`,
          );
          measured.push(m);
        }
        const first = measured[0]!;
        (out[group] ??= {})[cfg.name] = {
          concurrency: cfg.concurrency ?? 8,
          perHost: cfg.perHost ?? 2,
          poller:
            cfg.concurrency === undefined
              ? 'services.poller (createServices defaults)'
              : 'new RecordingPoller(services deps + concurrency/perHost)',
          secondRun: first,
          ...(measured.length > 1
            ? {
                repeatedRuns: {
                  note: 'runs 2..n have the same workload (304s, one new upload per changing source, same static content)',
                  wallMs: measured.map((m) => m.wallMs),
                  medianWallMs: ms(median(measured.map((m) => m.wallMs))),
                  fetchPhaseMs: measured.map((m) => m.fetchPhaseMs),
                  applyAndCommitMs: measured.map((m) => m.applyAndCommitMs),
                  storeFileWrites: measured.map((m) => m.storeFileWrites),
                },
              }
            : {}),
          warmUpRun: warmUp,
        };
      } finally {
        await services.close();
        tmp.remove();
      }
    }
    const modes = new Map<SourceMode, number>();
    for (let i = 0; i < sourceCount; i++) modes.set(modeOf(i), (modes.get(modeOf(i)) ?? 0) + 1);
    const wall = (group: string, name: string): number => {
      const r = out[group]?.[name] as
        { secondRun: { wallMs: number }; repeatedRuns?: { medianWallMs: number } } | undefined;
      return r?.repeatedRuns?.medianWallMs ?? r?.secondRun.wallMs ?? NaN;
    };
    const speedups = (group: string) => ({
      perHost8VsDefault: round(wall(group, 'defaultConcurrency8PerHost2') / wall(group, 'concurrency8PerHost8'), 2),
      ...(out[group]?.['concurrency32PerHost32']
        ? {
            perHost32VsDefault: round(
              wall(group, 'defaultConcurrency8PerHost2') / wall(group, 'concurrency32PerHost32'),
              2,
            ),
          }
        : {}),
    });
    for (const group of Object.keys(out))
      out[group]!['speedup'] = { note: 'default wall / raised wall (median of the measured runs)', ...speedups(group) };
    // CPU cost of parsing every feed once, in this process, for scale (no network, no matching).
    const factory = feedFactory(talkCount, sourceCount, SEED);
    const bodies = Array.from({ length: sourceCount }, (_, i) => factory.body(i, 1));
    parseYoutubeFeed(bodies[0]!);
    const tp = performance.now();
    let parsedItems = 0;
    for (const b of bodies) parsedItems += parseYoutubeFeed(b).length;
    const parseAllMs = since(tp);
    return {
      note: `secondRun = the poll run after a warm-up run stored ETags and linked recordings; one local host serves every source, answering at once (serverLatency0ms) or after ${LATENCY_MS} ms (serverLatency${LATENCY_MS}ms, like a remote host)`,
      counters:
        'itemsMatched counts every item linked to a talk, including ones already linked (refreshed, not re-matched); itemsUnmatched are re-matched on every run that gets a 200',
      sources: sourceCount,
      events,
      talks: talkCount,
      entriesPerFeed: 15,
      sourceModes: {
        etag304: modes.get('etag') ?? 0,
        changingEveryRun: modes.get('changing') ?? 0,
        staticWithoutValidators: modes.get('static') ?? 0,
      },
      feedKb: Math.round(bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / sourceCount / 102.4) / 10,
      parseOnly: {
        feeds: sourceCount,
        items: parsedItems,
        totalMs: ms(parseAllMs),
        perFeedMs: ms(parseAllMs / sourceCount),
      },
      ...out,
    };
  } finally {
    await stopChild(child);
  }
}
