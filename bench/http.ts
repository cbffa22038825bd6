/**
 * `httpTalkById`: throughput and latency of `GET /api/talks/:id` on the real app versus a bare
 * Koa + @koa/router handler serving the same JSON (same talk DTOs, precomputed in a Map).
 *
 * Method
 * - A temp data dir gets ~1,000 synthetic talks (bench/synthetic.ts, as full domain records, one in
 *   three with a published recording) committed through LowdbStore.
 * - Each server runs in its own child process (bench/http-server.ts: `app` = createServices +
 *   createApp(extraRoutes) with LOG_LEVEL silent; `bare` = Koa + router over a Map of talkDto).
 * - The load generator is a third child (bench/http-loadgen.ts) running autocannon's programmatic
 *   API: 50 connections, no pipelining, 2 s warm-up then 10 s measured, rotating over 500 distinct
 *   ids via autocannon's `requests` sequence (each connection starts at a different offset).
 *   Note: autocannon's CLI `-w` means worker threads, not warm-up; the programmatic `warmup` option is used.
 * - Servers are measured one after the other (never concurrently), alternating bare/app over
 *   `rounds` rounds; reported numbers are means over rounds, per-round values are kept.
 * - Before loading, one response of each server is fetched and compared: the bodies must be equal.
 *
 * Caveats: autocannon latencies have 1 ms resolution; on a machine with few cores the load
 * generator and the server compete for CPU (see `machine.cpus`), which caps both equally.
 */
import { isDeepStrictEqual } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import type { Result } from 'autocannon';
import { openLowdbStore, openMemoryStore } from '../src/store/open.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { runLoad, startServerChild } from './harness.ts';
import { makeTempDir, mean, progress, round, toDomain, type BenchOptions } from './util.ts';

type Mode = 'app' | 'bare';

type RoundResult = {
  reqPerSec: number;
  totalRequests: number;
  latencyAvgMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 1-minute load average when the round ended: other processes on the machine skew the numbers. */
  loadAvg1m: number;
};

const startServer = (mode: Mode, dataDir: string) => startServerChild('http-server.ts', [mode, dataDir]);
const load = runLoad;

function summarise(r: Result): RoundResult {
  return {
    reqPerSec: round(r.requests.average, 0),
    totalRequests: r.requests.total,
    latencyAvgMs: round(r.latency.average, 2),
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMaxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    loadAvg1m: round(os.loadavg()[0] ?? 0, 2),
  };
}

export async function benchHttpTalkById(opts: BenchOptions): Promise<object> {
  const talkCount = 1000;
  const distinctIds = 500;
  const connections = 50;
  const durationSec = opts.quick ? 2 : 10;
  const warmupSec = opts.quick ? 1 : 2;
  const rounds = opts.quick ? 1 : 2;

  const tmp = makeTempDir('talkreel-bench-http-');
  try {
    progress(`httpTalkById: seeding ${talkCount} talks into ${tmp.dir}`);
    const { events, talks } = toDomain(syntheticCatalogue(talkCount, 7));
    const store = await openLowdbStore({ file: path.join(tmp.dir, 'db.json') });
    await store.load({ events, talks });
    await store.close();

    // Every other talk, spread over the whole catalogue, in a shuffled-but-deterministic order.
    const step = Math.max(1, Math.floor(talks.length / distinctIds));
    const ids = talks
      .filter((_, i) => i % step === 0)
      .slice(0, distinctIds)
      .map((t) => t.id);
    const paths = ids.map((id, i) => `/api/talks/${encodeURIComponent(ids[(i * 7919) % ids.length] ?? id)}`);

    const perMode: Record<Mode, RoundResult[]> = { bare: [], app: [] };
    // Sanity: both servers must return the same body for the same id (checked in round 1).
    const probe = paths[0] ?? '/api/talks/t000001';
    const sample: Partial<Record<Mode, unknown>> = {};
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['bare', 'app'] as const) {
        const server = await startServer(mode, tmp.dir);
        try {
          if (r === 0) sample[mode] = await fetchJson(server.url + probe);
          progress(
            `httpTalkById: round ${r + 1}/${rounds} ${mode} (${server.talks} talks) — ${warmupSec}s warm-up + ${durationSec}s, ${connections} connections`,
          );
          const result = summarise(await load({ url: server.url, paths, connections, durationSec, warmupSec }));
          progress(
            `httpTalkById:   ${mode}: ${result.reqPerSec} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms`,
          );
          if (result.non2xx > 0 || result.errors > 0)
            progress(`httpTalkById:   WARNING ${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
          perMode[mode].push(result);
        } finally {
          await server.stop();
        }
      }
    }

    if (!isDeepStrictEqual(sample.app, sample.bare))
      throw new Error(`app and bare servers return different JSON for ${probe}`);

    const combine = (rs: RoundResult[]) => ({
      reqPerSec: round(mean(rs.map((x) => x.reqPerSec)), 0),
      latencyP50Ms: round(mean(rs.map((x) => x.latencyP50Ms)), 1),
      latencyP99Ms: round(mean(rs.map((x) => x.latencyP99Ms)), 1),
      latencyAvgMs: round(mean(rs.map((x) => x.latencyAvgMs)), 2),
      totalRequests: rs.reduce((s, x) => s + x.totalRequests, 0),
      non2xx: rs.reduce((s, x) => s + x.non2xx, 0),
      errors: rs.reduce((s, x) => s + x.errors, 0),
      rounds: rs,
    });
    const app = combine(perMode.app);
    const bare = combine(perMode.bare);
    return {
      setup: {
        talks: talkCount,
        distinctIds: ids.length,
        connections,
        pipelining: 1,
        warmupSec,
        durationSec,
        rounds,
        loadGenerator: 'autocannon (programmatic API) in its own child process; each server in its own child process',
      },
      app,
      bare,
      ratioAppToBare: {
        reqPerSec: round(app.reqPerSec / bare.reqPerSec, 3),
        latencyP50: round(app.latencyP50Ms / bare.latencyP50Ms, 2),
        latencyP99: round(app.latencyP99Ms / bare.latencyP99Ms, 2),
      },
    };
  } finally {
    tmp.remove();
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}
