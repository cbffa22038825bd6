/**
 * `storeFsync`: what `TALKREEL_FSYNC=on` costs on lowdb. The same writes with fsync off and on,
 * over a store holding N talks (2,000; `--quick` 500): (a) 200 sequential `updateTalk` calls (each
 * awaited: one file write, and with fsync two fsyncs, per update), (b) 2,000 concurrent updates
 * (coalesced: many commits share a file write). Temp dir under os.tmpdir() (the disk the data
 * directory would normally be on may differ).
 */
import path from 'node:path';
import { openLowdbStore } from '../src/store/open.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { makeTempDir, ms, progress, round, since, toDomain, type BenchOptions } from './util.ts';

async function run(fsync: boolean, n: number): Promise<object> {
  const dir = makeTempDir('talkreel-bench-fsync-');
  const store = await openLowdbStore({ file: path.join(dir.dir, 'db.json'), fsync });
  try {
    const { events, talks } = toDomain(syntheticCatalogue(n, 2));
    await store.load({ events, talks });
    const sequential = 200;
    let t0 = performance.now();
    for (let i = 0; i < sequential; i += 1)
      await store.updateTalk(talks[i % talks.length]!.id, (t) => ({ ...t, room: `Room ${i}` }));
    const seqMs = since(t0);
    const w0 = (await store.stats()).writes;
    t0 = performance.now();
    await Promise.all(talks.map((t, i) => store.updateTalk(t.id, (c) => ({ ...c, track: `Track ${i}` }))));
    const burstMs = since(t0);
    const burstWrites = (await store.stats()).writes - w0;
    return {
      sequentialUpdates: sequential,
      sequentialPerUpdateMs: ms(seqMs / sequential),
      burstUpdates: talks.length,
      burstWallMs: ms(burstMs),
      burstFileWrites: burstWrites,
    };
  } finally {
    await store.close();
    dir.remove();
  }
}

export async function benchStoreFsync(opts: BenchOptions): Promise<object> {
  const n = opts.quick ? 500 : 2_000;
  progress(`storeFsync: lowdb with ${n} talks, fsync off`);
  const off = (await run(false, n)) as { sequentialPerUpdateMs: number };
  progress('storeFsync: fsync on');
  const on = (await run(true, n)) as { sequentialPerUpdateMs: number };
  return { talks: n, off, on, sequentialCostRatio: round(on.sequentialPerUpdateMs / off.sequentialPerUpdateMs, 2) };
}
