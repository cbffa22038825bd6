/**
 * `lookupQuality`: top-1 / top-3 of free-text lookup (`lookupTalks`, what `/api/lookup?q=` runs) on
 * the HELD-OUT query set bench/fixtures/heldout/lookup/queries.json (see bench/fixtures/heldout/README.md:
 * never tune on it) and the FRESH query set bench/fixtures/fresh/lookup/queries.json (written after
 * the held-out set had been looked at; all three catalogues loaded), and the BLIND query set
 * bench/fixtures/blind/lookup/queries.json (written without reading the matchers; all four catalogues
 * loaded; see bench/fixtures/blind/README.md), side by side.
 *
 * Data
 * - Catalogue: every catalogue the mention benchmark knows — the tuned one (bench/fixtures/posts/catalogue,
 *   as distractors) and the held-out one (bench/fixtures/heldout/catalogue: Elbe Hackdays 2023, frab
 *   XML; Alpes Libres 2024, pretalx JSON), created and imported with `importCatalogue`.
 * - `queries.json`: `recordings` — recordings linked by hand (`services.sources.linkRecording`) before
 *   querying, as an organiser would have, so recording-URL queries have something to resolve to;
 *   `queries` — mangled, real-style queries (`q`) with the schedule guid of the talk a person typing
 *   it wants (`expect`), a `kind` and a `note`.
 *
 * Method: fresh services over a temp dir (`createServices`, jobs off); each query goes through
 * `lookupTalks(services, q, { limit: 10 })` once untimed, then once timed. Reported: top-1 and top-3
 * (rank of the expected talk among the results), per kind, and every query whose expected talk is not
 * first (with what came first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { lookupTalks, type LookupResult } from '../src/search/lookup.ts';
import {
  BLIND_CATALOGUE_DIR,
  BLIND_DIR,
  FRESH_CATALOGUE_DIR,
  FRESH_DIR,
  HELDOUT_CATALOGUE_DIR,
  HELDOUT_DIR,
  POSTS_DIR,
  importCatalogue,
} from './mentions-quality.ts';
import { makeTempDir, median, ms, progress, round, since, type BenchOptions } from './util.ts';

/**
 * The query sets: `heldout` (tuned + held-out catalogues) and `fresh` (bench/fixtures/fresh, written
 * after the held-out set had been looked at; ALL catalogues loaded). Never tune on either.
 */
const SETS = {
  heldout: {
    queriesFile: path.join(HELDOUT_DIR, 'lookup', 'queries.json'),
    catalogueDirs: [path.join(POSTS_DIR, 'catalogue'), HELDOUT_CATALOGUE_DIR],
  },
  fresh: {
    queriesFile: path.join(FRESH_DIR, 'lookup', 'queries.json'),
    catalogueDirs: [path.join(POSTS_DIR, 'catalogue'), HELDOUT_CATALOGUE_DIR, FRESH_CATALOGUE_DIR],
  },
  blind: {
    queriesFile: path.join(BLIND_DIR, 'lookup', 'queries.json'),
    catalogueDirs: [path.join(POSTS_DIR, 'catalogue'), HELDOUT_CATALOGUE_DIR, FRESH_CATALOGUE_DIR, BLIND_CATALOGUE_DIR],
  },
} as const;

type QueryFile = {
  recordings: { talk: string; url: string; title?: string }[];
  queries: { q: string; expect: string; kind: string; note?: string }[];
};

/** Both query sets, side by side; `summary` repeats top-1 / top-3 of each. */
export async function benchLookupQuality(opts: BenchOptions): Promise<object> {
  const heldout = (await benchLookupSet('heldout', opts)) as Record<string, unknown>;
  const fresh = (await benchLookupSet('fresh', opts)) as Record<string, unknown>;
  const blind = (await benchLookupSet('blind', opts)) as Record<string, unknown>;
  const pick = (r: Record<string, unknown>) => ({ queries: r['queries'], top1: r['top1'], top3: r['top3'] });
  return { summary: { heldout: pick(heldout), fresh: pick(fresh), blind: pick(blind) }, heldout, fresh, blind };
}

async function benchLookupSet(set: keyof typeof SETS, _opts: BenchOptions): Promise<object> {
  const data = JSON.parse(fs.readFileSync(SETS[set].queriesFile, 'utf8')) as QueryFile;
  const tmp = makeTempDir('talkreel-bench-lookupq-');
  const config = loadConfig({ TALKREEL_DATA_DIR: tmp.dir, TALKREEL_JOBS: 'off', LOG_LEVEL: 'silent' });
  const services = await createServices(config, createLogger('silent'));
  try {
    const t0 = performance.now();
    let events = 0;
    for (const dir of SETS[set].catalogueDirs) events += await importCatalogue(services, dir);
    for (const r of data.recordings) {
      await services.sources.linkRecording(r.talk, { url: r.url, ...(r.title ? { title: r.title } : {}) });
    }
    const talks = await services.store.allTalks();
    progress(`lookupQuality[${set}]: ${talks.length} talks in ${events} events imported in ${ms(since(t0))} ms`);

    const resolved = [];
    for (const q of data.queries) {
      const talk = await services.store.findTalk(q.expect);
      if (!talk) throw new Error(`queries.json: "${q.q}" expects ${q.expect}, which is not in the catalogue`);
      resolved.push({ ...q, talkId: talk.id, title: talk.title });
    }
    const search = (q: string) => lookupTalks(services, q, { limit: 10 });
    for (const q of resolved) await search(q.q); // warm-up
    type Sample = {
      q: (typeof resolved)[number];
      rank: number;
      elapsed: number;
      first: LookupResult | undefined;
      error: string | undefined;
    };
    const samples: Sample[] = [];
    for (const q of resolved) {
      const start = performance.now();
      let results: readonly LookupResult[] = [];
      let error: string | undefined;
      try {
        results = await search(q.q);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const elapsed = since(start);
      const rank = results.findIndex((r) => r.talk.id === q.talkId) + 1;
      samples.push({ q, rank, elapsed, first: results[0], error });
    }
    const frac = (xs: readonly Sample[], f: (s: Sample) => boolean) => `${xs.filter(f).length}/${xs.length}`;
    const top1 = (xs: readonly Sample[]) => frac(xs, (s) => s.rank === 1);
    const top3 = (xs: readonly Sample[]) => frac(xs, (s) => s.rank >= 1 && s.rank <= 3);
    const kinds = [...new Set(samples.map((s) => s.q.kind))].sort();
    const byKind = Object.fromEntries(
      kinds.map((k) => {
        const xs = samples.filter((s) => s.q.kind === k);
        return [k, { queries: xs.length, top1: top1(xs), top3: top3(xs) }];
      }),
    );
    const result = {
      set,
      catalogue: { events, talks: talks.length, recordingsLinkedByHand: data.recordings.length },
      queries: samples.length,
      top1: top1(samples),
      top3: top3(samples),
      top1Rate: round(samples.filter((s) => s.rank === 1).length / Math.max(1, samples.length), 3),
      top3Rate: round(samples.filter((s) => s.rank >= 1 && s.rank <= 3).length / Math.max(1, samples.length), 3),
      medianMs: ms(median(samples.map((s) => s.elapsed))),
      byKind,
      notFirst: samples
        .filter((s) => s.rank !== 1)
        .map((s) => ({
          q: s.q.q,
          kind: s.q.kind,
          expected: s.q.title,
          rank: s.rank || null,
          first: s.first ? `${s.first.talk.title} [${s.first.talk.eventId}]` : null,
          ...(s.error ? { error: s.error } : {}),
          note: s.q.note,
        })),
    };
    progress(`lookupQuality: ${set} top-1 ${result.top1}, top-3 ${result.top3}`);
    return result;
  } finally {
    await services.close();
    tmp.remove();
  }
}
