/**
 * `mentionSpeed`: time to detect the mentions in one ~5 KB recap post against catalogues of 1,000,
 * 10,000 and 100,000 talks, and the same against a naive detector.
 *
 * Method
 * - One synthetic catalogue of 100,000 talks (bench/synthetic.ts, seed 1); the smaller ones are its
 *   first 1k / 10k talks and their events, so they are nested and every talk the post names exists
 *   at every size. Records are the full domain shape (bench/util.ts `toDomain`: schedule URLs,
 *   recordings for one talk in three).
 * - The index is built the way the app builds it: an in-memory `LowdbStore` holding the events and
 *   talks (one commit), then `createServices(config, logger, { store })`, which attaches the search
 *   index and the `MentionIndex`. `buildMs` is that `createServices` call.
 * - The post: an HTML page (~5 KB of visible text inside navigation, sidebar and footer) about nine
 *   talks of one event among the first 1,000 talks: full speaker names, possessives, surnames
 *   alone, titles in full and in part, a schedule link and a recording link, the event's name, and
 *   filler prose with generic conference words. It is the same post at every size.
 * - Ours: `services.posts.detect({ html })` (extraction + detection, as the API runs it) and the
 *   pure `detectMentions(doc, services.mentions)` on the pre-extracted document. ≥ 50 timed runs
 *   after 10 untimed warm-up runs; median and p99. `controlNoNames`: pure detection on filler prose
 *   of similar length that names nothing, to separate the cost of the catalogue's size from the cost
 *   of the names the post contains.
 * - Naive: one case-insensitive RegExp per talk, the alternation of its title and each speaker's
 *   name (escaped), compiled once (`naiveBuildMs`), each `test`ed against the post's plain text;
 *   the talks whose RegExp matches are its mentions. Timed per post over as many runs as fit in a
 *   ~15 s budget per size (at least 3, at most 50).
 * - `ratio100kTo1k` = ours' median at 100k / at 1k (flat is ≈ 1); `speedup` = naive median / ours.
 */
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { openLowdbStore, openMemoryStore } from '../src/store/open.ts';
import { detectMentions } from '../src/mentions/detect.ts';
import { syntheticCatalogue, type SyntheticCatalogue, type SyntheticTalk } from './synthetic.ts';
import {
  heapUsedMb,
  makeTempDir,
  median,
  ms,
  percentile,
  progress,
  round,
  since,
  toDomain,
  tryGc,
  type BenchOptions,
} from './util.ts';

const PUBLIC_URL = 'https://talkreel.example';
const WARMUP_RUNS = 10;
const NAIVE_BUDGET_MS = 15_000;

/** The first `n` talks of `cat` and the events they belong to. */
function prefixOf(cat: SyntheticCatalogue, n: number): SyntheticCatalogue {
  const talks = cat.talks.slice(0, n);
  const eventIds = new Set(talks.map((t) => t.eventId));
  return { events: cat.events.filter((e) => eventIds.has(e.id)), talks };
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Generic conference prose: words every recap uses, none of them a mention by itself. */
const FILLER = [
  'The venue was easy to reach from the station, and the organisers had clearly learned from last year: shorter queues at registration, more power sockets, and coffee that was actually hot.',
  'As usual the hallway track was at least as valuable as the talks themselves; I had three long conversations about observability and deployment pipelines that will change what we do next quarter.',
  'The keynote room filled up fast in the morning, so if you go next year, arrive early or expect to stand at the back.',
  'Most sessions were recorded, and the organisers promised the videos within a few weeks, which matters because two of the tracks clashed badly in the afternoon.',
  'Lunch was better than at most conferences of this size, and the sponsors kept their booths to one corridor, which I appreciated.',
  'A recurring theme across the talks was that the hard problems are rarely technical: documentation, ownership and on-call rotations came up again and again.',
  'I skipped the lightning talks this time, which I regret; several people told me afterwards they were the best part of the day.',
  'There was a lot of talk about security, performance and testing in the hallway, but surprisingly little on stage about cost, which is what my manager asks about first.',
  'The community feel of this event is what keeps bringing me back: speakers stay for the whole day, and it is easy to continue a discussion over dinner.',
  'If I have one complaint, it is that the schedule had too many parallel tracks for a conference of this size, so everyone missed something they wanted to see.',
];

const capital = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/** A realistic ~5 KB recap post (HTML) about nine talks of one event among the first 1,000 of `cat`. */
export function speedPost(cat: SyntheticCatalogue): { html: string; named: SyntheticTalk[]; textBytes: number } {
  // One event among the first 1,000 talks (so present at every size), and nine of its talks.
  const event = cat.events[2];
  const pool = cat.talks.slice(0, 1000).filter((t) => t.eventId === event?.id);
  const named = [1, 5, 9, 14, 20, 27, 33, 41, 46]
    .map((i) => pool[i])
    .filter((t): t is SyntheticTalk => t !== undefined);
  const scheduleUrl = (t: SyntheticTalk): string =>
    `https://${t.eventId}.conf.example/talk/${cat.talks.indexOf(t) + 1}/`;
  const surname = (name: string): string => name.split(' ').at(-1) ?? name;
  const firstName = (name: string): string => name.split(' ')[0] ?? name;
  const partOf = (title: string): string =>
    title
      .split(' ')
      .slice(0, Math.max(2, Math.ceil(title.split(' ').length / 2)))
      .join(' ')
      .toLowerCase();
  const paragraphs: string[] = [];
  let f = 0;
  const filler = (): string => FILLER[f++ % FILLER.length] ?? '';
  paragraphs.push(
    `I spent two days at ${esc(event?.name ?? 'the conference')} in ${esc(event?.city ?? 'town')} this year. ${filler()} Here are the talks I keep thinking about, in the order I saw them.`,
  );
  named.forEach((t, i) => {
    const speaker = t.speakers[0]?.name ?? 'the speaker';
    let p: string;
    switch (i % 4) {
      case 0:
        p = `${esc(speaker)}’s talk “${esc(t.title)}” opened the ${i === 0 ? 'morning' : 'afternoon'} for me. ${esc(firstName(speaker))} started from the basics and built up to a live demo that, for once, worked the first time. ${filler()}`;
        break;
      case 1:
        p = `Then ${esc(surname(speaker))} on ${esc(partOf(t.title))} — <a href="${scheduleUrl(t)}">the abstract is on the schedule</a>. The slides were dense but the argument was clear, and the questions afterwards went on well past the slot. ${filler()}`;
        break;
      case 2:
        p = `After lunch I caught ${esc(speaker)}, whose session was called <em>${esc(t.title)}</em>. ${esc(capital(surname(speaker)))} was honest about what did not work, which is rarer than it should be. ${filler()}`;
        break;
      default:
        p = `Finally, ${esc(speaker.toLowerCase())}'s ${esc(partOf(t.title))} session (<a href="https://media.example/v/${t.id}">recording</a>) was the most practical of the day; I took four pages of notes. ${filler()}`;
    }
    paragraphs.push(p);
  });
  paragraphs.push(`${filler()} ${filler()} ${filler()}`);
  paragraphs.push(`${filler()} ${filler()} ${filler()} ${filler()}`);
  paragraphs.push(
    `${filler()} ${filler()} All in all, a good edition of ${esc(event?.name ?? 'the conference')}. ${filler()}`,
  );
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  const html = `<!DOCTYPE html><html><head><title>Notes from ${esc(event?.name ?? 'a conference')}</title></head><body>
<header class="site-header"><nav class="main-navigation"><a href="/">Home</a> <a href="/archive">Archive</a> <a href="/about">About</a></nav></header>
<article class="post"><h1>Notes from ${esc(event?.name ?? 'a conference')}</h1><div class="entry-content">
${body}
</div></article>
<aside class="sidebar"><h3>Recent posts</h3><ul><li><a href="/p/1">Why we moved our builds</a></li><li><a href="/p/2">A year of on-call</a></li></ul></aside>
<footer class="site-footer">© the author · <a href="/rss">RSS</a></footer>
</body></html>`;
  const textBytes = Buffer.byteLength(body.replace(/<[^>]*>/g, ''), 'utf8');
  return { html, named, textBytes };
}

/** One case-insensitive RegExp per talk: the alternation of its title and speaker names. */
function naiveIndex(talks: readonly SyntheticTalk[]): { ids: string[]; res: RegExp[] } {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ids: string[] = [];
  const res: RegExp[] = [];
  for (const t of talks) {
    ids.push(t.id);
    res.push(new RegExp([t.title, ...t.speakers.map((s) => s.name)].map(escape).join('|'), 'i'));
  }
  return { ids, res };
}

function naiveDetect(index: { ids: string[]; res: RegExp[] }, text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < index.res.length; i++) if (index.res[i]?.test(text)) out.push(index.ids[i] ?? '');
  return out;
}

export async function benchMentionSpeed(opts: BenchOptions): Promise<object> {
  const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const runs = opts.quick ? 20 : 50;
  const full = syntheticCatalogue(Math.max(...sizes), 1);
  const post = speedPost(full);
  const namedIds = new Set(post.named.map((t) => t.id));
  progress(
    `mentionSpeed: post of ${post.html.length} bytes HTML, ${post.textBytes} bytes of text, naming ${namedIds.size} talks`,
  );
  const results: Record<string, object> = {};
  const medians = new Map<number, { service: number; pure: number; naive: number }>();
  // The smallest catalogue stays open until the largest is measured: then both are timed turn by
  // turn in one loop, so load from outside the benchmark weighs on both sides of the ratio alike.
  let smallest: { services: Awaited<ReturnType<typeof createServices>>; remove: () => void } | undefined;
  let interleaved: object | null = null;

  for (const size of sizes) {
    const cat = prefixOf(full, size);
    const { events, talks } = toDomain(cat);
    const tmp = makeTempDir('talkreel-bench-mspeed-');
    const store = await openMemoryStore();
    await store.load({ events, talks });
    tryGc();
    const t0 = performance.now();
    const services = await createServices(
      loadConfig({
        TALKREEL_DATA_DIR: tmp.dir,
        TALKREEL_JOBS: 'off',
        TALKREEL_PUBLIC_URL: PUBLIC_URL,
        LOG_LEVEL: 'silent',
        // Detection itself, on this thread (the worker's round trip is measured by `detectFlood`).
        TALKREEL_DETECT_WORKER: 'off',
      }),
      createLogger('silent'),
      {
        store,
      },
    );
    const buildMs = since(t0);
    try {
      const doc = services.posts.document({ html: post.html });
      const textBytes = Buffer.byteLength(doc.text, 'utf8');

      // Ours, through the service (extraction + detection).
      let mentions = await services.posts.detect({ html: post.html });
      for (let i = 0; i < WARMUP_RUNS; i++) mentions = await services.posts.detect({ html: post.html });
      const serviceSamples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await services.posts.detect({ html: post.html });
        serviceSamples.push(since(s));
      }
      // Ours, pure detection on the extracted document.
      for (let i = 0; i < WARMUP_RUNS; i++) detectMentions(doc, services.mentions);
      const pureSamples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        detectMentions(doc, services.mentions);
        pureSamples.push(since(s));
      }
      const found = mentions.filter((m) => namedIds.has(m.talkId)).length;
      // Control: the same prose without any name, title or link (what the catalogue size costs by itself).
      const control = services.posts.document({
        html: `<article><h1>Notes</h1>${FILLER.map((p) => `<p>${p} ${p} ${p}</p>`).join('')}</article>`,
      });
      for (let i = 0; i < WARMUP_RUNS; i++) detectMentions(control, services.mentions);
      const controlSamples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        detectMentions(control, services.mentions);
        controlSamples.push(since(s));
      }

      // Naive.
      const nb = performance.now();
      const naive = naiveIndex(cat.talks);
      const naiveBuildMs = since(nb);
      let naiveFound = naiveDetect(naive, doc.text);
      naiveFound = naiveDetect(naive, doc.text);
      const naiveSamples: number[] = [];
      const budgetStart = performance.now();
      while (naiveSamples.length < runs && (naiveSamples.length < 3 || since(budgetStart) < NAIVE_BUDGET_MS)) {
        const s = performance.now();
        naiveDetect(naive, doc.text);
        naiveSamples.push(since(s));
      }

      const m = { service: median(serviceSamples), pure: median(pureSamples), naive: median(naiveSamples) };
      medians.set(size, m);
      results[String(size)] = {
        talks: talks.length,
        events: events.length,
        buildMs: ms(buildMs),
        heapUsedMb: heapUsedMb(),
        postTextBytes: textBytes,
        service: { runs: serviceSamples.length, medianMs: ms(m.service), p99Ms: ms(percentile(serviceSamples, 99)) },
        pure: { runs: pureSamples.length, medianMs: ms(m.pure), p99Ms: ms(percentile(pureSamples, 99)) },
        controlNoNames: {
          textBytes: Buffer.byteLength(control.text, 'utf8'),
          medianMs: ms(median(controlSamples)),
          p99Ms: ms(percentile(controlSamples, 99)),
        },
        mentionsReported: mentions.length,
        namedTalksFound: `${found}/${namedIds.size}`,
        naive: {
          runs: naiveSamples.length,
          buildMs: ms(naiveBuildMs),
          medianMs: ms(m.naive),
          p99Ms: ms(percentile(naiveSamples, 99)),
          matches: naiveFound.length,
          namedTalksFound: `${naiveFound.filter((id) => namedIds.has(id)).length}/${namedIds.size}`,
        },
        speedup: { service: round(m.naive / m.service, 1), pure: round(m.naive / m.pure, 1) },
      };
      progress(
        `mentionSpeed: ${size} talks: service ${ms(m.service)} ms, pure ${ms(m.pure)} ms, naive ${ms(m.naive)} ms (${naiveSamples.length} runs)`,
      );
      if (smallest && size === sizes.at(-1)) interleaved = timeInterleaved(doc, smallest.services, services, runs * 4);
    } finally {
      if (size === sizes[0] && sizes.length > 1) smallest = { services, remove: () => tmp.remove() };
      else {
        await services.close();
        tmp.remove();
      }
    }
    tryGc();
  }
  if (smallest) {
    await smallest.services.close();
    smallest.remove();
  }
  const small = medians.get(sizes[0] ?? 1_000);
  const large = medians.get(sizes.at(-1) ?? 100_000);
  const key = `ratio${(sizes.at(-1) ?? 0) / 1000}kTo1k`;
  return {
    method:
      'median/p99 of services.posts.detect({html}) and of detectMentions(doc) on one ~5 KB post; naive = one case-insensitive RegExp per talk (title | speakers)',
    post: { htmlBytes: post.html.length, textBytes: post.textBytes, namedTalks: namedIds.size },
    sizes: results,
    [key]:
      small && large
        ? {
            service: round(large.service / small.service, 2),
            pure: round(large.pure / small.pure, 2),
            naive: round(large.naive / small.naive, 1),
          }
        : null,
    interleaved,
  };
}

type DetectServices = Awaited<ReturnType<typeof createServices>>;

/** Pure detection on the smallest and the largest catalogue, one run of each in turn. */
function timeInterleaved(
  doc: Parameters<typeof detectMentions>[0],
  small: DetectServices,
  large: DetectServices,
  runs: number,
) {
  for (let i = 0; i < WARMUP_RUNS; i++) {
    detectMentions(doc, small.mentions);
    detectMentions(doc, large.mentions);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let s = performance.now();
    detectMentions(doc, small.mentions);
    a.push(since(s));
    s = performance.now();
    detectMentions(doc, large.mentions);
    b.push(since(s));
  }
  return {
    method: 'pure detection, smallest and largest catalogue timed turn by turn in one loop',
    runs,
    smallest: { talks: small.mentions.size, medianMs: ms(median(a)), p99Ms: ms(percentile(a, 99)) },
    largest: { talks: large.mentions.size, medianMs: ms(median(b)), p99Ms: ms(percentile(b, 99)) },
    ratio: round(median(b) / median(a), 2),
  };
}
