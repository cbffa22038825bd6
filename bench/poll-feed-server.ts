/**
 * Feed server child of the `pollRun` benchmark (forked by bench/poll-run.ts with an IPC channel).
 *
 *   poll-feed-server.ts <talks> <sources> <seed>
 *
 * Regenerates the synthetic catalogue (bench/synthetic.ts, same `<talks>` and `<seed>` as the
 * parent) and serves one YouTube-shaped Atom feed (15 entries) per source on 127.0.0.1:0 at
 * `/<run>/feeds/videos.xml?channel_id=s<i>`; `<run>` is any prefix the parent picks (one per
 * configuration, so per-source state starts fresh); a prefix ending in `-l<ms>` delays every
 * answer (200 or 304) by `<ms>` milliseconds, like a remote host's round trip. Source `i` belongs to event
 * `floor(i / (sources / events))`. Its behaviour depends on `i % 4`:
 *
 *   0, 1  `etag`      fixed content with a fixed ETag; `If-None-Match` equal to it → 304 (no body)
 *   2     `changing`  a new upload at the top on every request, and a new ETag each time → 200
 *   3     `static`    fixed content, no ETag, no Last-Modified → 200 every time
 *
 * Entries: 13 talks of the source's event (video ids shared by every source of that event, like
 * playlists of one channel; titles decorated per bench/recording-titles.ts), 2 unrelated videos of
 * its own; `changing` sources put one new upload of a talk first (and drop the last talk entry).
 *
 * Sends `{ ready: true, port }` once listening; answers `{ stats: true }` with
 * `{ stats: { requests, ok, notModified, conditional } }` per prefix; exits when the parent goes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { syntheticCatalogue, type SyntheticEvent, type SyntheticTalk } from './synthetic.ts';
import { decoratedTitle, unrelatedTitle, videoId } from './recording-titles.ts';
import { childGuards, prng } from './util.ts';
import { youtubeFeed } from '../test/helpers/feeds.ts';

export type SourceMode = 'etag' | 'changing' | 'static';
export const modeOf = (i: number): SourceMode => (i % 4 < 2 ? 'etag' : i % 4 === 2 ? 'changing' : 'static');
export const TALK_ENTRIES = 13;
export const UNRELATED_ENTRIES = 2;
const TALKS_PER_EVENT = 50;

type Entry = { id: string; title: string; description: string; published: string };

const plusDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T10:00:00Z`) + days * 86_400_000).toISOString().replace('.000Z', '+00:00');

/** Feed generator shared by every source; deterministic for (talks, sources, seed). */
export function feedFactory(talkCount: number, sourceCount: number, seed: number) {
  const cat = syntheticCatalogue(talkCount, seed);
  const events = cat.events;
  const perEvent = Math.ceil(sourceCount / events.length);
  const talksByEvent = new Map<string, SyntheticTalk[]>();
  for (const t of cat.talks) talksByEvent.set(t.eventId, [...(talksByEvent.get(t.eventId) ?? []), t]);
  const eventById = new Map(events.map((e) => [e.id, e]));
  const wordPool = cat.talks.slice(0, 500).flatMap((t) => t.title.toLowerCase().split(' '));

  const eventOf = (i: number): SyntheticEvent => events[Math.min(events.length - 1, Math.floor(i / perEvent))]!;
  const talkEntry = (event: SyntheticEvent, e: number, k: number, id: string): Entry => {
    const talk = talksByEvent.get(event.id)![k]!;
    const random = prng(seed * 7919 + e * 1000 + k);
    return {
      id,
      title: decoratedTitle(talk, event, random).title,
      description: `${talk.speakers.map((s) => s.name).join(', ')} at ${event.name}.\nSlides and more: https://${event.id}.conf.example/`,
      published: plusDays(event.startDate, 20 + (k % 10)),
    };
  };
  /** Entries of source `i` at content version `version` (only `changing` sources depend on it). */
  const entries = (i: number, version: number): Entry[] => {
    const event = eventOf(i);
    const e = events.indexOf(event);
    const talks = talksByEvent.get(event.id)!;
    const out: Entry[] = [];
    if (modeOf(i) === 'changing') {
      const k = (i * 3 + version * 7) % talks.length;
      out.push({
        ...talkEntry(event, e, k, videoId('n', i * 10_000 + version)),
        published: plusDays(event.startDate, 60 + version),
      });
    }
    const talkEntries = modeOf(i) === 'changing' ? TALK_ENTRIES - 1 : TALK_ENTRIES;
    for (let j = 0; j < talkEntries; j++) {
      const k = (i * TALK_ENTRIES + j) % talks.length;
      out.push(talkEntry(event, e, k, videoId('v', e * 1000 + k)));
    }
    for (let j = 0; j < UNRELATED_ENTRIES; j++) {
      const random = prng(seed * 104_729 + i * 10 + j);
      // Another event's talk (an upload of another conference): never one of this event's talks.
      let other = cat.talks[Math.floor(random() * cat.talks.length)]!;
      if (other.eventId === event.id)
        other = cat.talks[(cat.talks.indexOf(other) + TALKS_PER_EVENT) % cat.talks.length]!;
      const u = unrelatedTitle(event, other, eventById.get(other.eventId)!, wordPool, random);
      out.push({
        id: videoId('u', i * 10 + j),
        title: u.title,
        description: 'Not a talk of this event.',
        published: plusDays(event.startDate, 25),
      });
    }
    return out;
  };
  const body = (i: number, version: number): string =>
    youtubeFeed(entries(i, version), `UCbench${String(i).padStart(17, '0')}`);
  return { cat, eventOf, entries, body, perEvent };
}

async function main(): Promise<void> {
  childGuards();
  const [talksArg, sourcesArg, seedArg] = process.argv.slice(2);
  const talkCount = Number(talksArg);
  const sourceCount = Number(sourcesArg);
  const seed = Number(seedArg);
  if (!(talkCount > 0 && sourceCount > 0 && Number.isInteger(seed)))
    throw new Error('usage: poll-feed-server.ts <talks> <sources> <seed>');
  const factory = feedFactory(talkCount, sourceCount, seed);
  const fixed = new Map<number, string>();
  const fixedBody = (i: number): string => {
    let b = fixed.get(i);
    if (b === undefined) fixed.set(i, (b = factory.body(i, 0)));
    return b;
  };
  const versions = new Map<string, number>();
  const stats = new Map<
    string,
    { requests: number; ok: number; notModified: number; conditional: number; notFound: number }
  >();

  const respond = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = url.pathname.split('/')[1] ?? '';
    const st = stats.get(prefix) ?? { requests: 0, ok: 0, notModified: 0, conditional: 0, notFound: 0 };
    stats.set(prefix, st);
    st.requests += 1;
    const ch = /^s(\d+)$/.exec(url.searchParams.get('channel_id') ?? '');
    const i = ch ? Number(ch[1]) : NaN;
    if (!url.pathname.endsWith('/feeds/videos.xml') || !(i >= 0 && i < sourceCount)) {
      st.notFound += 1;
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const inm = req.headers['if-none-match'];
    if (inm) st.conditional += 1;
    const mode = modeOf(i);
    res.setHeader('content-type', 'application/atom+xml; charset=UTF-8');
    if (mode === 'etag') {
      const etag = `"s${i}-fixed"`;
      if (inm === etag) {
        st.notModified += 1;
        res.statusCode = 304;
        res.end();
        return;
      }
      res.setHeader('etag', etag);
      st.ok += 1;
      res.end(fixedBody(i));
      return;
    }
    if (mode === 'changing') {
      const key = `${prefix}|${i}`;
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      res.setHeader('etag', `"s${i}-v${version}"`);
      st.ok += 1;
      res.end(factory.body(i, version));
      return;
    }
    st.ok += 1;
    res.end(fixedBody(i));
  };
  // A prefix ending in `-l<ms>` delays every answer by <ms> (a remote host's latency).
  const server = http.createServer((req, res) => {
    const delay = Number(/-l(\d+)\//.exec(req.url ?? '')?.[1] ?? 0);
    if (delay > 0) setTimeout(() => respond(req, res), delay);
    else respond(req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && 'stats' in m) process.send?.({ stats: Object.fromEntries(stats) });
  });
  process.removeAllListeners('SIGTERM');
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  process.send?.({ ready: true, port });
}

// Only run as a forked child (the parent imports `modeOf` etc. from this module).
if (process.send !== undefined && process.argv[1]?.endsWith('poll-feed-server.ts')) await main();
