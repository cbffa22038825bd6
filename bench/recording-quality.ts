/**
 * `recordingQuality`: precision and recall of recording → talk matching on hand-labelled fixture
 * sets of real-shaped feeds, through the real service stack, reported side by side (`summary`, then
 * each set in full):
 * - `tuned`: bench/fixtures/recordings/ (below) — the set the matcher was developed and tuned on.
 * - `heldout`: bench/fixtures/heldout/recordings/ — per event of bench/fixtures/heldout/catalogue/
 *   (created and imported from its real-format schedule files, once), `<eventId>.youtube.xml`,
 *   `<eventId>.mediaccc.json`, `<eventId>.podcast.xml` and `labels.json` in the same format: 67
 *   items, publication dates weeks to months after the slot, some before it or absurd, decorated
 *   titles, translations and items of another edition (must stay unmatched), unrelated videos.
 *   NEVER tune on it (bench/fixtures/heldout/README.md): its misses and wrong links are printed so
 *   the kinds of failure show; fix the kind, do not edit the data to fit.
 * - `fresh`: bench/fixtures/fresh/recordings/ — same layout over bench/fixtures/fresh/catalogue/
 *   (Grachten Code 2023, Lago Libero 2024): 40 items, written after the held-out set had been looked
 *   at while fixing matchers. NEVER tune or debug on it (bench/fixtures/fresh/README.md).
 * - `blind`: bench/fixtures/blind/recordings/ — same layout over bench/fixtures/blind/catalogue/
 *   (Odra Hackfest 2024, Azahar Libre 2025): 62 items, written without reading the matchers. NEVER
 *   tune or debug on it (bench/fixtures/blind/README.md).
 *
 * Fixtures of the tuned set
 * - `<event>.conference.json`: three invented conferences (FrostWeb Days 2019, Journées du Logiciel
 *   Libre 2022, RustyBelt Conf 2023), 19–24 talks each with speakers (some with two or three talks),
 *   near-duplicate titles ("Intro to X" / "Advanced X"), very short titles ("DNS", "Git", "Unsafe"),
 *   accented names and French titles. Each is turned into a c3voc `schedule.json` here and imported
 *   TWICE with `services.importSchedule`: the first import uses `titleAtFirstImport` for the one talk
 *   per conference that was renamed, so the second import keeps the old title (and slug) as aliases.
 * - Per conference, one feed per source kind: `<event>.youtube.xml` (YouTube channel Atom),
 *   `<event>.mediaccc.json` (media.ccc.de conference API), `<event>.podcast.xml` (RSS podcast / video
 *   RSS): 92 items — decorated titles, renamed talks under the new and the old title, speaker-only
 *   titles, near-duplicates, typos, case/accents, guid- and slug-carrying media.ccc.de items,
 *   media.ccc.de and schedule links in descriptions, unrelated videos (trailers, highlight reels,
 *   other conferences, Q&A, opening, sponsor messages, interviews) and items without titles.
 * - `labels.json`: per event, item key → schedule id of the talk a careful human would link it to,
 *   or null (should stay unmatched), with a note on what the item tests.
 *
 * Run: temp data dir, `createServices` (TALKREEL_ALLOW_PRIVATE_NETWORK=on, LOG_LEVEL=silent,
 * TALKREEL_JOBS=off); import the schedules; serve the feeds from a local node:http server on
 * 127.0.0.1:0; `services.sources.addSource` for each of the 9 feeds; one `services.poller.run`; then
 * read back every talk's recordings and the unmatched queue and compare with the labels.
 *
 * Reported: precision = correct links / all links made (over labelled items), recall = correct
 * links / labelled-matchable items, per source kind and per match method, plus every wrong link and
 * every miss (item title → got vs expected, with the matcher's reason and top candidates).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices, type Services } from '../src/app/services.ts';
import { slugify } from '../src/catalogue/ids.ts';
import type { Recording, Talk } from '../src/catalogue/types.ts';
import type { UnmatchedRecording } from '../src/recordings/types.ts';
import {
  BLIND_CATALOGUE_DIR,
  BLIND_DIR,
  FRESH_CATALOGUE_DIR,
  FRESH_DIR,
  HELDOUT_CATALOGUE_DIR,
  HELDOUT_DIR,
  importCatalogue,
} from './mentions-quality.ts';
import { BENCH_DIR, makeTempDir, ms, progress, round, since, type BenchOptions } from './util.ts';

export const FIXTURE_DIR = path.join(BENCH_DIR, 'fixtures', 'recordings');
const EVENTS = ['fwd19', 'jll22', 'rbc23'] as const;
const HELDOUT_RECORDINGS_DIR = path.join(HELDOUT_DIR, 'recordings');
const FRESH_RECORDINGS_DIR = path.join(FRESH_DIR, 'recordings');
const BLIND_RECORDINGS_DIR = path.join(BLIND_DIR, 'recordings');

/**
 * A labelled set: where its feeds and labels live, which events get the three sources, and how its
 * catalogue is imported (returns per-event import figures).
 */
type RecordingSet = {
  dir: string;
  events: readonly string[];
  importCatalogue: (services: Services) => Promise<Record<string, { talks: number } & Record<string, unknown>>>;
};

/** A set whose events come from `<catalogueDir>/events.json` (real-format schedule files, imported once). */
function catalogueSet(dir: string, catalogueDir: string): RecordingSet {
  return {
    dir,
    events: (
      JSON.parse(fs.readFileSync(path.join(catalogueDir, 'events.json'), 'utf8')) as {
        events: { id: string }[];
      }
    ).events.map((e) => e.id),
    importCatalogue: async (services) => {
      await importCatalogue(services, catalogueDir);
      const imports: Record<string, { talks: number }> = {};
      for (const t of await services.store.allTalks()) (imports[t.eventId] ??= { talks: 0 }).talks += 1;
      return imports;
    },
  };
}

const SETS: Readonly<Record<'tuned' | 'heldout' | 'fresh' | 'blind', RecordingSet>> = {
  tuned: {
    dir: FIXTURE_DIR,
    events: EVENTS,
    importCatalogue: async (services) => {
      const imports: Record<string, { talks: number; created: number; renamedBySecondImport: unknown }> = {};
      for (const id of EVENTS) {
        const spec = readJson<ConferenceSpec>(FIXTURE_DIR, `${id}.conference.json`);
        const first = await services.importSchedule(scheduleJson(spec, true), { format: 'json' });
        const second = await services.importSchedule(scheduleJson(spec, false), { format: 'json' });
        if (first.eventId !== id) throw new Error(`schedule ${id} was imported as event ${first.eventId}`);
        imports[id] = { talks: first.talks, created: first.created.length, renamedBySecondImport: second.updated };
      }
      return imports;
    },
  },
  heldout: catalogueSet(HELDOUT_RECORDINGS_DIR, HELDOUT_CATALOGUE_DIR),
  fresh: catalogueSet(FRESH_RECORDINGS_DIR, FRESH_CATALOGUE_DIR),
  blind: catalogueSet(BLIND_RECORDINGS_DIR, BLIND_CATALOGUE_DIR),
};
const SOURCE_FILES = [
  { kind: 'youtube', suffix: 'youtube.xml', contentType: 'application/atom+xml; charset=UTF-8' },
  { kind: 'mediaccc', suffix: 'mediaccc.json', contentType: 'application/json; charset=utf-8' },
  { kind: 'feed', suffix: 'podcast.xml', contentType: 'application/rss+xml; charset=UTF-8' },
] as const;

type ConferenceSpec = {
  conference: {
    acronym: string;
    title: string;
    city: string;
    start: string;
    end: string;
    timeZone: string;
    baseUrl: string;
    guidPrefix: string;
  };
  talks: {
    id: number;
    title: string;
    subtitle?: string;
    titleAtFirstImport?: string;
    speakers: { name: string; affiliation?: string }[];
    date: string;
    duration: string;
    room: string;
    track: string;
    type: string;
    language: string;
    abstract: string;
  }[];
};

type Label = { expect: string | null; title: string | null; note: string };
type Labels = { events: Record<string, Record<string, Label>> };

const readJson = <T>(dir: string, file: string): T => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;

/** Schedule guid of talk `id` (the media.ccc.de fixtures carry some of them). */
export const scheduleGuid = (prefix: string, id: number): string =>
  `${prefix}-0000-4000-8000-${String(id).padStart(12, '0')}`;

/**
 * A c3voc schedule.json for the conference. `firstImport`: renamed talks carry their
 * `titleAtFirstImport` (and the slug made from it).
 */
export function scheduleJson(spec: ConferenceSpec, firstImport: boolean): string {
  const c = spec.conference;
  const days = [...new Set(spec.talks.map((t) => t.date.slice(0, 10)))].sort();
  const offset = spec.talks[0]?.date.slice(19) ?? 'Z';
  const personIds = new Map<string, number>();
  const personId = (name: string): number => {
    let id = personIds.get(name);
    if (id === undefined) personIds.set(name, (id = 500 + personIds.size));
    return id;
  };
  const event = (t: ConferenceSpec['talks'][number]) => {
    const title = firstImport && t.titleAtFirstImport ? t.titleAtFirstImport : t.title;
    return {
      guid: scheduleGuid(c.guidPrefix, t.id),
      code: `${c.acronym.toUpperCase()}${t.id}`,
      id: t.id,
      logo: null,
      date: t.date,
      start: t.date.slice(11, 16),
      duration: t.duration,
      room: t.room,
      slug: `${c.acronym}-${t.id}-${slugify(title, 50)}`,
      url: `${c.baseUrl}talk/${t.id}/`,
      title,
      subtitle: t.subtitle ?? '',
      track: t.track,
      type: t.type,
      language: t.language,
      abstract: t.abstract,
      description: null,
      recording_license: 'CC BY 4.0',
      do_not_record: false,
      persons: t.speakers.map((s) => ({
        id: personId(s.name),
        name: s.name,
        public_name: s.name,
        biography: null,
        ...(s.affiliation ? { affiliation: s.affiliation } : {}),
      })),
      links: [],
      attachments: [],
    };
  };
  const rooms = [...new Set(spec.talks.map((t) => t.room))];
  return JSON.stringify(
    {
      $schema: 'https://c3voc.de/schedule/schema.json',
      generator: { name: 'talkreel-bench', version: '1' },
      schedule: {
        url: `${c.baseUrl}schedule/`,
        version: firstImport ? '0.9' : '1.0',
        base_url: c.baseUrl,
        conference: {
          acronym: c.acronym,
          title: c.title,
          start: c.start,
          end: c.end,
          daysCount: days.length,
          timeslot_duration: '00:05',
          time_zone_name: c.timeZone,
          city: c.city,
          rooms: rooms.map((name) => ({ name, guid: null, description: null, capacity: null })),
          days: days.map((date, i) => ({
            index: i + 1,
            date,
            day_start: `${date}T08:00:00${offset}`,
            day_end: `${date}T20:00:00${offset}`,
            rooms: Object.fromEntries(
              rooms.map((room) => [
                room,
                spec.talks.filter((t) => t.room === room && t.date.startsWith(date)).map(event),
              ]),
            ),
          })),
        },
      },
    },
    null,
    2,
  );
}

/** Serve `<dir>/<file>` at `/<file>` with the content type a real host would send. */
async function startFixtureServer(
  dir: string,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const types = new Map<string, string>(SOURCE_FILES.map((s) => [s.suffix, s.contentType]));
  const server = http.createServer((req, res) => {
    count += 1;
    const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
    const type = [...types].find(([suffix]) => name.endsWith(suffix))?.[1];
    const file = path.join(dir, name);
    if (!type || !fs.existsSync(file)) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', type);
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Outcome = {
  event: string;
  source: string;
  key: string;
  title: string;
  note: string;
  expected: Talk | null;
  got: { talk: Talk; recording: Recording } | undefined;
  unmatched: UnmatchedRecording | undefined;
};

const talkRef = (t: Talk | null | undefined): { id: string; title: string } | null =>
  t ? { id: t.id, title: t.title } : null;
const showTitle = (t: string | null): string => (t === null || t === '' ? '(no title)' : t);

async function evaluate(services: Services, labels: Labels, sourceKinds: ReadonlyMap<string, string>) {
  const talks = await services.store.allTalks();
  const talkById = new Map(talks.map((t) => [t.id, t]));
  const links = new Map<string, { talk: Talk; recording: Recording }[]>(); // `${eventId}|${key}` → links
  for (const t of talks) {
    for (const r of t.recordings) {
      const k = `${t.eventId}|${r.key}`;
      links.set(k, [...(links.get(k) ?? []), { talk: t, recording: r }]);
    }
  }
  const unmatched = new Map((await services.store.snapshot()).unmatched.map((u) => [u.id, u]));

  const outcomes: Outcome[] = [];
  const labelled = new Set<string>();
  for (const [event, items] of Object.entries(labels.events)) {
    for (const [key, label] of Object.entries(items)) {
      labelled.add(`${event}|${key}`);
      const expected =
        label.expect === null ? null : ((await services.store.findTalk(`${event}:${label.expect}`)) ?? null);
      if (label.expect !== null && !expected)
        throw new Error(`labels.json: ${event} ${key} expects talk ${label.expect}, which the schedule does not have`);
      const got = links.get(`${event}|${key}`) ?? [];
      if (got.length > 1) throw new Error(`${event} ${key} is linked to ${got.length} talks`);
      const u = unmatched.get(`${event}|${key}`);
      outcomes.push({
        event,
        source: sourceKinds.get(u?.sourceId ?? got[0]?.recording.sourceId ?? '') ?? kindOfKey(key),
        key,
        title: showTitle(label.title),
        note: label.note,
        expected,
        got: got[0],
        unmatched: u,
      });
    }
  }
  // Items the poll saw that the labels do not mention (a fixture/label mismatch).
  const unlabelled = [
    ...[...links.keys()].filter((k) => !labelled.has(k)),
    ...[...unmatched.keys()].filter((k) => !labelled.has(k)),
  ];
  return { outcomes, unlabelled, talkById };
}

function kindOfKey(key: string): string {
  return key.startsWith('youtube:') ? 'youtube' : key.startsWith('mediaccc:') ? 'mediaccc' : 'feed';
}

function scores(outcomes: readonly Outcome[]) {
  const matchable = outcomes.filter((o) => o.expected).length;
  const linked = outcomes.filter((o) => o.got).length;
  const correct = outcomes.filter((o) => o.got && o.expected && o.got.talk.id === o.expected.id).length;
  const precision = linked === 0 ? 1 : correct / linked;
  const recall = matchable === 0 ? 1 : correct / matchable;
  return {
    items: outcomes.length,
    matchable,
    shouldStayUnmatched: outcomes.length - matchable,
    linksMade: linked,
    correctLinks: correct,
    wrongLinks: linked - correct,
    misses: outcomes.filter((o) => o.expected && !o.got).length,
    correctlyLeftUnmatched: outcomes.filter((o) => !o.expected && !o.got).length,
    precision: round(precision, 3),
    recall: round(recall, 3),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), 3),
  };
}

/**
 * The labelled sets, side by side: `tuned` (bench/fixtures/recordings, what the matcher was
 * developed on), `heldout` (bench/fixtures/heldout/recordings: never tuned on, but looked at while
 * fixing) and `fresh` (bench/fixtures/fresh/recordings: unseen); misses and wrong links are listed
 * so the kinds of failure show, but the data must not be edited to fit.
 */
export async function benchRecordingQuality(opts: BenchOptions): Promise<object> {
  const tuned = (await benchRecordingSet('tuned', opts)) as Record<string, unknown>;
  const heldout = (await benchRecordingSet('heldout', opts)) as Record<string, unknown>;
  const fresh = (await benchRecordingSet('fresh', opts)) as Record<string, unknown>;
  const blind = (await benchRecordingSet('blind', opts)) as Record<string, unknown>;
  const pick = (r: Record<string, unknown>) => ({
    precision: r['precision'],
    recall: r['recall'],
    f1: r['f1'],
    matchable: r['matchable'],
    correctLinks: r['correctLinks'],
    wrongLinks: r['wrongLinks'],
    misses: r['misses'],
    shouldStayUnmatched: r['shouldStayUnmatched'],
    correctlyLeftUnmatched: r['correctlyLeftUnmatched'],
  });
  return {
    summary: { tuned: pick(tuned), heldout: pick(heldout), fresh: pick(fresh), blind: pick(blind) },
    tuned,
    heldout,
    fresh,
    blind,
  };
}

async function benchRecordingSet(setName: keyof typeof SETS, _opts: BenchOptions): Promise<object> {
  const set = SETS[setName];
  const EVENTS = set.events;
  const labels = readJson<Labels>(set.dir, 'labels.json');
  const tmp = makeTempDir('talkreel-bench-quality-');
  const server = await startFixtureServer(set.dir);
  const config = loadConfig({
    TALKREEL_DATA_DIR: tmp.dir,
    TALKREEL_ALLOW_PRIVATE_NETWORK: 'on',
    LOG_LEVEL: 'silent',
    TALKREEL_JOBS: 'off',
  });
  const services = await createServices(config, createLogger('silent'));
  try {
    const t0 = performance.now();
    const imports = await set.importCatalogue(services);
    const importMs = since(t0);

    const sourceKinds = new Map<string, string>();
    for (const id of EVENTS) {
      for (const s of SOURCE_FILES) {
        const source = await services.sources.addSource(id, { kind: s.kind, url: `${server.url}/${id}.${s.suffix}` });
        sourceKinds.set(source.id, s.kind);
      }
    }
    const t1 = performance.now();
    const run = await services.poller.run({ kind: 'all' });
    const pollMs = since(t1);
    if (run.status !== 'ok') throw new Error(`poll run skipped: ${run.reason}`);
    const failed = run.results.filter((r) => r.status !== 'ok');
    if (failed.length > 0)
      throw new Error(`sources failed: ${failed.map((r) => `${r.sourceId}: ${r.error}`).join('; ')}`);
    progress(
      `recordingQuality[${setName}]: imported ${EVENTS.length} schedules, polled ${run.results.length} sources (${run.results.reduce((n, r) => n + r.items, 0)} items)`,
    );

    const { outcomes, unlabelled } = await evaluate(services, labels, sourceKinds);
    const overall = scores(outcomes);
    progress(
      `recordingQuality[${setName}]: precision ${overall.precision}, recall ${overall.recall} (${overall.correctLinks}/${overall.matchable} correct, ${overall.wrongLinks} wrong links)`,
    );

    const wrong = outcomes
      .filter((o) => o.got && o.got.talk.id !== o.expected?.id)
      .map((o) => ({
        event: o.event,
        source: o.source,
        key: o.key,
        item: o.title,
        got: {
          ...talkRef(o.got!.talk),
          method: o.got!.recording.match.method,
          confidence: o.got!.recording.match.confidence,
          evidence: o.got!.recording.match.evidence,
        },
        expected: talkRef(o.expected),
        note: o.note,
      }));
    const misses = outcomes
      .filter((o) => o.expected && !o.got)
      .map((o) => ({
        event: o.event,
        source: o.source,
        key: o.key,
        item: o.title,
        expected: talkRef(o.expected),
        reason: o.unmatched?.reason ?? 'never reported by the source parser',
        candidates: (o.unmatched?.candidates ?? [])
          .slice(0, 3)
          .map((c) => ({ talkId: c.talkId, score: c.score, evidence: c.evidence.join('; ') })),
        note: o.note,
      }));
    // Near misses, for inspection: the least confident correct evidence links, and what the
    // items that rightly stayed unmatched came closest to.
    const weakestCorrectLinks = outcomes
      .filter((o) => o.got && o.got.talk.id === o.expected?.id && o.got.recording.match.method === 'evidence')
      .sort((a, b) => a.got!.recording.match.confidence - b.got!.recording.match.confidence)
      .slice(0, 5)
      .map((o) => ({
        event: o.event,
        item: o.title,
        talk: o.got!.talk.title,
        confidence: o.got!.recording.match.confidence,
        evidence: o.got!.recording.match.evidence.join('; '),
      }));
    const rightlyUnmatched = outcomes
      .filter((o) => !o.expected && !o.got)
      .map((o) => {
        const top = o.unmatched?.candidates[0];
        return {
          event: o.event,
          item: o.title,
          reason: o.unmatched?.reason ?? 'never reported by the source parser',
          closest: top ? `${top.talkId} ${top.score}` : null,
        };
      });
    const by = <K extends string>(keyOf: (o: Outcome) => K) => {
      const groups = new Map<K, Outcome[]>();
      for (const o of outcomes) groups.set(keyOf(o), [...(groups.get(keyOf(o)) ?? []), o]);
      return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, scores(v)]));
    };
    const methods: Record<string, { correct: number; wrong: number }> = {};
    for (const o of outcomes) {
      if (!o.got) continue;
      const m = (methods[o.got.recording.match.method] ??= { correct: 0, wrong: 0 });
      if (o.got.talk.id === o.expected?.id) m.correct += 1;
      else m.wrong += 1;
    }
    return {
      fixtures: {
        conferences: EVENTS.length,
        talks: Object.values(imports).reduce((n, x) => n + x.talks, 0),
        sources: run.results.length,
        itemsParsed: run.results.reduce((n, r) => n + r.items, 0),
        labelledItems: outcomes.length,
        unlabelledItemsSeen: unlabelled,
      },
      imports,
      ...overall,
      byKind: by((o) => o.source),
      byEvent: by((o) => o.event),
      linksByMethod: methods,
      wrongLinkDetails: wrong,
      missDetails: misses,
      weakestCorrectLinks,
      rightlyUnmatched,
      timings: { importMs: ms(importMs), pollMs: ms(pollMs), httpRequests: server.requests() },
    };
  } finally {
    await services.close();
    await server.close();
    tmp.remove();
  }
}
