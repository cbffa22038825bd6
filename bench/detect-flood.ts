/**
 * `detectFlood`: does an abusive client flooding the public `POST /api/mentions/detect` hurt
 * everyone else? p50/p99 of `GET /api/lookup` (one client, sequential requests) with no flood and
 * while 20 concurrent connections from one client POST 60 KB posts to detect as fast as answered,
 * with detection on the main thread (`TALKREEL_DETECT_WORKER=off`, before) and in the worker
 * (`on`, the default), in the same run.
 *
 * Method: the real app in its own process (bench/http-server.ts `app`, demo catalogue seeded, the
 * same middleware as production); lookups and the flood from this process, 8 s per phase
 * (`--quick` 3 s). Anonymous detection is limited to 64 KiB per post and 30 requests a minute per
 * client, so the flood is mostly answered 429 after its first 30 posts; the numbers show what that
 * leaves for everyone else.
 *
 * Also:
 * - `detectCost`: what one detection costs where it runs (in-process, demo catalogue): the pure
 *   detection of the 60 KB flood post and of a 1 MiB post (the post size limit: what a Webmention
 *   source or an admin submission may send) on the main thread, against the round trip through the
 *   worker of a 5 KB post minus its pure detection (the worker's overhead per request);
 * - `memory`: RSS with 100,000 talks (`--quick`: 10,000) without and with the worker, the worker's
 *   build time, and a restart (bench/detect-worker-child.ts).
 */
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { seedIfEmpty } from '../src/seed.ts';
import { detectMentions } from '../src/mentions/detect.ts';
import { extractText } from '../src/text/extract.ts';
import type { DetectMemory } from './detect-worker-child.ts';
import {
  forkChild,
  makeTempDir,
  median,
  ms,
  nextMessage,
  percentile,
  progress,
  stopChild,
  type BenchOptions,
} from './util.ts';

const QUERIES = [
  'mcclain neutron',
  'havana icehouse',
  'segments services',
  'carrez',
  'heat orchestration',
  'swift storage',
];

async function lookups(base: string, seconds: number): Promise<{ n: number; p50: number; p99: number }> {
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i += 1) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/lookup?q=${encodeURIComponent(QUERIES[i % QUERIES.length]!)}`);
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
  }
  return { n: samples.length, p50: ms(percentile(samples, 50)), p99: ms(percentile(samples, 99)) };
}

const SENTENCE = 'At the summit Mark McClain explained Neutron and Havana to Icehouse. ';
const FLOOD_POST = SENTENCE.repeat(850).slice(0, 60_000);

async function flood(base: string, until: { stop: boolean }): Promise<Record<number, number>> {
  const text = FLOOD_POST;
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (!until.stop) {
        const res = await fetch(`${base}/api/mentions/detect`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        }).catch(() => undefined);
        if (!res) continue;
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

type Phase = {
  lookupQuiet: { n: number; p50: number; p99: number };
  lookupDuringFlood: { n: number; p50: number; p99: number };
  p99Ratio: number;
  floodAnswers: Record<number, number>;
};

/** Lookups alone, then during the flood, against the app child with the worker on or off. */
async function floodPhase(dataDir: string, worker: 'on' | 'off', seconds: number): Promise<Phase> {
  const child = forkChild('http-server.ts', ['app', dataDir, worker]);
  try {
    const ready = await nextMessage(
      child,
      (m: unknown): m is { ready: true; port: number } => typeof m === 'object' && m !== null && 'ready' in m,
      60_000,
    );
    const base = `http://127.0.0.1:${ready.port}`;
    await lookups(base, 1); // warm-up
    progress(`detectFlood (worker ${worker}): lookups without a flood (${seconds} s)`);
    const quiet = await lookups(base, seconds);
    progress(`detectFlood (worker ${worker}): lookups while one client floods /api/mentions/detect (${seconds} s)`);
    const until = { stop: false };
    const flooding = flood(base, until);
    const loud = await lookups(base, seconds);
    until.stop = true;
    const statuses = await flooding;
    return {
      lookupQuiet: quiet,
      lookupDuringFlood: loud,
      p99Ratio: Math.round((loud.p99 / Math.max(quiet.p99, 0.001)) * 100) / 100,
      floodAnswers: statuses,
    };
  } finally {
    await stopChild(child);
  }
}

/** Median of `runs` timings of `fn`, ms. */
async function timeMedian(runs: number, fn: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return ms(median(samples));
}

/** Where one detection's time goes: on the main thread, or the worker's overhead per request. */
async function detectCost(dataDir: string, quick: boolean): Promise<object> {
  const services = await createServices(
    loadConfig({ TALKREEL_DATA_DIR: dataDir, TALKREEL_JOBS: 'off', LOG_LEVEL: 'silent' }),
    createLogger('silent'),
  );
  await services.detector?.started();
  try {
    const runs = quick ? 5 : 20;
    const small = extractText(SENTENCE.repeat(75).slice(0, 5_000));
    const flood = extractText(FLOOD_POST);
    const huge = extractText(SENTENCE.repeat(15_000).slice(0, 1024 * 1024));
    const inThread = (doc: typeof small) => detectMentions(doc, services.mentions);
    const viaWorker = (doc: typeof small) => services.detector!.detect(doc, { offThreadOnly: true });
    await viaWorker(small);
    const small5kInThreadMs = await timeMedian(runs, () => inThread(small));
    const small5kViaWorkerMs = await timeMedian(runs, () => viaWorker(small));
    return {
      flood60kInThreadMs: await timeMedian(runs, () => inThread(flood)),
      post1MiBInThreadMs: await timeMedian(quick ? 2 : 5, () => inThread(huge)),
      small5kInThreadMs,
      small5kViaWorkerMs,
      workerOverheadMs: ms(small5kViaWorkerMs - small5kInThreadMs),
    };
  } finally {
    await services.close();
  }
}

async function memory(talks: number, worker: 'on' | 'off'): Promise<DetectMemory> {
  progress(`detectFlood: memory with ${talks} talks, worker ${worker}`);
  const child = forkChild('detect-worker-child.ts', [String(talks), worker], ['--expose-gc']);
  try {
    return await nextMessage(
      child,
      (m: unknown): m is DetectMemory => typeof m === 'object' && m !== null && 'rssMb' in m,
      900_000,
    );
  } finally {
    await stopChild(child);
  }
}

export async function benchDetectFlood(opts: BenchOptions): Promise<object> {
  const seconds = opts.quick ? 3 : 8;
  const dir = makeTempDir('talkreel-bench-flood-');
  try {
    const services = await createServices(
      loadConfig({ TALKREEL_DATA_DIR: dir.dir, TALKREEL_JOBS: 'off', LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    await seedIfEmpty(services);
    await services.close();
    const withoutWorker = await floodPhase(dir.dir, 'off', seconds);
    const withWorker = await floodPhase(dir.dir, 'on', seconds);
    progress('detectFlood: cost of one detection, in-thread and through the worker');
    const cost = await detectCost(dir.dir, opts.quick);
    const talks = opts.quick ? 10_000 : 100_000;
    const memoryOff = await memory(talks, 'off');
    const memoryOn = await memory(talks, 'on');
    return {
      withoutWorker,
      withWorker,
      detectCost: cost,
      memory: {
        talks,
        off: memoryOff,
        on: memoryOn,
        rssRatio: Math.round((memoryOn.rssMb / memoryOff.rssMb) * 100) / 100,
      },
    };
  } finally {
    dir.remove();
  }
}
