/**
 * Memory child of the `detectFlood` benchmark (forked by bench/detect-flood.ts with an IPC
 * channel): `detect-worker-child.ts <talks> <on|off>` loads a synthetic catalogue of `<talks>`
 * talks (bench/synthetic.ts, seed 1, full domain records) into a memory store, builds the services
 * over it with `TALKREEL_DETECT_WORKER=<on|off>`, and reports:
 * - `servicesMs`: `createServices`, the main thread's time to serving (the worker is launched first
 *   and builds in parallel); `workerReadyMs`: from the same start until the worker is ready;
 * - `rssMb` / `heapUsedMb`: the process's RSS (the worker's heap included: a thread shares the
 *   process) and the main thread's heap, after a GC of the main thread and a 2 s pause;
 * - with the worker: `workerBuildMs` (as the worker measures it: its start → index built), then
 *   a restart (`kill()` → ready): `restartMs`, and the longest main event-loop stall meanwhile
 *   (`restartLoopMaxMs`, what serving requests would feel while the snapshot is sent again).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { openMemoryStore } from '../src/store/open.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { childGuards, heapUsedMb, makeTempDir, round, since, toDomain, tryGc } from './util.ts';

export type DetectMemory = {
  talks: number;
  worker: boolean;
  servicesMs: number;
  workerReadyMs?: number;
  rssMb: number;
  heapUsedMb: number;
  workerBuildMs?: number;
  restartMs?: number;
  restartLoopMaxMs?: number;
};

async function main(): Promise<void> {
  childGuards();
  const n = Number(process.argv[2]);
  const worker = process.argv[3] === 'on';
  if (!Number.isInteger(n) || n <= 0) throw new Error('usage: detect-worker-child.ts <talks> <on|off>');
  const store = openMemoryStore();
  await store.load(toDomain(syntheticCatalogue(n, 1)));
  tryGc();
  const dir = makeTempDir('talkreel-bench-detect-mem-');
  const config = loadConfig({
    TALKREEL_DATA_DIR: dir.dir,
    TALKREEL_JOBS: 'off',
    TALKREEL_PUBLIC_URL: 'https://talkreel.example',
    LOG_LEVEL: 'silent',
    TALKREEL_DETECT_WORKER: worker ? 'on' : 'off',
  });
  const t0 = performance.now();
  const services = await createServices(config, createLogger('silent'), { store });
  const servicesMs = since(t0);
  await services.detector?.started();
  const workerReadyMs = since(t0);
  tryGc();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const result: DetectMemory = {
    talks: (await store.stats()).counts.talks,
    worker,
    servicesMs: round(servicesMs, 0),
    rssMb: round(process.memoryUsage().rss / 1024 / 1024, 0),
    heapUsedMb: round(heapUsedMb(), 0),
  };
  if (services.detector) {
    result.workerReadyMs = round(workerReadyMs, 0);
    result.workerBuildMs = services.detector.status().buildMs;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t1 = performance.now();
    await services.detector.kill();
    await services.detector.whenReady();
    result.restartMs = round(since(t1), 0);
    loop.disable();
    result.restartLoopMaxMs = round(loop.max / 1e6, 1);
  }
  await services.close();
  dir.remove();
  process.send?.(result, () => process.exit(0));
}

await main();
