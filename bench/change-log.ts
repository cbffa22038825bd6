/**
 * `changeLog`: what the PostgreSQL change log costs a write, and how soon another instance sees it.
 *
 * One database on the embedded test server (PostgreSQL 18 on loopback, fsync and synchronous
 * commit off: absolute times leave out the WAL flush a real server adds to every commit, so the
 * change log's share looks larger here, not smaller) holding N talks (1,000; `--quick` 300), and
 * two writers on it: `off` records commits without payload or NOTIFY (`changeLog: false`, as before
 * migration 3), `on` is the change log as shipped. The machine is shared and its load drifts, so
 * the two take turns write by write (and burst by burst), and the cost is also given as the median
 * of the differences between neighbouring writes:
 *
 * - 1,000 sequential `updateTalk` (500 each; latency mean/p50/p99, paired difference);
 * - 20 bulk writes of 500 talks (`putMany`, an import-sized commit);
 * - 8 bursts of 500 updates, 16 at a time (throughput);
 * - the logged payload of a one-talk update (stored bytes, after TOAST compression);
 * - then a third instance follows: delay from the start of an `on` write to the follower's
 *   listener seeing it (300 writes), with the follower in this same process (it shares the CPU).
 */
import pg from 'pg';
import type { Commit } from '../src/store/backend.ts';
import { PgBackend } from '../src/store/postgres/pg-backend.ts';
import { createStore } from '../src/store/create-store.ts';
import type { Store } from '../src/store/store.ts';
import { createTestDatabase, stopTestPostgres } from '../test/helpers/postgres.ts';
import { syntheticCatalogue } from './synthetic.ts';
import { mean, median, ms, percentile, progress, round, since, toDomain, type BenchOptions } from './util.ts';

type Talks = ReturnType<typeof toDomain>['talks'];

const summary = (latencies: readonly number[]) => ({
  meanMs: ms(mean(latencies)),
  p50Ms: ms(percentile(latencies, 50)),
  p99Ms: ms(percentile(latencies, 99)),
});

export async function benchChangeLog(opts: BenchOptions): Promise<object> {
  const n = opts.quick ? 300 : 1_000;
  const sequential = opts.quick ? 200 : 1_000;
  const bulks = opts.quick ? 6 : 20;
  const bursts = opts.quick ? 4 : 8;
  const db = await createTestDatabase();
  const open = async (changeLog: boolean, follow: boolean, instanceId: string) =>
    PgBackend.open(db.url, { changeLog, follow, instanceId });
  const backends = [await open(false, false, 'off'), await open(true, false, 'on')];
  const [off, on] = backends.map((b) => createStore(b)) as [Store, Store];
  let follower: PgBackend | undefined;
  try {
    const { events, talks } = toDomain(syntheticCatalogue(n, 2));
    await on.load({ events, talks });
    const pick = (i: number) => talks[i % talks.length]!.id;

    progress(`changeLog: ${sequential} sequential updates, alternating off/on`);
    const seq = { off: [] as number[], on: [] as number[], diff: [] as number[] };
    for (let i = 0; i < sequential; i += 2) {
      const pair: number[] = [];
      for (const [mode, store] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const t0 = performance.now();
        await store.updateTalk(pick(i), (t) => ({ ...t, room: `Room ${mode} ${i}` }));
        seq[mode].push(since(t0));
        pair.push(since(t0));
      }
      seq.diff.push(pair[1]! - pair[0]!);
    }

    progress(`changeLog: ${bulks} bulk writes of 500 talks, alternating`);
    const bulk = { off: [] as number[], on: [] as number[] };
    for (let i = 0; i < bulks; i += 1) {
      const mode = i % 2 ? 'on' : 'off';
      const t0 = performance.now();
      await (mode === 'on' ? on : off).load({
        talks: talks.slice(0, 500).map((t) => ({ ...t, subtitle: `bulk ${i}` })),
      });
      bulk[mode].push(since(t0));
    }

    progress(`changeLog: ${bursts} bursts of 500 updates at concurrency 16, alternating`);
    const burst = { off: [] as number[], on: [] as number[] };
    for (let i = 0; i < bursts; i += 1) {
      const mode = i % 2 ? 'on' : 'off';
      burst[mode].push(await runBurst(mode === 'on' ? on : off, talks, i));
    }

    const payloadBytes = await bytesPerUpdate(db.url);

    progress('changeLog: a follower joins');
    follower = await open(true, true, 'follower');
    const seenAt = new Map<number, number>();
    follower.onCommit((c: Commit) => void seenAt.set(c.seq, performance.now()));
    let startedAt: number | undefined;
    const started = new Map<number, number>();
    backends[1]!.onCommit((c) => {
      if (startedAt !== undefined) started.set(c.seq, startedAt);
    });
    const followed: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      startedAt = performance.now();
      await on.updateTalk(pick(i), (t) => ({ ...t, room: `Followed ${i}` }));
      followed.push(since(startedAt));
    }
    startedAt = undefined;
    const until = performance.now() + 10_000;
    while ([...started.keys()].some((s) => !seenAt.has(s)) && performance.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const delays = [...started].flatMap(([s, at]) => (seenAt.has(s) ? [seenAt.get(s)! - at] : []));
    if (delays.length < started.size) throw new Error(`the follower missed ${started.size - delays.length} commits`);

    return {
      talks: n,
      sequential: {
        off: summary(seq.off),
        on: summary(seq.on),
        pairedDifferenceMedianMs: ms(median(seq.diff)),
        costRatio: round(mean(seq.on) / mean(seq.off), 2),
      },
      bulk500: {
        offMedianMs: ms(median(bulk.off)),
        onMedianMs: ms(median(bulk.on)),
        costRatio: round(median(bulk.on) / median(bulk.off), 2),
      },
      concurrent16: {
        offPerSecond: round(median(burst.off), 0),
        onPerSecond: round(median(burst.on), 0),
        throughputRatio: round(median(burst.on) / median(burst.off), 2),
      },
      payloadBytesPerOneTalkUpdate: payloadBytes,
      followed: {
        writerLatency: summary(followed),
        followerDelayP50Ms: ms(percentile(delays, 50)),
        followerDelayP99Ms: ms(percentile(delays, 99)),
        followerDelayMaxMs: ms(Math.max(...delays)),
      },
    };
  } finally {
    await follower?.close();
    await Promise.all([off.close(), on.close()]);
    await db.drop();
    await stopTestPostgres();
  }
}

/** 500 updates of distinct talks, 16 in flight; returns updates per second. */
async function runBurst(store: Store, talks: Talks, burstNo: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 500; i += 16)
    await Promise.all(
      talks.slice(i, i + 16).map((t, j) => store.updateTalk(t.id, (c) => ({ ...c, track: `T${burstNo}-${i + j}` }))),
    );
  return 500 / (since(t0) / 1000);
}

/** Mean stored size of a one-talk update's payload in the change log (after TOAST compression). */
async function bytesPerUpdate(url: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query(
      `select coalesce(avg(pg_column_size(doc)), 0)::float8 as b from commits
       where doc is not null and json_array_length(doc->'put'->'talks') = 1`,
    );
    return round(Number(rows[0]!.b), 0);
  } finally {
    await client.end();
  }
}
