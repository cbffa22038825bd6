/**
 * `detectFlood`: does an abusive client flooding the public `POST /api/mentions/detect` hurt
 * everyone else? p50/p99 of `GET /api/lookup` (one client, sequential requests) with no flood and
 * while 20 concurrent connections from one client POST 60 KB posts to detect as fast as answered.
 *
 * Method: the real app in its own process (bench/http-server.ts `app`, demo catalogue seeded, the
 * same middleware as production); lookups and the flood from this process, 8 s per phase
 * (`--quick` 3 s). Anonymous detection is limited to 64 KiB per post and 30 requests a minute per
 * client, so the flood is mostly answered 429 after its first 30 posts; the numbers show what that
 * leaves for everyone else.
 */
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { seedIfEmpty } from '../src/seed.ts';
import { forkChild, makeTempDir, ms, nextMessage, percentile, progress, stopChild, type BenchOptions } from './util.ts';

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

async function flood(base: string, until: { stop: boolean }): Promise<Record<number, number>> {
  const text = 'At the summit Mark McClain explained Neutron and Havana to Icehouse. '.repeat(850).slice(0, 60_000);
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

export async function benchDetectFlood(opts: BenchOptions): Promise<object> {
  const seconds = opts.quick ? 3 : 8;
  const dir = makeTempDir('talkreel-bench-flood-');
  const services = await createServices(
    loadConfig({ TALKREEL_DATA_DIR: dir.dir, TALKREEL_JOBS: 'off', LOG_LEVEL: 'silent' }),
    createLogger('silent'),
  );
  await seedIfEmpty(services);
  await services.close();
  const child = forkChild('http-server.ts', ['app', dir.dir]);
  try {
    const ready = await nextMessage(
      child,
      (m: unknown): m is { ready: true; port: number } => typeof m === 'object' && m !== null && 'ready' in m,
      60_000,
    );
    const base = `http://127.0.0.1:${ready.port}`;
    await lookups(base, 1); // warm-up
    progress(`detectFlood: lookups without a flood (${seconds} s)`);
    const quiet = await lookups(base, seconds);
    progress(`detectFlood: lookups while one client floods /api/mentions/detect (${seconds} s)`);
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
    dir.remove();
  }
}
