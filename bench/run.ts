/**
 * Benchmark harness: `npm run bench [-- --only=<name>[,<name>…]] [-- --quick]`.
 *
 * Prints ONE JSON object to stdout: `{ machine, <benchmark>: {...}, … }`; progress goes to stderr.
 * Each benchmark lives in its own module under bench/ and exports `(opts) => Promise<object>`;
 * add new ones to BENCHMARKS below. `--quick` shrinks sizes and durations for smoke runs.
 * Temp dirs (under os.tmpdir()) and child processes are cleaned up on exit, error or signal.
 */
import os from 'node:os';
import { benchHttpTalkById } from './http.ts';
import { benchLookup } from './lookup.ts';
import { benchLookupQuality } from './lookup-quality.ts';
import { benchStore } from './store.ts';
import { benchStoreAdapters } from './store-adapters.ts';
import { benchImport } from './import.ts';
import { benchPollRun } from './poll-run.ts';
import { benchRecordingMatch } from './recording-match.ts';
import { benchRecordingQuality } from './recording-quality.ts';
import { benchMentionQuality } from './mentions-quality.ts';
import { benchMentionSpeed } from './mentions-speed.ts';
import { benchNotifyFanout } from './notify-fanout.ts';
import { benchStoreFsync } from './store-fsync.ts';
import { benchDetectFlood } from './detect-flood.ts';
import { benchEmbed } from './embed.ts';
import { benchChangeLog } from './change-log.ts';
import { benchClaims } from './claims.ts';
import { cleanupAll, progress, round, type Benchmark } from './util.ts';

/** Benchmarks in run order. */
const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  httpTalkById: benchHttpTalkById,
  lookup: benchLookup,
  lookupQuality: benchLookupQuality,
  store: benchStore,
  storeAdapters: benchStoreAdapters,
  import: benchImport,
  pollRun: benchPollRun,
  recordingMatch: benchRecordingMatch,
  recordingQuality: benchRecordingQuality,
  mentionQuality: benchMentionQuality,
  mentionSpeed: benchMentionSpeed,
  notifyFanout: benchNotifyFanout,
  storeFsync: benchStoreFsync,
  detectFlood: benchDetectFlood,
  embed: benchEmbed,
  changeLog: benchChangeLog,
  claims: benchClaims,
};

function parseArgs(argv: readonly string[]): { only: string[]; quick: boolean } {
  let only: string[] = Object.keys(BENCHMARKS);
  let quick = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) {
      only = arg
        .slice('--only='.length)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = only.filter((n) => !(n in BENCHMARKS));
      if (unknown.length > 0 || only.length === 0) {
        throw new Error(
          `--only: unknown benchmark(s) ${unknown.join(', ') || '(none given)'}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
        );
      }
    } else if (arg === '--help' || arg === '-h') {
      process.stderr.write(`usage: npm run bench -- [--quick] [--only=${Object.keys(BENCHMARKS).join(',')}]\n`);
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg} (try --help)`);
    }
  }
  return { only, quick };
}

function machine(quick: boolean): object {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemGb: round(os.totalmem() / 2 ** 30, 1),
    date: new Date().toISOString(),
    /** Other load on the machine skews results: 1-minute load average at start (and at the end, below). */
    loadAvg1mAtStart: round(os.loadavg()[0] ?? 0, 2),
    quick,
  };
}

async function main(): Promise<void> {
  const { only, quick } = parseArgs(process.argv.slice(2));
  const output: Record<string, unknown> = { machine: machine(quick) };
  const started = performance.now();
  let failed = false;
  for (const name of Object.keys(BENCHMARKS)) {
    if (!only.includes(name)) continue;
    const bench = BENCHMARKS[name];
    if (!bench) continue;
    const t0 = performance.now();
    progress(`${name}: start${quick ? ' (quick)' : ''}`);
    try {
      output[name] = await bench({ quick });
      progress(`${name}: done in ${round((performance.now() - t0) / 1000, 1)} s`);
    } catch (err) {
      failed = true;
      progress(`${name}: FAILED ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      output[name] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  const m = output['machine'] as Record<string, unknown>;
  m['loadAvg1mAtEnd'] = round(os.loadavg()[0] ?? 0, 2);
  m['totalSec'] = round((performance.now() - started) / 1000, 1);
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  if (failed) process.exitCode = 1;
}

process.on('exit', cleanupAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    cleanupAll();
    process.exit(130);
  });
}

try {
  await main();
} catch (err) {
  progress(err instanceof Error ? err.message : String(err));
  process.exitCode = 2;
} finally {
  cleanupAll();
}
