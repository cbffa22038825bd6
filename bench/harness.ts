/**
 * Child processes shared by the HTTP benchmarks: a server child (announces `{ ready, port, … }`)
 * and the autocannon load generator (bench/http-loadgen.ts), each in its own process.
 */
import type { Result } from 'autocannon';
import type { LoadJob } from './http-loadgen.ts';
import { forkChild, nextMessage, stopChild } from './util.ts';

type Ready = { ready: true; port: number; talks?: number };
const isReady = (m: unknown): m is Ready => typeof m === 'object' && m !== null && 'ready' in m;
const isListening = (m: unknown): m is { listening: true } => typeof m === 'object' && m !== null && 'listening' in m;
const isDone = (m: unknown): m is { done: true; result: Result } => typeof m === 'object' && m !== null && 'done' in m;

/** Fork a server script and wait until it listens. */
export async function startServerChild(
  script: string,
  args: readonly string[],
): Promise<{ url: string; talks: number; stop: () => Promise<void> }> {
  const child = forkChild(script, args);
  try {
    const ready = await nextMessage(child, isReady, 60_000);
    return { url: `http://127.0.0.1:${ready.port}`, talks: ready.talks ?? 0, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** Run one autocannon job in its own process. */
export async function runLoad(job: LoadJob): Promise<Result> {
  const child = forkChild('http-loadgen.ts');
  try {
    await nextMessage(child, isListening, 30_000);
    child.send(job);
    const { result } = await nextMessage(child, isDone, (job.durationSec + job.warmupSec + 60) * 1000);
    return result;
  } finally {
    await stopChild(child);
  }
}
