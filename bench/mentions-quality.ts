/**
 * `mentionQuality`: precision / recall of recap-post mention detection on two hand-labelled sets,
 * reported side by side (`summary`, then each set in full):
 * - `tuned`: bench/fixtures/posts/ (below) — the set the detector was developed and tuned on.
 * - `heldout`: bench/fixtures/heldout/posts/ with ALL catalogues loaded (the tuned catalogue plus
 *   bench/fixtures/heldout/catalogue/: Elbe Hackdays 2023, frab XML; Alpes Libres 2024, pretalx
 *   JSON). 19 posts in English, German, French, Spanish, Japanese and Russian, same label format.
 *   NEVER tune on it (bench/fixtures/heldout/README.md): its misses and false positives are printed
 *   so the kinds of failure show; fix the kind, do not edit the data to fit.
 * - `fresh`: bench/fixtures/fresh/posts/ with ALL catalogues loaded (tuned, held-out and
 *   bench/fixtures/fresh/catalogue/: Grachten Code 2023, frab XML; Lago Libero 2024, pretalx JSON).
 *   12 posts in English, Dutch, German, French, Italian and Korean, same label format. Written after
 *   the held-out set had been looked at while fixing matchers; NEVER tune or debug on it.
 * - `blind`: bench/fixtures/blind/posts/ with ALL catalogues loaded (tuned, held-out, fresh and
 *   bench/fixtures/blind/catalogue/: Odra Hackfest 2024, frab XML; Azahar Libre 2025, pretalx JSON).
 *   19 posts in nine languages, same label format, written by someone who never read the matchers;
 *   NEVER tune or debug on it (bench/fixtures/blind/README.md).
 *
 * Data of the tuned set (bench/fixtures/posts/)
 * - `catalogue/events.json`: the events to create (with their aliases) and the schedule file to
 *   import into each: the demo event from data/seed (event.json + its schedule.xml, read from there)
 *   plus four invented conferences (two frab schedule.xml, two c3voc/pretalx schedule.json; 156
 *   talks in all) that overlap on purpose: the same speaker at several events and twice at one
 *   event, shared first names (five Marks, three Annas), near-identical surnames (McClain/McLean),
 *   generic and near-duplicate titles ("Introduction to …", "Lightning Talks", "Opening Keynote"),
 *   accented names.
 * - `*.html|*.md|*.txt`: recap posts written for this benchmark (HTML pages with navigation,
 *   sidebars, related posts, comments and share buttons; Markdown; plain text), including posts
 *   that mention no catalogued talk at all.
 * - `labels.json`: per post, the talks a careful human would link (`expected`, by schedule guid),
 *   talks named only in passing or ambiguously (`acceptable`: neither a miss if absent nor a false
 *   positive if found), the event the post is about (`event`), and the traps each mention exercises.
 *
 * Method
 * - Fresh services over a temp data dir (`createServices`, jobs off, public URL
 *   https://talkreel.example so Talkreel links in the posts resolve); events created through the
 *   catalogue, schedules imported with `services.importSchedule`; guids resolved to talk ids with
 *   `store.resolveTalk`.
 * - Every post goes through `services.posts.detect` (`html` for .html files, `text` otherwise) twice:
 *   without an event hint (the primary score: the detector must work out the event itself) and with
 *   the labelled `event` as `eventId` (posts without one run unhinted in both passes).
 * - Counting per (post, talk): TP = reported and expected; FP = reported, neither expected nor
 *   acceptable; FN = expected, not reported. Precision, recall, F1 are micro-averaged over all posts.
 *   Also reported at higher confidence cut-offs, per trap (recall for mention traps; false positives
 *   in posts carrying a post-level trap such as related-posts or comment-form), and per post.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices, type Services } from '../src/app/services.ts';
import type { EventInput } from '../src/catalogue/catalogue.ts';
import type { Mention } from '../src/posts/types.ts';
import { BENCH_DIR, PROJECT_ROOT, makeTempDir, ms, progress, round, since, type BenchOptions } from './util.ts';

export const POSTS_DIR = path.join(BENCH_DIR, 'fixtures', 'posts');
export const CATALOGUE_DIR = path.join(POSTS_DIR, 'catalogue');
/** The held-out set (bench/fixtures/heldout/README.md): never tune a matcher on it. */
export const HELDOUT_DIR = path.join(BENCH_DIR, 'fixtures', 'heldout');
export const HELDOUT_CATALOGUE_DIR = path.join(HELDOUT_DIR, 'catalogue');
const HELDOUT_POSTS_DIR = path.join(HELDOUT_DIR, 'posts');
/**
 * The fresh set (bench/fixtures/fresh/README.md), written after the held-out set had been looked at
 * while fixing matchers: never tune or debug a matcher on it.
 */
export const FRESH_DIR = path.join(BENCH_DIR, 'fixtures', 'fresh');
export const FRESH_CATALOGUE_DIR = path.join(FRESH_DIR, 'catalogue');
const FRESH_POSTS_DIR = path.join(FRESH_DIR, 'posts');
/** The blind set (bench/fixtures/blind/README.md), written without reading the matchers: never tune or debug on it. */
export const BLIND_DIR = path.join(BENCH_DIR, 'fixtures', 'blind');
export const BLIND_CATALOGUE_DIR = path.join(BLIND_DIR, 'catalogue');
const BLIND_POSTS_DIR = path.join(BLIND_DIR, 'posts');
export const PUBLIC_URL = 'https://talkreel.example';

/**
 * The labelled sets: `tuned` (bench/fixtures/posts, its own catalogue), `heldout`
 * (bench/fixtures/heldout/posts, with the tuned and held-out catalogues loaded) and `fresh`
 * (bench/fixtures/fresh/posts, with ALL catalogues loaded: tuned, held-out and fresh).
 */
const SETS = {
  tuned: { postsDir: POSTS_DIR, catalogueDirs: [CATALOGUE_DIR] },
  heldout: { postsDir: HELDOUT_POSTS_DIR, catalogueDirs: [CATALOGUE_DIR, HELDOUT_CATALOGUE_DIR] },
  fresh: { postsDir: FRESH_POSTS_DIR, catalogueDirs: [CATALOGUE_DIR, HELDOUT_CATALOGUE_DIR, FRESH_CATALOGUE_DIR] },
  blind: {
    postsDir: BLIND_POSTS_DIR,
    catalogueDirs: [CATALOGUE_DIR, HELDOUT_CATALOGUE_DIR, FRESH_CATALOGUE_DIR, BLIND_CATALOGUE_DIR],
  },
} as const;

type Manifest = { events: ({ seed: string } | (EventInput & { id: string; schedule: string }))[] };
type LabelTalk = { guid: string; talk?: string; note?: string; traps?: string[]; why?: string };
type PostLabel = { event?: string; url?: string; traps?: string[]; expected: LabelTalk[]; acceptable?: LabelTalk[] };

type TalkInfo = { id: string; title: string; eventId: string; speakers: string };

/** Build services over a temp dir and import the labelled catalogue(s) (default: the tuned one). */
export async function loadLabelledCatalogue(catalogueDirs: readonly string[] = [CATALOGUE_DIR]): Promise<{
  services: Services;
  talks: Map<string, TalkInfo>;
  remove: () => void;
  events: number;
}> {
  const tmp = makeTempDir('talkreel-bench-mentions-');
  const config = loadConfig({
    TALKREEL_DATA_DIR: tmp.dir,
    TALKREEL_JOBS: 'off',
    TALKREEL_PUBLIC_URL: PUBLIC_URL,
    LOG_LEVEL: 'silent',
    // Quality only: the worker finds the same (test/http/detect-worker.test.ts).
    TALKREEL_DETECT_WORKER: 'off',
  });
  const services = await createServices(config, createLogger('silent'));
  let events = 0;
  for (const catalogueDir of catalogueDirs) {
    events += await importCatalogue(services, catalogueDir);
  }
  const talks = new Map<string, TalkInfo>();
  for (const t of await services.store.allTalks()) {
    talks.set(t.id, {
      id: t.id,
      title: t.title,
      eventId: t.eventId,
      speakers: t.speakers.map((s) => s.name).join(', '),
    });
  }
  return {
    services,
    talks,
    events,
    remove: () => tmp.remove(),
  };
}

/** Create the events of `<catalogueDir>/events.json` and import their schedules; returns the event count. */
export async function importCatalogue(services: Services, catalogueDir: string): Promise<number> {
  const manifest = JSON.parse(fs.readFileSync(path.join(catalogueDir, 'events.json'), 'utf8')) as Manifest;
  let events = 0;
  for (const entry of manifest.events) {
    let input: EventInput & { id: string };
    let scheduleFile: string;
    if ('seed' in entry) {
      const seedFile = path.join(PROJECT_ROOT, entry.seed);
      const seed = JSON.parse(fs.readFileSync(seedFile, 'utf8')) as EventInput & { id: string; schedule: string };
      const { schedule, ...rest } = seed;
      input = rest;
      scheduleFile = path.join(path.dirname(seedFile), schedule);
    } else {
      const { schedule, ...rest } = entry;
      input = rest;
      scheduleFile = path.join(catalogueDir, schedule);
    }
    await services.catalogue.createEvent(input);
    await services.importSchedule(fs.readFileSync(scheduleFile, 'utf8'), { eventId: input.id });
    events += 1;
  }
  return events;
}

type Counts = { tp: number; fp: number; fn: number };
const prf = (c: Counts): { precision: number; recall: number; f1: number } => {
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: round(precision, 3), recall: round(recall, 3), f1: round(f1, 3) };
};

type PostRun = {
  file: string;
  label: PostLabel;
  expected: Map<string, LabelTalk>;
  acceptable: Map<string, LabelTalk>;
  mentions: readonly Mention[];
  ms: number;
};

function score(runs: readonly PostRun[], minConfidence = 0): Counts & { acceptableFound: number } {
  const c = { tp: 0, fp: 0, fn: 0, acceptableFound: 0 };
  for (const r of runs) {
    const found = new Set(r.mentions.filter((m) => m.confidence >= minConfidence).map((m) => m.talkId));
    for (const id of found) {
      if (r.expected.has(id)) c.tp += 1;
      else if (r.acceptable.has(id)) c.acceptableFound += 1;
      else c.fp += 1;
    }
    for (const id of r.expected.keys()) if (!found.has(id)) c.fn += 1;
  }
  return c;
}

function report(runs: readonly PostRun[], talks: Map<string, TalkInfo>): object {
  const all = score(runs);
  const byThreshold: Record<string, object> = {};
  for (const t of [0.5, 0.6, 0.7, 0.8, 0.9]) {
    const c = score(runs, t);
    byThreshold[`>=${t}`] = { ...prf(c), tp: c.tp, fp: c.fp, fn: c.fn };
  }

  // Mention traps: recall per trap.
  const trapStats = new Map<string, { expected: number; found: number }>();
  // Post-level traps: false positives in the posts that carry them.
  const postTrapStats = new Map<string, { posts: number; reported: number; fp: number }>();
  const falsePositives: object[] = [];
  const misses: object[] = [];
  const acceptableReported: object[] = [];
  const perPost: Record<string, object> = {};
  const talkLabel = (id: string): string => {
    const t = talks.get(id);
    return t ? `${t.title} — ${t.speakers} [${t.eventId}]` : id;
  };
  for (const r of runs) {
    const byTalk = new Map(r.mentions.map((m) => [m.talkId, m]));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [id, lt] of r.expected) {
      const hit = byTalk.has(id);
      if (hit) tp += 1;
      else {
        fn += 1;
        misses.push({ post: r.file, talk: talkLabel(id), traps: lt.traps ?? [], note: lt.note });
      }
      for (const trap of lt.traps ?? []) {
        const s = trapStats.get(trap) ?? { expected: 0, found: 0 };
        s.expected += 1;
        if (hit) s.found += 1;
        trapStats.set(trap, s);
      }
    }
    for (const m of r.mentions) {
      if (r.expected.has(m.talkId)) continue;
      const entry = {
        post: r.file,
        talk: talkLabel(m.talkId),
        confidence: round(m.confidence, 3),
        evidence: m.evidence,
        snippet: m.snippet,
      };
      if (r.acceptable.has(m.talkId)) acceptableReported.push({ ...entry, why: r.acceptable.get(m.talkId)?.why });
      else {
        fp += 1;
        falsePositives.push(entry);
      }
    }
    for (const trap of r.label.traps ?? []) {
      const s = postTrapStats.get(trap) ?? { posts: 0, reported: 0, fp: 0 };
      s.posts += 1;
      s.reported += r.mentions.length;
      s.fp += fp;
      postTrapStats.set(trap, s);
    }
    perPost[r.file] = { expected: r.expected.size, reported: r.mentions.length, tp, fp, fn, ms: ms(r.ms) };
  }
  const byTrap = Object.fromEntries(
    [...trapStats.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([k, v]) => [k, { expected: v.expected, found: v.found, recall: round(v.found / v.expected, 3) }]),
  );
  const byPostTrap = Object.fromEntries(
    [...postTrapStats.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([k, v]) => [k, { posts: v.posts, reported: v.reported, falsePositives: v.fp }]),
  );
  const evidenceOf = (kind: 'tp' | 'fp'): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const r of runs) {
      for (const m of r.mentions) {
        const isTp = r.expected.has(m.talkId);
        const isFp = !isTp && !r.acceptable.has(m.talkId);
        if ((kind === 'tp' && isTp) || (kind === 'fp' && isFp)) {
          const key = [...m.evidence].sort().join('+') || '(none)';
          counts[key] = (counts[key] ?? 0) + 1;
        }
      }
    }
    return counts;
  };
  return {
    ...prf(all),
    tp: all.tp,
    fp: all.fp,
    fn: all.fn,
    acceptableFound: all.acceptableFound,
    byThreshold,
    evidence: { truePositives: evidenceOf('tp'), falsePositives: evidenceOf('fp') },
    byTrap,
    byPostTrap,
    perPost,
    falsePositives,
    misses,
    acceptableReported,
  };
}

/**
 * The labelled sets, side by side: `tuned` (the fixtures the matchers were developed on), `heldout`
 * (bench/fixtures/heldout: never tuned on, but looked at while fixing matchers) and `fresh`
 * (bench/fixtures/fresh: written afterwards, unseen). Misses are listed so the kinds of failure
 * show, but the data must not be edited to fit. `summary` repeats the headline figures.
 */
export async function benchMentionQuality(opts: BenchOptions): Promise<object> {
  const tuned = (await benchMentionSet('tuned', opts)) as Record<string, Record<string, unknown>>;
  const heldout = (await benchMentionSet('heldout', opts)) as Record<string, Record<string, unknown>>;
  const fresh = (await benchMentionSet('fresh', opts)) as Record<string, Record<string, unknown>>;
  const blind = (await benchMentionSet('blind', opts)) as Record<string, Record<string, unknown>>;
  const headline = (r: Record<string, Record<string, unknown>>) => {
    const pick = (x: Record<string, unknown> | undefined) => ({
      precision: x?.['precision'],
      recall: x?.['recall'],
      f1: x?.['f1'],
      tp: x?.['tp'],
      fp: x?.['fp'],
      fn: x?.['fn'],
    });
    return { withoutEventHint: pick(r['withoutEventHint']), withEventHint: pick(r['withEventHint']) };
  };
  const summary = {
    tuned: headline(tuned),
    heldout: headline(heldout),
    fresh: headline(fresh),
    blind: headline(blind),
  };
  progress(
    `mentionQuality: without hint — tuned P ${summary.tuned.withoutEventHint.precision} R ${summary.tuned.withoutEventHint.recall}; heldout P ${summary.heldout.withoutEventHint.precision} R ${summary.heldout.withoutEventHint.recall}; fresh P ${summary.fresh.withoutEventHint.precision} R ${summary.fresh.withoutEventHint.recall}; blind P ${summary.blind.withoutEventHint.precision} R ${summary.blind.withoutEventHint.recall}`,
  );
  return { summary, tuned, heldout, fresh, blind };
}

async function benchMentionSet(set: keyof typeof SETS, _opts: BenchOptions): Promise<object> {
  const { postsDir, catalogueDirs } = SETS[set];
  const t0 = performance.now();
  const { services, talks, events, remove } = await loadLabelledCatalogue(catalogueDirs);
  try {
    const importMs = since(t0);
    progress(
      `mentionQuality[${set}]: catalogue of ${talks.size} talks in ${events} events imported in ${ms(importMs)} ms`,
    );
    const labels = JSON.parse(fs.readFileSync(path.join(postsDir, 'labels.json'), 'utf8')) as Record<
      string,
      PostLabel | string
    >;

    // Resolve every labelled guid; an unresolved guid is a broken label, not a detector miss.
    const resolve = async (lt: LabelTalk, file: string): Promise<string> => {
      const talk = await services.store.findTalk(lt.guid);
      if (!talk) throw new Error(`labels.json: ${file}: guid ${lt.guid} (${lt.talk ?? '?'}) is not in the catalogue`);
      return talk.id;
    };
    const files = fs
      .readdirSync(postsDir)
      .filter((f) => /\.(html|md|txt)$/.test(f))
      .sort();
    const unlabelled = files.filter((f) => !(f in labels));
    if (unlabelled.length > 0) throw new Error(`labels.json has no entry for ${unlabelled.join(', ')}`);

    const prepared: {
      file: string;
      body: string;
      label: PostLabel;
      expected: Map<string, LabelTalk>;
      acceptable: Map<string, LabelTalk>;
    }[] = [];
    const brokenTalkreelLinks: string[] = [];
    for (const file of files) {
      const label = labels[file] as PostLabel;
      const expected = new Map<string, LabelTalk>();
      for (const lt of label.expected) expected.set(await resolve(lt, file), lt);
      const acceptable = new Map<string, LabelTalk>();
      for (const lt of label.acceptable ?? []) acceptable.set(await resolve(lt, file), lt);
      if (label.event && !(await services.store.getEvent(label.event)))
        throw new Error(`labels.json: ${file}: unknown event ${label.event}`);
      const body = fs.readFileSync(path.join(postsDir, file), 'utf8');
      // Talkreel links carry ids assigned at import: check they still resolve, or the label is stale.
      for (const m of body.matchAll(/talkreel\.example\/t\/([a-z0-9_-]+)/g)) {
        const id = m[1] ?? '';
        const talk = await services.store.findTalk(id);
        if (!talk || !(expected.has(talk.id) || acceptable.has(talk.id))) brokenTalkreelLinks.push(`${file}: ${id}`);
      }
      prepared.push({ file, body, label, expected, acceptable });
    }
    if (brokenTalkreelLinks.length > 0)
      progress(
        `mentionQuality[${set}]: WARNING Talkreel links not resolving to a labelled talk: ${brokenTalkreelLinks.join('; ')}`,
      );

    const run = async (withHint: boolean): Promise<PostRun[]> => {
      const runs: PostRun[] = [];
      for (const p of prepared) {
        const input = {
          ...(p.file.endsWith('.html') ? { html: p.body } : { text: p.body }),
          ...(p.label.url ? { url: p.label.url } : {}),
          ...(withHint && p.label.event ? { eventId: p.label.event } : {}),
        };
        const start = performance.now();
        const mentions = await services.posts.detect(input);
        runs.push({
          file: p.file,
          label: p.label,
          expected: p.expected,
          acceptable: p.acceptable,
          mentions,
          ms: since(start),
        });
      }
      return runs;
    };
    // One untimed pass first so per-post times are not JIT warm-up.
    await run(false);
    const unhinted = await run(false);
    const hinted = await run(true);

    const expectedCount = prepared.reduce((s, p) => s + p.expected.size, 0);
    const acceptableCount = prepared.reduce((s, p) => s + p.acceptable.size, 0);
    const words = prepared.map(
      (p) =>
        p.body
          .replace(/<[^>]*>/g, ' ')
          .split(/\s+/)
          .filter(Boolean).length,
    );
    return {
      catalogue: { events, talks: talks.size, importMs: ms(importMs) },
      posts: prepared.length,
      postsWithoutMentions: prepared.filter((p) => p.expected.size === 0).length,
      expectedMentions: expectedCount,
      acceptableMentions: acceptableCount,
      wordsPerPost: { min: Math.min(...words), max: Math.max(...words) },
      brokenTalkreelLinks,
      detectMsPerPost: ms(unhinted.reduce((s, r) => s + r.ms, 0) / unhinted.length),
      withoutEventHint: report(unhinted, talks),
      withEventHint: report(hinted, talks),
    };
  } finally {
    await services.close();
    remove();
  }
}
