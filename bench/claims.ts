/**
 * Claims on PostgreSQL (issue 13): what taking work costs when several instances share the jobs.
 *
 * - `deliveries`: N pending deliveries due; two store objects (two "instances", one pool each)
 *   drain them all by claiming batches of 500 at once, recording each batch delivered and
 *   releasing it, like the deliverer without the sending. Reports per-claim latency under that
 *   load, deliveries per second, and checks every delivery was taken exactly once.
 * - `sources`: S due sources; one claim of 1,000 (a poll run's) and its release.
 * - `rateLimit`: sequential `countHit` upserts on a handful of keys.
 *
 * The memory adapter's numbers are given beside them as the in-process baseline.
 */
import type { Store } from '../src/store/store.ts';
import { openMemoryStore, openPostgresStore } from '../src/store/open.ts';
import type { Delivery } from '../src/notify/types.ts';
import type { Source } from '../src/recordings/types.ts';
import { createTestDatabase, stopTestPostgres } from '../test/helpers/postgres.ts';
import { ms, percentile, progress, round, type BenchOptions } from './util.ts';

const NOW = '2030-01-01T00:00:00.000Z';
const BATCH = 500;

const delivery = (i: number): Delivery => ({
  id: `d${String(i).padStart(7, '0')}`,
  channel: 'websub',
  target: 'https://hub.example/',
  content: { type: 'websub.publish', timestamp: NOW, eventId: 'ev' },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: new Date(Date.parse(NOW) - i * 1000).toISOString(),
  log: [],
  createdAt: NOW,
  updatedAt: NOW,
});

const source = (i: number): Source => ({
  id: `s${String(i).padStart(6, '0')}`,
  eventId: 'ev',
  kind: 'feed',
  url: `https://feeds.example/${i}.xml`,
  schedule: '*/15 * * * *',
  cache: {},
  health: { consecutiveFailures: 0, itemsSeen: 0, itemsMatched: 0 },
  createdAt: NOW,
});

const req = (owner: string, limit: number) => ({ owner, now: NOW, leaseMs: 120_000, limit });

async function drainDeliveries(a: Store, b: Store, n: number) {
  const latencies: number[] = [];
  const taken = new Set<string>();
  let duplicates = 0;
  const worker = async (store: Store, owner: string) => {
    for (;;) {
      const t0 = performance.now();
      const batch = await store.claimDueDeliveries(req(owner, BATCH));
      latencies.push(performance.now() - t0);
      if (batch.length === 0) return;
      for (const d of batch) taken.has(d.id) ? duplicates++ : taken.add(d.id);
      // Mark them done the way the deliverer does: record the outcome, then release.
      await store.recordDeliveries(batch.map((d) => ({ id: d.id, change: (c) => ({ ...c, status: 'delivered' }) })));
      await store.releaseLeases(
        'deliveries',
        owner,
        batch.map((d) => ({ id: d.id })),
      );
    }
  };
  const t0 = performance.now();
  await Promise.all([worker(a, 'a'), worker(b, 'b')]);
  const wall = performance.now() - t0;
  if (taken.size !== n || duplicates > 0) throw new Error(`claimed ${taken.size}/${n}, ${duplicates} twice`);
  return {
    deliveries: n,
    claimP50Ms: ms(percentile(latencies, 50)),
    claimP99Ms: ms(percentile(latencies, 99)),
    wallMs: ms(wall),
    deliveriesPerSecond: round(n / (wall / 1000), 0),
    duplicates,
  };
}

async function claimSources(store: Store, s: number) {
  const t0 = performance.now();
  const claimed = await store.claimDueSources(req('a', 1000));
  const claimMs = performance.now() - t0;
  const t1 = performance.now();
  await store.releaseLeases(
    'sources',
    'a',
    claimed.map((c) => ({ id: c.id, dueAt: '2030-01-01T00:15:00.000Z' })),
  );
  return { sources: s, claimed: claimed.length, claimMs: ms(claimMs), releaseMs: ms(performance.now() - t1) };
}

async function rateHits(store: Store, hits: number) {
  const latencies: number[] = [];
  for (let i = 0; i < hits; i++) {
    const t0 = performance.now();
    await store.countHit(`client-${i % 8}`, 60_000, Date.parse(NOW) + i);
    latencies.push(performance.now() - t0);
  }
  return { hits, p50Ms: ms(percentile(latencies, 50)), p99Ms: ms(percentile(latencies, 99)) };
}

async function run(open: () => Promise<{ a: Store; b: Store; done: () => Promise<void> }>, opts: BenchOptions) {
  const n = opts.quick ? 5_000 : 50_000;
  const s = opts.quick ? 2_000 : 10_000;
  const out: Record<string, unknown> = {};
  {
    const { a, b, done } = await open();
    await a.load({ events: [{ id: 'ev', name: 'ev', aliases: [], createdAt: NOW, updatedAt: NOW }] });
    for (let i = 0; i < n; i += 5000)
      await a.load({ deliveries: Array.from({ length: Math.min(5000, n - i) }, (_, j) => delivery(i + j)) });
    await a.load({ sources: Array.from({ length: s }, (_, i) => source(i)) });
    progress(`claims: draining ${n} deliveries with two instances`);
    out.deliveries = await drainDeliveries(a, b, n);
    progress(`claims: one poll run's claim out of ${s} due sources`);
    out.sources = await claimSources(a, s);
    out.rateLimit = await rateHits(b, opts.quick ? 500 : 2000);
    await a.close();
    await b.close();
    await done();
  }
  return out;
}

export async function benchClaims(opts: BenchOptions): Promise<object> {
  const result: Record<string, unknown> = { batch: BATCH };
  result.memory = await run(async () => {
    const a = openMemoryStore();
    return { a, b: a, done: async () => {} };
  }, opts);
  try {
    result.postgres = await run(async () => {
      const db = await createTestDatabase();
      const [a, b] = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url)]);
      return { a, b, done: () => db.drop() };
    }, opts);
  } finally {
    await stopTestPostgres();
  }
  return result;
}
