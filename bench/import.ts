/**
 * `import`: `services.importSchedule(xml)` on a generated 1,000-talk frab schedule.xml.
 *
 * The schedule has the shape of real frab/pretalx exports (see test/fixtures/schedules/):
 * `<conference>` (acronym, title, dates, time zone, base_url, city), 4 `<day>`s × 10 `<room>`s ×
 * 25 `<event>`s with guid/id attributes, `<date>` (full ISO), `<start>`, `<duration>`, `<room>`,
 * `<slug>`, `<url>`, `<recording>`, `<title>`, `<subtitle>`, `<track>`, `<type>`, `<language>`,
 * `<abstract>` (HTML-escaped `<p>`), `<persons>`, `<links>` (slides for one talk in three, a WebM
 * recording for one in ten, so the import also publishes recordings). Text comes from
 * bench/synthetic.ts.
 *
 * Per round, on a fresh temp data dir with createServices (LOG_LEVEL silent):
 *   1. import into an empty store (creates the event and 1,000 talks);
 *   2. the unchanged file again (must commit nothing: 0 file writes);
 *   3. the file with 10% of the titles edited.
 * Times include the store commit becoming durable (`importSchedule` awaits it). Parsing alone
 * (`parseSchedule`) is timed separately. Medians over rounds (the first round runs with a cold JIT).
 */
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import type { ImportReport } from '../src/schedules/import.ts';
import { parseSchedule } from '../src/schedules/parse.ts';
import { slugify } from '../src/catalogue/ids.ts';
import { syntheticCatalogue, type SyntheticTalk } from './synthetic.ts';
import { guidFor, makeTempDir, median, ms, progress, round, since, type BenchOptions } from './util.ts';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const pad2 = (n: number): string => String(n).padStart(2, '0');

export type ScheduleShape = { days: number; rooms: number; perRoom: number };

/**
 * A frab schedule.xml with `days × rooms × perRoom` events. Talks whose index `i` satisfies
 * `editedTitle(i)` get " (Revised)" appended to their title.
 */
export function frabScheduleXml(
  talks: readonly SyntheticTalk[],
  shape: ScheduleShape,
  editedTitle: (i: number) => boolean = () => false,
): string {
  const acronym = 'benchconf2024';
  const base = 'https://schedule.benchconf.example/2024/';
  const personIds = new Map<string, number>();
  const personId = (name: string): number => {
    let id = personIds.get(name);
    if (id === undefined) personIds.set(name, (id = 1000 + personIds.size));
    return id;
  };
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<schedule>',
    '  <version>1.0 benchmark</version>',
    '  <conference>',
    `    <acronym>${acronym}</acronym>`,
    '    <title>Bench Conference 2024</title>',
    '    <start>2024-12-03</start>',
    `    <end>2024-12-${pad2(2 + shape.days)}</end>`,
    `    <days>${shape.days}</days>`,
    '    <timeslot_duration>00:05</timeslot_duration>',
    `    <base_url>${base}</base_url>`,
    '    <time_zone_name>Europe/Paris</time_zone_name>',
    '    <city>Paris</city>',
    '  </conference>',
  ];
  let i = 0;
  for (let d = 0; d < shape.days; d++) {
    const date = `2024-12-${pad2(3 + d)}`;
    out.push(`  <day index="${d + 1}" date="${date}" start="${date}T09:00:00+01:00" end="${date}T22:00:00+01:00">`);
    for (let r = 0; r < shape.rooms; r++) {
      const roomName = `Room ${String.fromCharCode(65 + r)}`;
      out.push(`    <room name="${roomName}">`);
      for (let k = 0; k < shape.perRoom && i < talks.length; k++, i++) {
        const t = talks[i] as SyntheticTalk;
        const n = i + 1;
        const minutes = 9 * 60 + k * 30;
        const clock = `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
        const title = editedTitle(i) ? `${t.title} (Revised)` : t.title;
        const slug = `${acronym}-${5000 + n}-${slugify(t.title, 50)}`;
        const links: string[] = [];
        if (n % 3 === 0)
          links.push(
            `          <link href="https://slides.benchconf.example/2024/${5000 + n}.pdf">Slides (PDF)</link>`,
          );
        if (n % 10 === 0)
          links.push(
            `          <link href="https://video.benchconf.example/2024/${slug}.webm">Video recording (WebM)</link>`,
          );
        out.push(
          `      <event guid="${guidFor(n, 1)}" id="${5000 + n}">`,
          `        <date>${date}T${clock}:00+01:00</date>`,
          `        <start>${clock}</start>`,
          `        <duration>00:${n % 4 === 0 ? '25' : '20'}</duration>`,
          `        <room>${roomName}</room>`,
          `        <slug>${slug}</slug>`,
          `        <url>${base}talk/${5000 + n}/</url>`,
          '        <recording>',
          '          <license>CC BY 4.0</license>',
          `          <optout>${n % 25 === 0 ? 'true' : 'false'}</optout>`,
          '        </recording>',
          `        <title>${esc(title)}</title>`,
          t.subtitle ? `        <subtitle>${esc(t.subtitle)}</subtitle>` : '        <subtitle/>',
          `        <track>${esc(t.track)}</track>`,
          `        <type>${n % 40 === 0 ? 'workshop' : 'lecture'}</type>`,
          '        <language>en</language>',
          `        <abstract>${esc(`<p>${t.abstract}</p>`)}</abstract>`,
          '        <description/>',
          '        <persons>',
          ...t.speakers.map((s) => `          <person id="${personId(s.name)}">${esc(s.name)}</person>`),
          '        </persons>',
          links.length > 0 ? ['        <links>', ...links, '        </links>'].join('\n') : '        <links/>',
          '        <attachments/>',
          '      </event>',
        );
      }
      out.push('    </room>');
    }
    out.push('  </day>');
  }
  out.push('</schedule>', '');
  return out.join('\n');
}

type Step = { ms: number; writes: number; report: ImportReport };

async function oneRound(xml: string, edited: string): Promise<{ parseMs: number; steps: [Step, Step, Step] }> {
  const tmp = makeTempDir('talkreel-bench-import-');
  try {
    const t0 = performance.now();
    parseSchedule(xml);
    const parseMs = since(t0);

    const config = loadConfig({ TALKREEL_DATA_DIR: tmp.dir, TALKREEL_JOBS: 'off', LOG_LEVEL: 'silent' });
    const services = await createServices(config, createLogger('silent'));
    try {
      const step = async (text: string): Promise<Step> => {
        await services.store.flush();
        const w0 = (await services.store.stats()).writes;
        const t = performance.now();
        const report = await services.importSchedule(text);
        const elapsed = since(t);
        await services.store.flush();
        return { ms: elapsed, writes: (await services.store.stats()).writes - w0, report };
      };
      const first = await step(xml);
      const unchanged = await step(xml);
      const changed = await step(edited);
      return { parseMs, steps: [first, unchanged, changed] };
    } finally {
      await services.close();
    }
  } finally {
    tmp.remove();
  }
}

export async function benchImport(opts: BenchOptions): Promise<object> {
  const shape: ScheduleShape = opts.quick ? { days: 2, rooms: 5, perRoom: 20 } : { days: 4, rooms: 10, perRoom: 25 };
  const count = shape.days * shape.rooms * shape.perRoom;
  const rounds = opts.quick ? 2 : 5;
  const talks = syntheticCatalogue(count, 11).talks;
  const editedTitle = (i: number): boolean => i % 10 === 0;
  const xml = frabScheduleXml(talks, shape);
  const edited = frabScheduleXml(talks, shape, editedTitle);
  const editedCount = talks.filter((_, i) => editedTitle(i)).length;

  const all: Awaited<ReturnType<typeof oneRound>>[] = [];
  for (let r = 0; r < rounds; r++) {
    const res = await oneRound(xml, edited);
    const [a, b, c] = res.steps;
    progress(
      `import: round ${r + 1}/${rounds}: first ${ms(a.ms)} ms, unchanged ${ms(b.ms)} ms (${b.writes} writes), 10% edited ${ms(c.ms)} ms`,
    );
    all.push(res);
  }
  const last = all[all.length - 1];
  if (!last) throw new Error('no import round ran');
  const [first, unchanged, changed] = last.steps;
  const med = (k: 0 | 1 | 2): number => median(all.map((x) => x.steps[k].ms));
  const unchangedWrites = all.map((x) => x.steps[1].writes);
  return {
    talks: count,
    xmlKb: round(Buffer.byteLength(xml) / 1024, 0),
    rounds,
    parseOnlyMs: ms(median(all.map((x) => x.parseMs))),
    firstImport: {
      medianMs: ms(med(0)),
      minMs: ms(Math.min(...all.map((x) => x.steps[0].ms))),
      fileWrites: first.writes,
      created: first.report.created.length,
      published: first.report.published.length,
      eventCreated: first.report.eventCreated,
    },
    reimportUnchanged: {
      medianMs: ms(med(1)),
      minMs: ms(Math.min(...all.map((x) => x.steps[1].ms))),
      fileWrites: unchanged.writes,
      zeroWritesEveryRound: unchangedWrites.every((w) => w === 0),
      unchanged: unchanged.report.unchanged,
      updated: unchanged.report.updated.length,
    },
    reimportTitlesEdited: {
      editedTitles: editedCount,
      medianMs: ms(med(2)),
      minMs: ms(Math.min(...all.map((x) => x.steps[2].ms))),
      fileWrites: changed.writes,
      updated: changed.report.updated.length,
      unchanged: changed.report.unchanged,
    },
  };
}
