/**
 * Child of the `storeAdapters` benchmark (forked by bench/store-adapters.ts with an IPC channel):
 * `store-adapters-child.ts <memory|lowdb|postgres> <file|url|-> <talks> <queries>` opens the store
 * as the server does, builds the search index, times lookups, sends the numbers and exits.
 */
import { openLowdbStore, openMemoryStore, openPostgresStore } from '../src/store/open.ts';
import { CatalogueIndex } from '../src/search/catalogue-index.ts';
import { lookupTalks } from '../src/search/lookup.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { makeQueries } from './lookup.ts';
import { childGuards, heapUsedMb, ms, percentile, round, toDomain } from './util.ts';

export type AdapterColdStart = {
  talks: number;
  openMs: number;
  indexMs: number;
  toServingMs: number;
  lookup: { queries: number; p50Ms: number; p99Ms: number; top1: number };
  heapUsedMb: number;
  rssMb: number;
};

async function main(): Promise<void> {
  childGuards();
  const [adapter, target, talksArg, queriesArg] = process.argv.slice(2);
  const n = Number(talksArg);
  const catalogue = syntheticCatalogue(n, 5);
  const t0 = performance.now();
  const store =
    adapter === 'lowdb'
      ? await openLowdbStore({ file: target! })
      : adapter === 'postgres'
        ? await openPostgresStore(target!)
        : openMemoryStore();
  if (adapter === 'memory') await store.load(toDomain(catalogue));
  const t1 = performance.now();
  const index = await CatalogueIndex.attach(store);
  const t2 = performance.now();
  const queries = makeQueries(catalogue.talks, Number(queriesArg), 4242);
  const deps = { index, store };
  for (const q of queries) await lookupTalks(deps, q.text, { limit: 10 });
  const times: number[] = [];
  let top1 = 0;
  for (const q of queries) {
    const s = performance.now();
    const results = await lookupTalks(deps, q.text, { limit: 10 });
    times.push(performance.now() - s);
    if (results[0]?.talk.id === q.sourceId) top1 += 1;
  }
  const timings: AdapterColdStart = {
    talks: index.talks.size,
    openMs: ms(adapter === 'memory' ? 0 : t1 - t0),
    indexMs: ms(t2 - t1),
    toServingMs: ms(t2 - (adapter === 'memory' ? t1 : t0)),
    lookup: {
      queries: queries.length,
      p50Ms: round(percentile(times, 50), 3),
      p99Ms: round(percentile(times, 99), 3),
      top1: round(top1 / queries.length, 3),
    },
    heapUsedMb: heapUsedMb(),
    rssMb: round(process.memoryUsage().rss / 2 ** 20, 0),
  };
  index.detach();
  await store.close();
  process.send?.(timings, () => process.exit(0));
}

await main();
