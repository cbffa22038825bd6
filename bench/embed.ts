/**
 * `embed`: the talk-list embed of a 500-talk event.
 *
 * Method
 * - Render: 500 synthetic talks (bench/synthetic.ts) moved into one event, one in three published
 *   with a YouTube recording (so every third row carries a click-to-load player). Views + the
 *   framable document (`renderListDocument`), the fragment and the JSON are built in this process:
 *   the first build (cold: JIT, no cache) and the median / p95 over `repeats` further builds. Then
 *   the EmbedService over a memory store: the first `/embed/list` build (store reads + render) and
 *   a cached answer.
 * - Revalidation throughput: the same catalogue in a lowdb temp dir; the real app
 *   (bench/embed-server.ts `app`: createServices + createApp(extraRoutes)) in a child process,
 *   against a bare Koa + @koa/router child serving the very bytes and ETag the app answered, with
 *   the same headers and the same `notModified` rule. autocannon (bench/http-loadgen.ts, its own
 *   child) sends `GET /embed/list?event=…` with the current `If-None-Match`, so every answer is
 *   a 304; 50 connections, alternating bare/app over `rounds` rounds, means reported.
 *
 * Caveats: as in `httpTalkById`, on a machine with few cores the load generator and the server
 * compete for CPU; autocannon latencies have 1 ms resolution.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Event, Talk } from '../src/catalogue/types.ts';
import { openLowdbStore, openMemoryStore } from '../src/store/open.ts';
import { talkView } from '../src/embed/talk-view.ts';
import { listJson, renderListDocument, renderListFragment } from '../src/embed/list.ts';
import { EmbedService } from '../src/embed/embed-service.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { runLoad, startServerChild } from './harness.ts';
import type { BareBody } from './embed-server.ts';
import { makeTempDir, mean, ms, percentile, progress, round, since, toDomain, type BenchOptions } from './util.ts';

const PUBLIC_URL = 'http://talkreel.bench';
const TALKS = 500;

/** One event of 500 talks; every third published on YouTube. */
function catalogue(): { event: Event; talks: Talk[] } {
  const { events, talks } = toDomain(syntheticCatalogue(TALKS, 11));
  const event = { ...events[0]!, name: 'Embed Bench Conf 2024' };
  return {
    event,
    talks: talks.map((t, i) => {
      const moved = { ...t, eventId: event.id };
      if (t.recording.status !== 'published') return moved;
      const url = `https://www.youtube.com/watch?v=${`v${String(i).padStart(10, '0')}`}`;
      return {
        ...moved,
        recording: { ...t.recording, url },
        recordings: t.recordings.map((r) => ({ ...r, url, provider: 'youtube', key: `url:${url}` })),
      };
    }),
  };
}

function timeRepeats(repeats: number, fn: () => unknown): { coldMs: number; p50Ms: number; p95Ms: number } {
  const t0 = performance.now();
  fn();
  const coldMs = since(t0);
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    samples.push(since(t));
  }
  return { coldMs: ms(coldMs), p50Ms: ms(percentile(samples, 50)), p95Ms: ms(percentile(samples, 95)) };
}

async function benchRender(repeats: number): Promise<object> {
  const { event, talks } = catalogue();
  const views = () => talks.map((t) => talkView(t, event, PUBLIC_URL));
  const title = `Talks: ${event.name}`;
  const document = timeRepeats(repeats, () => renderListDocument({ title, talks: views() }, { publicUrl: PUBLIC_URL }));
  const compact = timeRepeats(repeats, () =>
    renderListDocument({ title, talks: views() }, { publicUrl: PUBLIC_URL, compact: true }),
  );
  const fragment = timeRepeats(repeats, () => renderListFragment({ title, talks: views() }, { publicUrl: PUBLIC_URL }));
  const json = timeRepeats(repeats, () => JSON.stringify(listJson({ title, talks: views() })));
  const bytes = renderListDocument({ title, talks: views() }, { publicUrl: PUBLIC_URL }).length;

  // Through the service: store reads + views + render + hash, then a cached answer.
  const store = openMemoryStore();
  await store.load({ events: [event], talks });
  const service = new EmbedService({ store, searchTalkIds: () => [], publicUrl: PUBLIC_URL });
  const req = { selector: { kind: 'event', value: event.id } as const };
  let t = performance.now();
  await service.list('document', req);
  const serviceColdMs = since(t);
  t = performance.now();
  for (let i = 0; i < 1000; i++) await service.list('document', req);
  const cachedUs = (since(t) / 1000) * 1000;
  service.detach();
  await store.close();
  return {
    talks: TALKS,
    published: talks.filter((x) => x.recording.status === 'published').length,
    repeats,
    documentBytes: bytes,
    document,
    compact,
    fragment,
    json,
    service: { firstBuildMs: ms(serviceColdMs), cachedAnswerUs: round(cachedUs, 2) },
  };
}

const startServer = (mode: 'app' | 'bare', arg: string) => startServerChild('embed-server.ts', [mode, arg]);
const load = runLoad;

type Round = { reqPerSec: number; latencyP50Ms: number; latencyP99Ms: number; total: number; not304: number };

export async function benchEmbed(opts: BenchOptions): Promise<object> {
  const repeats = opts.quick ? 10 : 50;
  const connections = 50;
  const durationSec = opts.quick ? 2 : 10;
  const warmupSec = opts.quick ? 1 : 2;
  const rounds = opts.quick ? 1 : 2;

  progress(`embed: render ${TALKS} talks × ${repeats}`);
  const render = await benchRender(repeats);

  const tmp = makeTempDir('talkreel-bench-embed-');
  try {
    const { event, talks } = catalogue();
    const store = await openLowdbStore({ file: path.join(tmp.dir, 'db.json') });
    await store.load({ events: [event], talks });
    await store.close();
    const listPath = `/embed/list?event=${encodeURIComponent(event.id)}&limit=${TALKS}`;

    // The app's answer, handed to the bare server byte for byte.
    const probe = await startServer('app', tmp.dir);
    let served: BareBody;
    try {
      const res = await fetch(probe.url + listPath);
      if (res.status !== 200) throw new Error(`GET ${listPath} answered ${res.status}`);
      served = {
        body: await res.text(),
        etag: res.headers.get('etag') ?? '',
        contentType: res.headers.get('content-type') ?? '',
      };
    } finally {
      await probe.stop();
    }
    const bodyFile = path.join(tmp.dir, 'bare-body.json');
    fs.writeFileSync(bodyFile, JSON.stringify(served));

    const perMode: Record<'app' | 'bare', Round[]> = { bare: [], app: [] };
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['bare', 'app'] as const) {
        const server = await startServer(mode, mode === 'app' ? tmp.dir : bodyFile);
        try {
          // Same bytes, same validator: checked before loading.
          const check = await fetch(server.url + listPath);
          if ((await check.text()) !== served.body || check.headers.get('etag') !== served.etag)
            throw new Error(`${mode} server answers different bytes or ETag`);
          progress(
            `embed: round ${r + 1}/${rounds} ${mode} — ${warmupSec}s warm-up + ${durationSec}s, ${connections} connections, If-None-Match`,
          );
          const result = await load({
            url: server.url,
            paths: [listPath],
            connections,
            durationSec,
            warmupSec,
            headers: { 'if-none-match': served.etag },
          });
          const not304 = result.requests.total - (result.statusCodeStats?.['304']?.count ?? 0);
          const round_: Round = {
            reqPerSec: round(result.requests.average, 0),
            latencyP50Ms: result.latency.p50,
            latencyP99Ms: result.latency.p99,
            total: result.requests.total,
            not304: Math.max(0, not304),
          };
          progress(
            `embed:   ${mode}: ${round_.reqPerSec} req/s, p50 ${round_.latencyP50Ms} ms, ${round_.not304} not 304`,
          );
          perMode[mode].push(round_);
        } finally {
          await server.stop();
        }
      }
    }
    const combine = (rs: Round[]) => ({
      reqPerSec: round(mean(rs.map((x) => x.reqPerSec)), 0),
      latencyP50Ms: round(mean(rs.map((x) => x.latencyP50Ms)), 1),
      latencyP99Ms: round(mean(rs.map((x) => x.latencyP99Ms)), 1),
      not304: rs.reduce((s, x) => s + x.not304, 0),
      rounds: rs,
    });
    const app = combine(perMode.app);
    const bare = combine(perMode.bare);
    return {
      render,
      revalidate304: {
        setup: {
          path: listPath,
          bodyBytes: Buffer.byteLength(served.body),
          connections,
          warmupSec,
          durationSec,
          rounds,
          cpus: os.cpus().length,
        },
        app,
        bare,
        ratioAppToBare: { reqPerSec: round(app.reqPerSec / bare.reqPerSec, 3) },
      },
    };
  } finally {
    tmp.remove();
  }
}
