/**
 * `recordingMatch`: cost of `matchRecording` (src/matcher/recordings.ts) per recording on a large
 * synthetic catalogue, and whether it stays flat when the catalogue grows ten-fold.
 *
 * Method
 * - One synthetic catalogue of 100,000 talks (bench/synthetic.ts, seed 7: 2,000 events × 50 talks);
 *   the comparison catalogue is its first 10,000 talks (200 events) — nested, so the same events
 *   and talks exist in both.
 * - 10,000 recordings (2,000 in --quick), each belonging to one event drawn uniformly from the
 *   first 200 events (present in both catalogues) — as a source belongs to one event. 80 % are made
 *   from a talk of that event with a channel-style decoration (bench/recording-titles.ts: plain,
 *   "Speaker - Title", "Title | Event name", "[ACR24] Title", "Title (City 2024)", "Title – Speaker",
 *   "Title: Subtitle" / subtitle missing; 15 % of them with a one-letter typo; half carry a
 *   description naming the speaker). 20 % are unrelated: generic videos ("Highlights Reel | Event"),
 *   uploads of another event's talk ("Title | Other Event"), or random catalogue words.
 *   publishedAt is 30 days after the event's first day.
 * - A `TalkIndex` is built with every event and talk of the catalogue (`upsertEvent`/`upsertTalk`);
 *   both indexes are kept in memory. The `EventMatchContext` of each event is built once
 *   (`buildEventContext`, as the poller does per run) — its cost is reported separately — then
 *   recordings are matched grouped by event, each call timed with `performance.now()`. After one
 *   untimed warm-up pass (first 2,000 recordings) on each index, 2 timed rounds over all recordings
 *   run on each, alternating which index goes first; statistics pool every timed call (GC pauses
 *   included), per-round medians are listed too. The SAME recordings and contexts are used for both
 *   catalogue sizes, so the ratio isolates the effect of the index size (an index keeps it ~1; a
 *   scan of the catalogue would make it ~10). Other load on the machine shows as round-to-round
 *   spread: compare `roundMediansUs`.
 * - Quality counters (sanity, not the goal here): linked to the right talk, to a wrong talk, left
 *   unmatched; unrelated recordings linked to some talk (false links).
 */
import { TalkIndex } from '../src/search/talk-index.ts';
import { buildEventContext, matchRecording, type EventMatchContext } from '../src/recordings/match.ts';
import type { RecordingItem } from '../src/recordings/source.ts';
import { syntheticCatalogue, type SyntheticCatalogue, type SyntheticEvent, type SyntheticTalk } from './synthetic.ts';
import {
  decoratedTitle,
  unrelatedTitle,
  videoId,
  type DecorationKind,
  type UnrelatedKind,
} from './recording-titles.ts';
import {
  mean,
  median,
  ms,
  percentile,
  progress,
  prng,
  round,
  since,
  toDomainEvent,
  toDomainTalk,
  tryGc,
  heapUsedMb,
  type BenchOptions,
} from './util.ts';

type LabelledRecording = {
  item: RecordingItem;
  eventId: string;
  /** Talk it was made from; undefined for unrelated recordings. */
  talkId: string | undefined;
  kind: DecorationKind | UnrelatedKind;
  typo: boolean;
};

const PUBLIC_URL = 'http://talkreel.bench';

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString();
}

/** Recordings for events drawn from `events` (all of which are in `cat`). */
export function makeRecordings(
  cat: SyntheticCatalogue,
  events: readonly SyntheticEvent[],
  count: number,
  seed: number,
): LabelledRecording[] {
  const random = prng(seed);
  const talksByEvent = new Map<string, SyntheticTalk[]>();
  for (const t of cat.talks) {
    const list = talksByEvent.get(t.eventId) ?? [];
    list.push(t);
    talksByEvent.set(t.eventId, list);
  }
  const eventById = new Map(cat.events.map((e) => [e.id, e]));
  const wordPool = cat.talks.slice(0, 2000).flatMap((t) => t.title.toLowerCase().split(' '));
  const out: LabelledRecording[] = [];
  for (let i = 0; i < count; i++) {
    const event = events[Math.floor(random() * events.length)]!;
    const talks = talksByEvent.get(event.id) ?? [];
    const key = `youtube:${videoId('r', i)}`;
    const base = {
      key,
      url: `https://www.youtube.com/watch?v=${videoId('r', i)}`,
      provider: 'youtube',
      publishedAt: addDays(event.startDate, 30),
    };
    if (random() < 0.8) {
      const talk = talks[Math.floor(random() * talks.length)]!;
      const d = decoratedTitle(talk, event, random);
      const description =
        random() < 0.5 ? `${talk.speakers.map((s) => s.name).join(', ')} at ${event.name}.` : undefined;
      out.push({
        item: { ...base, title: d.title, description },
        eventId: event.id,
        talkId: talk.id,
        kind: d.kind,
        typo: d.typo,
      });
    } else {
      const other = cat.talks[Math.floor(random() * cat.talks.length)]!;
      const otherEvent = eventById.get(other.eventId)!;
      const u =
        other.eventId === event.id
          ? { title: `Highlights Reel | ${event.name}`, kind: 'generic' as const }
          : unrelatedTitle(event, other, otherEvent, wordPool, random);
      out.push({ item: { ...base, title: u.title }, eventId: event.id, talkId: undefined, kind: u.kind, typo: false });
    }
  }
  // Grouped by event, as the poller applies one source (one event) at a time.
  return out.sort((a, b) => a.eventId.localeCompare(b.eventId) || a.item.key.localeCompare(b.item.key));
}

type Pass = {
  timesUs: number[];
  correct: number;
  wrong: number;
  unmatched: number;
  unrelatedLinked: number;
  byKind: Record<string, { n: number; correct: number; wrong: number; unmatched: number }>;
};

function runPass(
  recordings: readonly LabelledRecording[],
  contexts: ReadonlyMap<string, EventMatchContext>,
  index: TalkIndex,
): Pass {
  const pass: Pass = { timesUs: [], correct: 0, wrong: 0, unmatched: 0, unrelatedLinked: 0, byKind: {} };
  for (const r of recordings) {
    const ctx = contexts.get(r.eventId)!;
    const t0 = performance.now();
    const decision = matchRecording(r.item, ctx, index);
    pass.timesUs.push((performance.now() - t0) * 1000);
    const k = (pass.byKind[r.typo ? `${r.kind}+typo` : r.kind] ??= { n: 0, correct: 0, wrong: 0, unmatched: 0 });
    k.n += 1;
    if (decision.kind === 'unmatched') {
      k.unmatched += 1;
      if (r.talkId) pass.unmatched += 1;
    } else if (decision.talkId === r.talkId) {
      k.correct += 1;
      pass.correct += 1;
    } else {
      k.wrong += 1;
      if (r.talkId) pass.wrong += 1;
      else pass.unrelatedLinked += 1;
    }
  }
  return pass;
}

function buildIndex(cat: SyntheticCatalogue): { index: TalkIndex; buildMs: number } {
  const t0 = performance.now();
  const index = new TalkIndex();
  for (const e of cat.events) index.upsertEvent(e);
  for (const t of cat.talks) index.upsertTalk(t);
  const buildMs = since(t0);
  index.search('warm up the vocabulary', { limit: 8 });
  return { index, buildMs };
}

type Built = { label: string; cat: SyntheticCatalogue; index: TalkIndex; buildMs: number; passes: Pass[] };

function build(label: string, cat: SyntheticCatalogue): Built {
  progress(`recordingMatch: building index of ${cat.talks.length} talks / ${cat.events.length} events`);
  const { index, buildMs } = buildIndex(cat);
  progress(`recordingMatch:   built in ${ms(buildMs)} ms (${index.vocabularySize} terms, heap ${heapUsedMb()} MB)`);
  return { label, cat, index, buildMs, passes: [] };
}

function summarise(b: Built, recordings: readonly LabelledRecording[]) {
  const t = b.passes.flatMap((p) => p.timesUs);
  const p = b.passes[b.passes.length - 1]!;
  const related = recordings.filter((r) => r.talkId).length;
  return {
    catalogueTalks: b.cat.talks.length,
    events: b.cat.events.length,
    indexBuildMs: ms(b.buildMs),
    recordings: recordings.length,
    timedCalls: t.length,
    meanUs: round(mean(t), 1),
    medianUs: round(median(t), 1),
    p90Us: round(percentile(t, 90), 1),
    p99Us: round(percentile(t, 99), 1),
    maxUs: round(Math.max(...t), 1),
    roundMediansUs: b.passes.map((x) => round(median(x.timesUs), 1)),
    roundMeansUs: b.passes.map((x) => round(mean(x.timesUs), 1)),
    quality: {
      fromTalks: related,
      linkedCorrectly: p.correct,
      linkedToWrongTalk: p.wrong,
      leftUnmatched: p.unmatched,
      unrelated: recordings.length - related,
      unrelatedLinked: p.unrelatedLinked,
      recall: round(p.correct / Math.max(1, related), 3),
      precision: round(p.correct / Math.max(1, p.correct + p.wrong + p.unrelatedLinked), 3),
      byKind: Object.fromEntries(Object.entries(p.byKind).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

export async function benchRecordingMatch(opts: BenchOptions): Promise<object> {
  const large = opts.quick ? 20_000 : 100_000;
  const small = large / 10;
  const count = opts.quick ? 2_000 : 10_000;
  const rounds = 2;
  progress(`recordingMatch: generating a ${large}-talk synthetic catalogue`);
  const full = syntheticCatalogue(large, 7);
  const prefix: SyntheticCatalogue = { events: full.events.slice(0, small / 50), talks: full.talks.slice(0, small) };
  const recordings = makeRecordings(prefix, prefix.events, count, 99);

  // Contexts of the events the recordings belong to, built once per event (domain records as stored).
  const t0 = performance.now();
  const talkNumber = new Map(prefix.talks.map((t, i) => [t.id, i + 1]));
  const byEvent = new Map<string, SyntheticTalk[]>();
  for (const t of prefix.talks) byEvent.set(t.eventId, [...(byEvent.get(t.eventId) ?? []), t]);
  const contexts = new Map<string, EventMatchContext>();
  const domainEvents = new Map(prefix.events.map((e) => [e.id, toDomainEvent(e)]));
  const domainTalks = new Map<string, ReturnType<typeof toDomainTalk>[]>();
  for (const [eventId, talks] of byEvent)
    domainTalks.set(
      eventId,
      talks.map((t) => toDomainTalk(t, talkNumber.get(t.id) ?? 0)),
    );
  const t1 = performance.now();
  for (const eventId of new Set(recordings.map((r) => r.eventId))) {
    contexts.set(eventId, buildEventContext(domainEvents.get(eventId)!, domainTalks.get(eventId) ?? [], PUBLIC_URL));
  }
  const contextMs = since(t1);
  progress(
    `recordingMatch: ${recordings.length} recordings over ${contexts.size} events; contexts built in ${ms(contextMs)} ms (setup ${ms(since(t0))} ms)`,
  );

  const smallB = build(`${small} talks`, prefix);
  const largeB = build(`${large} talks`, full);
  // Warm-up (JIT) on both, untimed; then timed rounds alternating the order (noise and GC spread evenly).
  for (const b of [smallB, largeB]) runPass(recordings.slice(0, 2000), contexts, b.index);
  for (let r = 0; r < rounds; r++) {
    for (const b of r % 2 === 0 ? [smallB, largeB] : [largeB, smallB]) {
      tryGc();
      const pass = runPass(recordings, contexts, b.index);
      b.passes.push(pass);
      progress(
        `recordingMatch:   round ${r + 1}/${rounds} ${b.label}: mean ${round(mean(pass.timesUs), 1)} µs, median ${round(median(pass.timesUs), 1)} µs, p99 ${round(percentile(pass.timesUs, 99), 1)} µs`,
      );
    }
  }
  const atSmall = summarise(smallB, recordings);
  const atLarge = summarise(largeB, recordings);
  const ratio = (a: number, b: number): number => round(a / Math.max(b, Number.EPSILON), 2);
  return {
    note: 'same recordings and per-event contexts against nested catalogues (10x apart); contexts built once per event; each matchRecording call timed',
    recordings: recordings.length,
    events: contexts.size,
    unrelatedFraction: round(recordings.filter((r) => !r.talkId).length / recordings.length, 3),
    eventContexts: {
      count: contexts.size,
      totalMs: ms(contextMs),
      perEventUs: round((contextMs * 1000) / Math.max(1, contexts.size), 1),
    },
    [`at${large}`]: atLarge,
    [`at${small}`]: atSmall,
    [`meanRatio${large}To${small}`]: ratio(atLarge.meanUs, atSmall.meanUs),
    [`medianRatio${large}To${small}`]: ratio(atLarge.medianUs, atSmall.medianUs),
    [`p99Ratio${large}To${small}`]: ratio(atLarge.p99Us, atSmall.p99Us),
  };
}
