import { expect } from 'chai';
import pg from 'pg';
import { MemoryBackend } from '../../src/store/memory-backend.ts';
import { PgBackend } from '../../src/store/postgres/pg-backend.ts';
import { StoreUnavailableError } from '../../src/store/errors.ts';
import { MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { describeBackendContract, rejection } from './backend.contract.ts';
import { event, talk } from './records.fixtures.ts';

describeBackendContract('memory', async () => ({ backend: new MemoryBackend(), cleanup: async () => undefined }));

describeBackendContract('postgres', async () => {
  const db = await createTestDatabase();
  return { backend: await PgBackend.open(db.url, { poolSize: 10 }), cleanup: () => db.drop() };
});

describe('PgBackend', () => {
  let db: TestDatabase;
  const open: PgBackend[] = [];
  const openBackend = async (options?: Parameters<typeof PgBackend.open>[1]) => {
    const backend = await PgBackend.open(db.url, options);
    open.push(backend);
    return backend;
  };
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    await db?.drop();
  });

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  it('applies migrations once, also when two instances open together, and keeps data', async () => {
    const [a, b] = await Promise.all([openBackend(), openBackend()]);
    await a.write(async (tx) => {
      await tx.put('events', event());
      await tx.put('talks', talk('t1'));
    });
    const c = await openBackend();
    expect((await c.read((tx) => tx.get('talks', 't1')))?.title).to.equal('Talk t1');
    expect(await b.read((tx) => tx.count('talks'))).to.equal(1);
    const versions = await admin(async (client) => (await client.query('select version from schema_migrations')).rows);
    expect(versions).to.deep.equal(MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('throws StoreUnavailableError quickly when nothing listens, naming the host but not the password', async () => {
    const started = Date.now();
    const err = await rejection(
      PgBackend.open('postgres://app:s3cret@127.0.0.1:1/talkreel', { connectTimeoutMs: 2000 }),
    );
    expect(err).to.be.instanceOf(StoreUnavailableError);
    expect(err.name).to.equal('StoreUnavailableError');
    expect(err.message).to.contain('127.0.0.1:1/talkreel');
    expect(err.message).to.not.contain('s3cret');
    expect(Date.now() - started).to.be.below(3000);
  });

  it('checks event ownership at commit, so one write may delete an event before its talks', async () => {
    const backend = await openBackend();
    await backend.write(async (tx) => {
      await tx.put('talks', talk('t1')); // before its event, in the same write
      await tx.put('events', event());
    });
    const err = await rejection(backend.write((tx) => tx.put('talks', talk('t2', 'no-such-event'))));
    expect((err as { code?: string }).code).to.equal('23503');
    await backend.write(async (tx) => {
      await tx.delete('events', 'oia-paris-2013');
      await tx.delete('talks', 't1');
    });
    expect((await backend.stats()).counts.events).to.equal(0);
  });

  it('keeps numbering monotonic and loses no update across two instances', async function () {
    this.timeout(20_000);
    const [a, b] = await Promise.all([openBackend({ poolSize: 4 }), openBackend({ poolSize: 4 })]);
    await a.write(async (tx) => {
      await tx.put('events', event());
      await tx.put('talks', talk('counter', 'oia-paris-2013', { durationMinutes: 0 }));
    });
    const increment = (backend: PgBackend, i: number) =>
      backend.write(async (tx) => {
        const t = (await tx.get('talks', 'counter'))!;
        await tx.put('talks', { ...t, durationMinutes: (t.durationMinutes ?? 0) + 1 });
        await tx.emit({ ...publishedEvent(`inc-${i}`) });
      });
    await Promise.all(Array.from({ length: 30 }, (_, i) => increment(i % 2 ? a : b, i)));
    expect((await a.read((tx) => tx.get('talks', 'counter')))!.durationMinutes).to.equal(30);
    const events = await b.eventsSince(0, 100);
    expect(events).to.have.length(30);
    const seqs = events.map((e) => e.seq);
    expect(seqs).to.deep.equal([...new Set(seqs)].sort((x, y) => x - y));
  });

  it('rejects a write whose connection dies, and recovers by itself', async () => {
    const backend = await openBackend({ poolSize: 2 });
    await backend.write((tx) => tx.put('events', event()));
    let reached!: () => void;
    const inside = new Promise<void>((resolve) => (reached = resolve));
    const doomed = backend.write(async (tx) => {
      await tx.put('talks', talk('t1'));
      reached();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tx.put('talks', talk('t2'));
    });
    await inside;
    // Kill every connection of the backend, idle ones too (57P01 admin shutdown for each).
    await admin((client) =>
      client.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      ),
    );
    const err = await rejection(doomed);
    expect(err).to.be.instanceOf(StoreUnavailableError);
    expect(await backend.read((tx) => tx.get('talks', 't1'))).to.equal(undefined);
    await backend.write((tx) => tx.put('talks', talk('t3')));
    expect(await backend.read((tx) => tx.count('talks'))).to.equal(1);
  });
});

function publishedEvent(id: string) {
  return {
    id,
    type: 'recording.withdrawn' as const,
    timestamp: '2013-12-06T08:00:00.000Z',
    data: { talkId: 'counter', eventId: 'oia-paris-2013', url: 'https://v.example/1', reason: 'gone' },
  };
}
