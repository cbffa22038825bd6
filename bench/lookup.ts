/**
 * `lookup`: latency and quality of `TalkIndex.search` on a synthetic catalogue (bench/synthetic.ts).
 *
 * Method
 * - One catalogue of 100,000 talks (seed 1) is generated; smaller catalogues are its first 1k / 10k
 *   talks (and their events), so they are nested.
 * - Queries are derived deterministically from catalogue talks, round-robin over five kinds:
 *   `surname` (a speaker's surname alone), `surnameTitleWord` (surname + one content word of the
 *   title), `partialTitle` (3 consecutive title words, from titles of ≥ 4 words), `misspeltTitle`
 *   (the whole title with one word of ≥ 5 letters given a one-letter edit: substitution, deletion or
 *   insertion), `prefix` (the first 1–3 title words, the last one cut to about half its length, ≥ 3
 *   letters, as typed into a search box).
 * - Each query is timed individually (`performance.now()`) after one untimed warm-up pass over the
 *   whole set; `limit` 10 as the API default. Quality: fraction of queries whose source talk is the
 *   first hit / among the first five. Surname-only queries are inherently ambiguous (many talks per
 *   surname), so their top-1 rate is expected to be low.
 * - Build time = `upsertEvent` for every event + `upsertTalk` for every talk. The first search after
 *   a build also merges the sorted vocabulary (lazy); it is reported separately as `firstSearchMs`.
 *   One untimed warm-up build (1k talks) runs first so the measured builds are not paying for JIT.
 * - Scaling: the SAME query set (derived from the first 1,000 talks, present in every size) is run on
 *   the 1k, 10k and 100k indexes; a true index keeps the median roughly flat. Counters
 *   (`candidates`, `candidatesScored`, `postingsVisited`, `fallback`) come from
 *   `TalkIndex.lastSearchStats`, read defensively (only those the index exposes are reported).
 */
import { TalkIndex } from '../src/search/talk-index.ts';
import { STOPWORDS } from '../src/text/normalize.ts';
import { syntheticCatalogue, type SyntheticCatalogue, type SyntheticTalk } from './synthetic.ts';
import { median, ms, percentile, prng, progress, round, since, type BenchOptions } from './util.ts';

export const QUERY_KINDS = ['surname', 'surnameTitleWord', 'partialTitle', 'misspeltTitle', 'prefix'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];
export type LookupQuery = { kind: QueryKind; text: string; sourceId: string };

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const isContent = (w: string): boolean => !STOPWORDS.has(w.toLowerCase());

/** One-letter edit (substitution, deletion or insertion) of a lowercase word; never returns the word itself. */
function misspell(word: string, random: () => number): string {
  const w = word.toLowerCase();
  const pos = Math.floor(random() * w.length);
  const letter = (not?: string): string => {
    for (;;) {
      const c = LETTERS[Math.floor(random() * LETTERS.length)] ?? 'x';
      if (c !== not) return c;
    }
  };
  const op = Math.floor(random() * 3);
  if (op === 0) return w.slice(0, pos) + letter(w[pos]) + w.slice(pos + 1);
  if (op === 1) return w.slice(0, pos) + w.slice(pos + 1);
  return w.slice(0, pos) + letter() + w.slice(pos);
}

/** A query of `kind` derived from `talk`, or undefined when the talk does not suit that kind. */
function queryFor(kind: QueryKind, talk: SyntheticTalk, random: () => number): string | undefined {
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(random() * xs.length)];
  const words = talk.title.split(/\s+/).filter(Boolean);
  const content = words.filter(isContent);
  const speaker = pick(talk.speakers);
  const surname = speaker?.name.split(/\s+/).at(-1);
  switch (kind) {
    case 'surname':
      return surname;
    case 'surnameTitleWord': {
      const w = pick(content);
      return surname && w ? `${surname} ${w}` : undefined;
    }
    case 'partialTitle': {
      if (words.length < 4) return undefined;
      const start = Math.floor(random() * (words.length - 2));
      const part = words.slice(start, start + 3);
      return part.some(isContent) ? part.join(' ') : undefined;
    }
    case 'misspeltTitle': {
      const candidates = words.map((w, i) => ({ w, i })).filter(({ w }) => isContent(w) && /^\p{L}{5,}$/u.test(w));
      const target = pick(candidates);
      if (!target) return undefined;
      return words.map((w, i) => (i === target.i ? misspell(w, random) : w)).join(' ');
    }
    case 'prefix': {
      const n = 1 + Math.floor(random() * Math.min(3, words.length));
      const lead = words.slice(0, n);
      const last = lead.at(-1);
      if (!last || !isContent(last) || last.length < 4) return undefined;
      const cut = Math.max(3, Math.ceil(last.length / 2));
      return [...lead.slice(0, -1), last.slice(0, cut)].join(' ');
    }
  }
}

/** `count` queries, round-robin over the kinds, from talks drawn (deterministically) from `talks`. */
export function makeQueries(talks: readonly SyntheticTalk[], count: number, seed: number): LookupQuery[] {
  const random = prng(seed);
  const out: LookupQuery[] = [];
  for (let i = 0; i < count; i++) {
    const kind = QUERY_KINDS[i % QUERY_KINDS.length] ?? 'surname';
    for (let attempt = 0; attempt < 1000; attempt++) {
      const talk = talks[Math.floor(random() * talks.length)];
      const text = talk ? queryFor(kind, talk, random) : undefined;
      if (talk && text) {
        out.push({ kind, text, sourceId: talk.id });
        break;
      }
    }
  }
  return out;
}

/** The first `n` talks of `cat` and the events they belong to. */
function prefixOf(cat: SyntheticCatalogue, n: number): SyntheticCatalogue {
  const talks = cat.talks.slice(0, n);
  const eventIds = new Set(talks.map((t) => t.eventId));
  return { events: cat.events.filter((e) => eventIds.has(e.id)), talks };
}

function build(cat: SyntheticCatalogue): { index: TalkIndex; buildMs: number; firstSearchMs: number } {
  const t0 = performance.now();
  const index = new TalkIndex();
  for (const e of cat.events) index.upsertEvent(e);
  for (const t of cat.talks) index.upsertTalk(t);
  const buildMs = since(t0);
  const t1 = performance.now();
  index.search('warm up the vocabulary', { limit: 10 });
  return { index, buildMs, firstSearchMs: since(t1) };
}

/** Counters of `TalkIndex.lastSearchStats` reported, when the index exposes them. */
const COUNTERS = ['candidates', 'candidatesScored', 'postingsVisited'] as const;
type Counter = (typeof COUNTERS)[number];

type Sample = {
  kind: QueryKind;
  ms: number;
  counters: Partial<Record<Counter, number>>;
  fallback: boolean;
  rank: number;
};

/** The numeric counters of the last search (read defensively: the stats shape may evolve). */
function countersOf(index: TalkIndex): Partial<Record<Counter, number>> {
  const stats = index.lastSearchStats as unknown as Readonly<Record<string, unknown>>;
  const out: Partial<Record<Counter, number>> = {};
  for (const key of COUNTERS) {
    const v = stats[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

/** One untimed warm-up pass, then one timed pass. `rank` is the 1-based rank of the source talk, 0 if absent. */
function run(index: TalkIndex, queries: readonly LookupQuery[]): Sample[] {
  for (const q of queries) index.search(q.text, { limit: 10 });
  const samples: Sample[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const hits = index.search(q.text, { limit: 10 });
    const elapsed = performance.now() - t0;
    samples.push({
      kind: q.kind,
      ms: elapsed,
      counters: countersOf(index),
      fallback: (index.lastSearchStats as { fallback?: unknown }).fallback === true,
      rank: hits.findIndex((h) => h.id === q.sourceId) + 1,
    });
  }
  return samples;
}

/** Median / p99 / max per exposed counter. */
function counterSummary(
  samples: readonly Sample[],
): Partial<Record<Counter, { median: number; p99: number; max: number }>> {
  const out: Partial<Record<Counter, { median: number; p99: number; max: number }>> = {};
  for (const key of COUNTERS) {
    const values = samples.map((s) => s.counters[key]).filter((v): v is number => v !== undefined);
    if (values.length === samples.length && values.length > 0) {
      out[key] = { median: median(values), p99: percentile(values, 99), max: Math.max(...values) };
    }
  }
  return out;
}

function summary(samples: readonly Sample[]) {
  const times = samples.map((s) => s.ms);
  const frac = (f: (s: Sample) => boolean): number => round(samples.filter(f).length / Math.max(1, samples.length), 3);
  return {
    queries: samples.length,
    medianMs: ms(median(times)),
    p90Ms: ms(percentile(times, 90)),
    p99Ms: ms(percentile(times, 99)),
    maxMs: ms(Math.max(...times)),
    top1: frac((s) => s.rank === 1),
    top5: frac((s) => s.rank >= 1 && s.rank <= 5),
    searchStats: counterSummary(samples),
    fallbackFraction: frac((s) => s.fallback),
  };
}

export async function benchLookup(opts: BenchOptions): Promise<object> {
  const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const largest = sizes[sizes.length - 1] ?? 1_000;
  const queryCount = opts.quick ? 500 : 2_500;

  progress(`lookup: generating a ${largest}-talk synthetic catalogue`);
  const cat = syntheticCatalogue(largest, 1);
  const scaleQueries = makeQueries(prefixOf(cat, 1_000).talks, queryCount, 42);

  // Untimed warm-up build, so the first measured build is not also paying for JIT compilation.
  build(prefixOf(cat, 1_000));

  const scaling: Record<string, unknown>[] = [];
  let main: Record<string, unknown> = {};
  for (const n of sizes) {
    const sub = prefixOf(cat, n);
    progress(`lookup: building index of ${n} talks / ${sub.events.length} events`);
    const { index, buildMs, firstSearchMs } = build(sub);
    progress(
      `lookup:   built in ${ms(buildMs)} ms (${index.vocabularySize} terms); running ${scaleQueries.length} shared queries`,
    );
    const s = summary(run(index, scaleQueries));
    scaling.push({
      talks: n,
      buildMs: ms(buildMs),
      medianMs: s.medianMs,
      p99Ms: s.p99Ms,
      ...Object.fromEntries(
        Object.entries(s.searchStats).flatMap(([k, v]) => [
          [`${k}Median`, v.median],
          [`${k}P99`, v.p99],
        ]),
      ),
      top1: s.top1,
      top5: s.top5,
    });

    if (n === largest) {
      const queries = makeQueries(sub.talks, queryCount, 4242);
      progress(`lookup:   running ${queries.length} queries derived from all ${n} talks`);
      const samples = run(index, queries);
      const byKind = Object.fromEntries(
        QUERY_KINDS.map((kind) => {
          const k = summary(samples.filter((x) => x.kind === kind));
          const counters = Object.fromEntries(
            Object.entries(k.searchStats).map(([key, v]) => [`${key}Median`, v.median]),
          );
          return [
            kind,
            { queries: k.queries, medianMs: k.medianMs, p99Ms: k.p99Ms, top1: k.top1, top5: k.top5, ...counters },
          ];
        }),
      );
      main = {
        talks: n,
        events: sub.events.length,
        vocabularyTerms: index.vocabularySize,
        buildMs: ms(buildMs),
        buildPerTalkUs: round((buildMs * 1000) / n, 1),
        firstSearchMs: ms(firstSearchMs),
        ...summary(samples),
        byKind,
        examples: Object.fromEntries(
          QUERY_KINDS.map((kind) => [kind, queries.find((q) => q.kind === kind)?.text ?? null]),
        ),
      };
    }
  }
  const first = scaling[0];
  const last = scaling[scaling.length - 1];
  const ratio = (key: string): number => round(Number(last?.[key]) / Math.max(Number(first?.[key]), Number.EPSILON), 2);
  return {
    ...main,
    scaling: {
      note: 'same query set (derived from the first 1,000 talks) against nested catalogues of growing size',
      sizes: scaling,
      [`medianRatio${last?.talks}To${first?.talks}`]: ratio('medianMs'),
      ...Object.fromEntries(
        COUNTERS.filter((k) => first?.[`${k}Median`] !== undefined).map((k) => [
          `${k}MedianRatio${last?.talks}To${first?.talks}`,
          ratio(`${k}Median`),
        ]),
      ),
    },
  };
}
