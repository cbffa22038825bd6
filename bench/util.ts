/**
 * Shared helpers of the benchmark harness: options, progress logging, statistics, rounding,
 * temp directories and child processes that are always cleaned up, and the conversion of the
 * synthetic catalogue (bench/synthetic.ts) into full domain records.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Event, Recording, Talk } from '../src/catalogue/types.ts';
import { slugify } from '../src/catalogue/ids.ts';
import type { SyntheticCatalogue, SyntheticEvent, SyntheticTalk } from './synthetic.ts';

/** Options every benchmark receives from `bench/run.ts`. */
export type BenchOptions = {
  /** Smoke run: smaller sizes and shorter durations (whole suite well under a minute). */
  readonly quick: boolean;
};

/** A benchmark module's entry point: returns a JSON-serialisable result object. */
export type Benchmark = (opts: BenchOptions) => Promise<object>;

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.resolve(BENCH_DIR, '..');

/** Progress goes to stderr; stdout is reserved for the single JSON result. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------- numbers

/** Round to `digits` decimals. */
export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Milliseconds rounded to a precision that fits their magnitude (µs below 10 ms). */
export function ms(x: number): number {
  return round(x, x < 10 ? 3 : x < 1000 ? 1 : 0);
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;

/** Milliseconds elapsed since `start` (a `performance.now()` reading). */
export const since = (start: number): number => performance.now() - start;

export { prng } from './synthetic.ts';

export function heapUsedMb(): number {
  return round(process.memoryUsage().heapUsed / 2 ** 20, 1);
}

/** Ask V8 for a full GC when exposed (`--expose-gc`); a no-op otherwise. */
export function tryGc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

// ---------------------------------------------------------------- cleanup registry

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();

/** A fresh directory under os.tmpdir(), removed by {@link cleanupAll} (and on exit) unless removed before. */
export function makeTempDir(prefix = 'talkreel-bench-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** Kill every child still running and remove every temp dir still present. Synchronous: safe in 'exit'. */
export function cleanupAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** The tsx ESM loader, so forked children run TypeScript like `tsx` does. */
const TSX_LOADER = import.meta.resolve('tsx');

/**
 * Fork `bench/<script>` (TypeScript, through the tsx loader) with an IPC channel. The child is
 * registered for cleanup and is expected to exit when the channel closes (parent gone).
 */
export function forkChild(
  script: string,
  args: readonly string[] = [],
  execArgv: readonly string[] = [],
): ChildProcess {
  const child = fork(path.join(BENCH_DIR, script), [...args], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', TSX_LOADER, ...execArgv],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'production' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Resolve with the first IPC message satisfying `accept`; reject if the child exits first or on timeout. */
export function nextMessage<T>(child: ChildProcess, accept: (m: unknown) => m is T, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`child ${child.pid} sent no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: unknown): void => {
      if (typeof m === 'object' && m !== null && 'error' in m)
        finish(new Error(`child ${child.pid}: ${String((m as { error: unknown }).error)}`));
      else if (accept(m)) finish(undefined, m);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`child ${child.pid} exited (code ${code}, signal ${signal}) before answering`));
    const finish = (err: Error | undefined, value?: T): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Ask a child to stop (SIGTERM), then SIGKILL after `graceMs`. Resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** In a child: exit when the parent goes away, and report uncaught failures over IPC. */
export function childGuards(): void {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const fail = (err: unknown): void => {
    process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 50);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

// ---------------------------------------------------------------- synthetic → domain

const FIXED_TIME = '2024-01-01T00:00:00.000Z';

/** A deterministic UUID-shaped guid for talk number `n`. */
export function guidFor(n: number, namespace = 0): string {
  const hex = (v: number, len: number): string => v.toString(16).padStart(len, '0');
  return `7a1c${hex(namespace, 4)}-0000-4000-8000-${hex(n, 12)}`;
}

export function toDomainEvent(e: SyntheticEvent): Event {
  return {
    id: e.id,
    name: e.name,
    aliases: e.aliases,
    acronym: e.acronym,
    city: e.city,
    timezone: 'Europe/Paris',
    startDate: e.startDate,
    endDate: e.startDate,
    url: `https://${e.id}.conf.example/`,
    createdAt: FIXED_TIME,
    updatedAt: FIXED_TIME,
  };
}

/**
 * A full domain Talk from a synthetic one (number `n`, 1-based): guid and schedule id, room, kind,
 * language; one talk in three has a published recording, so API payloads have a realistic size.
 */
export function toDomainTalk(t: SyntheticTalk, n: number): Talk {
  const published = n % 3 === 0;
  const recordingUrl = `https://media.example/v/${t.id}`;
  const recording: Recording | undefined = published
    ? {
        id: `rec_${t.id}`,
        url: recordingUrl,
        provider: 'web',
        language: 'en',
        title: t.title,
        publishedAt: FIXED_TIME,
        discoveredAt: FIXED_TIME,
        match: { method: 'schedule', confidence: 1, evidence: ['listed by the schedule'] },
        key: `url:${recordingUrl}`,
        primary: true,
      }
    : undefined;
  return {
    id: t.id,
    eventId: t.eventId,
    title: t.title,
    subtitle: t.subtitle,
    aliases: [...t.aliases],
    speakers: t.speakers.map((s) => ({ name: s.name })),
    start: t.start,
    durationMinutes: n % 4 === 0 ? 45 : 30,
    room: `Room ${(n % 8) + 1}`,
    track: t.track,
    kind: 'talk',
    language: 'en',
    abstract: t.abstract,
    externalIds: {
      guid: guidFor(n),
      scheduleId: String(n),
      slug: `${t.eventId}-${n}-${slugify(t.title, 50)}`,
      scheduleUrl: `https://${t.eventId}.conf.example/talk/${n}/`,
    },
    recording: recording
      ? { status: 'published', url: recording.url, recordingId: recording.id, publishedAt: FIXED_TIME }
      : { status: 'pending' },
    recordings: recording ? [recording] : [],
    createdAt: FIXED_TIME,
    updatedAt: FIXED_TIME,
  };
}

/** The whole synthetic catalogue as domain records. */
export function toDomain(cat: SyntheticCatalogue): { events: Event[]; talks: Talk[] } {
  return { events: cat.events.map(toDomainEvent), talks: cat.talks.map((t, i) => toDomainTalk(t, i + 1)) };
}
