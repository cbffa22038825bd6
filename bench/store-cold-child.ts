/**
 * Cold-start child of the `store` benchmark (forked by bench/store.ts with an IPC channel):
 * `store-cold-child.ts <file>` times `LowdbStore.open` (as the server does: with the lock; nothing is written) and
 * `CatalogueIndex.attach(store)` in a fresh process, sends the timings and exits.
 */
import { openLowdbStore, openMemoryStore } from '../src/store/open.ts';
import { CatalogueIndex } from '../src/search/catalogue-index.ts';
import { childGuards, heapUsedMb } from './util.ts';

export type ColdStartTimings = { openMs: number; indexMs: number; talks: number; heapUsedMb: number };

async function main(): Promise<void> {
  childGuards();
  const file = process.argv[2];
  if (!file) throw new Error('usage: store-cold-child.ts <db.json>');
  const t0 = performance.now();
  const store = await openLowdbStore({ file });
  const t1 = performance.now();
  const index = await CatalogueIndex.attach(store);
  const t2 = performance.now();
  const timings: ColdStartTimings = {
    openMs: t1 - t0,
    indexMs: t2 - t1,
    talks: index.talks.size,
    heapUsedMb: heapUsedMb(),
  };
  index.detach();
  await store.close();
  process.send?.(timings, () => process.exit(0));
}

await main();
