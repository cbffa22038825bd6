/**
 * The PostgreSQL change log between instances (several `PgBackend`s on one database): other
 * instances' commits reach the listeners in sequence order, once; gaps and late committers; a lost
 * LISTEN connection; retention.
 */
import { expect } from 'chai';
import pg from 'pg';
import type { Commit } from '../../src/store/backend.ts';
import { PgBackend, type PgBackendOptions } from '../../src/store/postgres/pg-backend.ts';
import { INLINE_PUT_LIMIT } from '../../src/store/postgres/change-log.ts';
import { createTestDatabase, startTestPostgres, type TestDatabase } from '../helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { event, talk } from './records.fixtures.ts';

/** The commit lock of `pg-backend.ts` (a raw transaction below plays a slow writer). */
const COMMIT_LOCK = 0x7a1c_0002;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL change log across instances', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let proxy: TcpProxy | undefined;
  const open: PgBackend[] = [];

  /** A backend whose listeners' commits are collected in `seen`. */
  async function instance(id: string, options: PgBackendOptions & { url?: string } = {}) {
    const backend = await PgBackend.open(options.url ?? db.url, { instanceId: id, ...options });
    open.push(backend);
    const seen: Commit[] = [];
    backend.onCommit((c) => void seen.push(c));
    return { backend, seen };
  }

  async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params: unknown[] = []) {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    await proxy?.close();
    proxy = undefined;
    await db?.drop();
  });

  it("hands another instance's commits to the listeners once, as written, and records who wrote them", async () => {
    const a = await instance('a');
    const b = await instance('b');
    await a.backend.write(async (tx) => {
      await tx.put('events', event());
      await tx.put('talks', talk('t1'));
    });
    await a.backend.write(async (tx) => {
      await tx.put('talks', talk('t1', 'oia-paris-2013', { title: 'Renamed' }));
      await tx.emit({
        id: 'ev-1',
        type: 'recording.withdrawn',
        timestamp: '2013-12-06T08:00:00.000Z',
        data: { talkId: 't1', eventId: 'oia-paris-2013', url: 'https://v.example/1', reason: 'gone' },
      });
    });
    await a.backend.write((tx) => tx.delete('talks', 't1'));
    await waitFor('three commits on b', () => b.seen.length >= 3);
    await sleep(100); // nothing more arrives, nothing twice
    expect(b.seen).to.have.length(3);
    expect(a.seen).to.have.length(3);
    // What b receives is what a's listeners received (b's went through JSON).
    expect(JSON.parse(JSON.stringify(a.seen))).to.deep.equal(b.seen);
    expect(b.seen[1]!.previous.talks![0]!.title).to.equal('Talk t1');
    expect(b.seen[1]!.put.talks![0]!.title).to.equal('Renamed');
    expect(b.seen[1]!.events.map((e) => e.id)).to.deep.equal(['ev-1']);
    expect(b.seen[2]!.deleted.talks![0]!.id).to.equal('t1');
    const rows = await sql('select instance from commits order by seq');
    expect(rows.map((r) => r.instance)).to.deep.equal(['a', 'a', 'a']);
    const status = (await b.backend.stats()).changeLog!;
    expect(status.position).to.equal(status.head);
    expect(status.lagSeconds).to.equal(0);
    expect(status.listening).to.equal(true);
  });

  it('gives both instances every commit in one order while both write the same record', async () => {
    const a = await instance('a', { poolSize: 4 });
    const b = await instance('b', { poolSize: 4 });
    await a.backend.write(async (tx) => {
      await tx.put('events', event());
      await tx.put('talks', talk('counter', 'oia-paris-2013', { durationMinutes: 0 }));
    });
    const increment = (x: typeof a) =>
      x.backend.write(async (tx) => {
        const t = (await tx.get('talks', 'counter'))!;
        await tx.put('talks', { ...t, durationMinutes: (t.durationMinutes ?? 0) + 1 });
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 ? a : b)));
    await waitFor('41 commits on both', () => a.seen.length >= 41 && b.seen.length >= 41);
    for (const { seen } of [a, b]) {
      // Each version after the one before: no listener ever sees an older value after a newer one.
      expect(seen.map((c) => c.put.talks![0]!.durationMinutes)).to.deep.equal(Array.from({ length: 41 }, (_, i) => i));
    }
    expect(a.seen.map((c) => c.seq)).to.deep.equal(b.seen.map((c) => c.seq));
  });

  it('passes over a number drawn by a transaction that rolled back', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [COMMIT_LOCK]);
      await client.query(`select nextval('change_seq')`);
      await client.query('rollback');
    } finally {
      await client.end();
    }
    await a.backend.write((tx) => tx.put('events', event()));
    await b.backend.write((tx) => tx.put('events', event('second')));
    await waitFor('both commits on both', () => a.seen.length === 2 && b.seen.length === 2);
    expect(a.seen.map((c) => c.seq)).to.deep.equal(b.seen.map((c) => c.seq));
    expect(a.seen[0]!.seq).to.equal(2); // 1 was rolled back
  });

  it('holds back a later commit until a slower writer numbered before it has committed, then hands both over in order', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const slow = new pg.Client(db.url);
    await slow.connect();
    try {
      // Another instance's write: numbered first, still committing.
      await slow.query('begin');
      await slow.query('select pg_advisory_xact_lock($1)', [COMMIT_LOCK]);
      const [{ seq }] = (await slow.query(`select nextval('change_seq')::int as seq`)).rows as [{ seq: number }];
      const late = event('late');
      await slow.query(`insert into events (id, doc) values ('late', $1)`, [JSON.stringify(late)]);
      await slow.query(`insert into commits (seq, instance, doc) values ($1, 'slow', $2)`, [
        seq,
        JSON.stringify({ put: { events: [late] }, deleted: {}, previous: {}, events: [] }),
      ]);
      let resolved = false;
      const write = a.backend.write((tx) => tx.put('events', event())).then(() => (resolved = true));
      await sleep(300);
      expect(resolved, 'a committed past the open transaction').to.equal(false);
      expect(b.seen).to.have.length(0);
      await slow.query('commit');
      await write;
      await waitFor('both commits on b', () => b.seen.length === 2);
      for (const { seen } of [a, b])
        expect(seen.map((c) => [c.seq, c.put.events![0]!.id])).to.deep.equal([
          [seq, 'late'],
          [seq + 1, 'oia-paris-2013'],
        ]);
    } finally {
      await slow.end();
    }
  });

  it('catches up after its LISTEN connection is terminated, and listens again', async () => {
    const a = await instance('a');
    // No safety poll within the test: only a notification or the reconnection can bring the change.
    const b = await instance('b', { followPollMs: 60_000 });
    const killed = await sql(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = 'talkreel-listen'`,
    );
    expect(killed).to.have.length(2);
    await a.backend.write((tx) => tx.put('events', event()));
    await waitFor('the commit on b', () => b.seen.length === 1);
    await waitFor('b listening again', async () => (await b.backend.stats()).changeLog!.listening === true);
    await a.backend.write((tx) => tx.put('events', event('second')));
    await waitFor('the notified commit on b', () => b.seen.length === 2);
  });

  it('reads what was committed while its connections were cut, once they are back', async () => {
    proxy = await startTcpProxy((await startTestPostgres()).port);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const a = await instance('a');
    const b = await instance('b', { url: url.toString(), followPollMs: 60_000, connectTimeoutMs: 1000 });
    proxy.cut();
    await a.backend.write((tx) => tx.put('events', event())); // b misses the notification
    await sleep(300);
    expect(b.seen).to.have.length(0);
    proxy.restore();
    await waitFor('the missed commit on b', () => b.seen.length === 1);
    expect(b.seen[0]!.put.events![0]!.id).to.equal('oia-paris-2013');
  });

  it('reports position, head and lag; an instance that does not follow falls behind', async () => {
    const a = await instance('a');
    const c = await instance('c', { follow: false });
    await a.backend.write((tx) => tx.put('events', event()));
    await sleep(20);
    const behind = (await c.backend.stats()).changeLog!;
    expect(behind.position).to.be.below(behind.head);
    expect(behind.lagSeconds).to.be.greaterThan(0);
    expect(behind.listening).to.equal(undefined);
    expect(c.seen).to.have.length(0);
    const ahead = (await a.backend.stats()).changeLog!;
    expect(ahead).to.deep.include({ position: ahead.head, lagSeconds: 0, listening: true });
  });

  it('logs a bulk commit by ids, and the follower reads the records themselves', async function () {
    this.timeout(60_000);
    const a = await instance('a');
    const b = await instance('b');
    const many = Array.from({ length: INLINE_PUT_LIMIT + 1 }, (_, i) => talk(`bulk-${i}`));
    await a.backend.write(async (tx) => {
      await tx.put('events', event());
      await tx.putMany('talks', many);
    });
    await waitFor('the bulk commit on b', () => b.seen.length === 1);
    const [row] = await sql<{ inline: boolean; ids: number }>(
      `select (doc->'put'->'talks') is not null as inline, json_array_length(doc->'putIds'->'talks') as ids from commits`,
    );
    expect(row).to.deep.equal({ inline: false, ids: INLINE_PUT_LIMIT + 1 });
    const put = b.seen[0]!.put;
    expect(put.talks).to.have.length(INLINE_PUT_LIMIT + 1);
    expect(put.events!.map((e) => e.id)).to.deep.equal(['oia-paris-2013']);
    const byId = new Map(put.talks!.map((t) => [t.id, t]));
    expect(byId.get('bulk-42')).to.deep.equal(JSON.parse(JSON.stringify(many[42])));
  });

  it('trims entries older than the retention, always keeping the newest', async () => {
    const a = await instance('a');
    for (const id of ['e1', 'e2', 'e3']) await a.backend.write((tx) => tx.put('events', event(id)));
    await sql(`update commits set at = now() - interval '10 days'`);
    expect(await a.backend.trimChangeLog(new Date(Date.now() - 86_400_000).toISOString())).to.equal(2);
    expect(await sql('select seq from commits')).to.have.length(1);
    const b = await instance('b');
    await a.backend.write((tx) => tx.put('events', event('e4')));
    await waitFor('the next commit on b', () => b.seen.length === 1);
  });
});
