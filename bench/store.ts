/**
 * `store`: LowdbStore write coalescing and cold start.
 *
 * (a) `updates`: a file-backed store holding N = 10,000 talks (bench/synthetic.ts as full domain
 *     records). N talk updates (new title + updatedAt, one per talk) are issued concurrently as N
 *     separate `commit` calls (`Promise.all`), then — another round of edits — as ONE commit holding
 *     all N. Reported: `issueMs` (the synchronous in-memory apply of every commit call), `durableMs`
 *     (until every commit promise resolved, i.e. the file is written), and the file writes caused
 *     (`stats().writes` delta). Run twice: store alone, and with `CatalogueIndex.attach(store)`
 *     listening to commits, as in the app.
 * (b) `coldStart`: a store file with 100,000 talks (and their 2,000 events) written by the store itself
 *     (one commit, then close); then, in a FRESH child process per run (bench/store-cold-child.ts),
 *     `LowdbStore.open` and `CatalogueIndex.attach(store)` are timed. Median over runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Talk } from '../src/catalogue/types.ts';
import { openLowdbStore, openMemoryStore } from '../src/store/open.ts';
import { CatalogueIndex } from '../src/search/catalogue-index.ts';
import { syntheticCatalogue } from './synthetic.ts';
import type { ColdStartTimings } from './store-cold-child.ts';
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

const edited = (talks: readonly Talk[], tag: string): Talk[] => {
  const at = new Date().toISOString();
  return talks.map((t) => ({ ...t, title: `${t.title} (${tag})`, updatedAt: at }));
};

async function updates(n: number, withIndex: boolean): Promise<object> {
  const tmp = makeTempDir('talkreel-bench-store-');
  try {
    const { events, talks } = toDomain(syntheticCatalogue(n, 3));
    const store = await openLowdbStore({ file: path.join(tmp.dir, 'db.json') });
    await store.load({ events, talks });
    const index = withIndex ? await CatalogueIndex.attach(store) : undefined;
    const fileMb = round(fs.statSync(path.join(tmp.dir, 'db.json')).size / 2 ** 20, 2);

    // N separate commits, all issued before any is awaited.
    const concurrentUpdates = edited(talks, 'rev 1');
    let writes0 = (await store.stats()).writes;
    let t0 = performance.now();
    const pending = concurrentUpdates.map((t) => store.updateTalk(t.id, () => t));
    const issueMs = since(t0);
    await Promise.all(pending);
    const durableMs = since(t0);
    const concurrentWrites = (await store.stats()).writes - writes0;

    // The same number of updates as one commit.
    const batchUpdates = edited(talks, 'rev 2');
    writes0 = (await store.stats()).writes;
    t0 = performance.now();
    const one = store.load({ talks: batchUpdates });
    const batchIssueMs = since(t0);
    await one;
    const batchDurableMs = since(t0);
    const batchWrites = (await store.stats()).writes - writes0;

    index?.detach();
    await store.close();
    return {
      talks: n,
      fileMb,
      concurrentCommits: {
        commits: n,
        issueMs: ms(issueMs),
        durableMs: ms(durableMs),
        fileWrites: concurrentWrites,
        perUpdateUs: round((durableMs * 1000) / n, 1),
      },
      batchedCommit: {
        commits: 1,
        issueMs: ms(batchIssueMs),
        durableMs: ms(batchDurableMs),
        fileWrites: batchWrites,
        perUpdateUs: round((batchDurableMs * 1000) / n, 1),
      },
    };
  } finally {
    tmp.remove();
  }
}

const isTimings = (m: unknown): m is ColdStartTimings => typeof m === 'object' && m !== null && 'openMs' in m;

async function coldStart(n: number, runs: number): Promise<object> {
  const tmp = makeTempDir('talkreel-bench-cold-');
  try {
    const file = path.join(tmp.dir, 'db.json');
    progress(`store: writing a ${n}-talk store file`);
    const { events, talks } = toDomain(syntheticCatalogue(n, 5));
    const t0 = performance.now();
    const store = await openLowdbStore({ file });
    await store.load({ events, talks });
    await store.close();
    const writeMs = since(t0);
    const fileMb = round(fs.statSync(file).size / 2 ** 20, 1);

    const results: ColdStartTimings[] = [];
    for (let r = 0; r < runs; r++) {
      const child = forkChild('store-cold-child.ts', [file]);
      try {
        const timings = await nextMessage(child, isTimings, 300_000);
        if (timings.talks !== n) throw new Error(`cold start child saw ${timings.talks} talks, expected ${n}`);
        progress(
          `store:   cold start run ${r + 1}/${runs}: open ${ms(timings.openMs)} ms, index ${ms(timings.indexMs)} ms`,
        );
        results.push(timings);
      } finally {
        await stopChild(child);
      }
    }
    const openMs = median(results.map((x) => x.openMs));
    const indexMs = median(results.map((x) => x.indexMs));
    return {
      talks: n,
      events: events.length,
      fileMb,
      writeMs: ms(writeMs),
      runs,
      openMs: ms(openMs),
      indexAttachMs: ms(indexMs),
      totalMs: ms(median(results.map((x) => x.openMs + x.indexMs))),
      heapUsedAfterMb: median(results.map((x) => x.heapUsedMb)),
      note: 'each run in a fresh child process (cold module cache and JIT); median over runs',
    };
  } finally {
    tmp.remove();
  }
}

export async function benchStore(opts: BenchOptions): Promise<object> {
  const n = opts.quick ? 2_000 : 10_000;
  const coldN = opts.quick ? 10_000 : 100_000;
  progress(`store: ${n} updates, store alone`);
  const storeOnly = await updates(n, false);
  progress(`store: ${n} updates, with CatalogueIndex attached`);
  const withIndex = await updates(n, true);
  const cold = await coldStart(coldN, opts.quick ? 1 : 3);
  return { updates: { storeOnly, withIndexAttached: withIndex }, coldStart: cold };
}
