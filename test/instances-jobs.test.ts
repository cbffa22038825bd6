/**
 * Two service processes on one PostgreSQL with their cron jobs on (issue 13): claimed jobs are done
 * once. A source due on both is polled once per due time; killing (-9) the instance that holds a
 * poll's lease hands the source to the other once the lease expires; a published recording reaches
 * each webhook subscriber once (a retry keeps its webhook-id), never once per instance.
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import pg from 'pg';
import { tempDir } from './helpers/start-app.ts';
import { startServer } from './helpers/server-process.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { startFakeServer } from './helpers/fake-server.ts';
import { startWebhookReceiver } from './helpers/webhook-receiver.ts';
import { DEMO_VIDEOS, youtubeFeed } from './helpers/feeds.ts';

const DEMO = 'openstack-in-action-paris-2013';
const TICK_MS = 2000;
// The victim's fetch must still hang when it is killed, even on a loaded machine: a fetch timeout
// well above the time the fixture takes to report the hang, and the lease above that.
const FETCH_TIMEOUT_MS = 8000;
const LEASE_MS = 10_000;
const ADMIN = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' };

type Instance = { id: string; child: ChildProcess; base: string; output: () => string };
/** One fetch of a feed, with the lease and due time the poll held when its request arrived. */
type Fetch = { readonly at: number; owner: string | null; dueAt: string | null; looked: boolean };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('several instances on one PostgreSQL: claimed jobs (issue 13)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let sql: pg.Client;
  const dirs: ReturnType<typeof tempDir>[] = [];
  const instances: Instance[] = [];
  const fetches = new Map<string, Fetch[]>();
  /** Set: the next request for /hang.xml never gets an answer, and this is called with its fetch. */
  let hangNext: ((f: Fetch) => void) | undefined;

  let feed: Awaited<ReturnType<typeof startFakeServer>>;
  let r1: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let r2: Awaited<ReturnType<typeof startWebhookReceiver>>;

  async function start(id: string, databaseUrl: string): Promise<Instance> {
    const dir = tempDir();
    dirs.push(dir);
    const { child, port, output } = await startServer(dir.dir, {
      TALKREEL_DATABASE_URL: databaseUrl,
      TALKREEL_JOBS: 'on',
      TALKREEL_INSTANCE_ID: id,
      TALKREEL_POLL_CRON: `*/${TICK_MS / 1000} * * * * *`,
      TALKREEL_DELIVER_CRON: '* * * * * *',
      TALKREEL_LEASE_MS: String(LEASE_MS),
      TALKREEL_FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
      TALKREEL_DELIVER_TIMEOUT_MS: '2000',
    });
    const instance = { id, child, base: `http://127.0.0.1:${port}`, output };
    instances.push(instance);
    return instance;
  }

  async function api(instance: Instance, path: string, body: unknown): Promise<any> {
    const res = await fetch(instance.base + path, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).to.equal(201);
    return res.json();
  }

  before(async () => {
    db = await createTestDatabase();
    sql = new pg.Client(db.url);
    await sql.connect();
    feed = await startFakeServer(async (req, res) => {
      const path = req.url.split('?')[0]!;
      const f: Fetch = { at: Date.now(), owner: null, dueAt: null, looked: false };
      fetches.set(path, [...(fetches.get(path) ?? []), f]);
      const { rows } = await sql.query<{ lease_owner: string | null; due_at: Date | null }>(
        `select lease_owner, due_at from sources where doc->>'url' like '%' || $1`,
        [path],
      );
      f.owner = rows[0]?.lease_owner ?? null;
      f.dueAt = rows[0]?.due_at?.toISOString() ?? null;
      f.looked = true;
      if (path === '/hang.xml' && hangNext) {
        const hung = hangNext;
        hangNext = undefined;
        hung(f);
        return; // never answered
      }
      res.setHeader('content-type', 'application/atom+xml');
      res.end(youtubeFeed(path === '/steady.xml' ? DEMO_VIDEOS.slice(0, 1) : []));
    });
    [r1, r2] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
  });
  after(async () => {
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    await sql?.end();
    await feed?.close();
    await r1?.close();
    await r2?.close();
    await db?.drop();
    for (const d of dirs) d.cleanup();
  });

  it('polls a source due on both once per due time, delivers once per subscriber, and takes over a dead instance’s lease', async () => {
    const a = await start('instance-a', db.url); // seeds the demo event into the empty database
    for (const r of [r1, r2]) {
      const { secret } = await api(a, '/api/subscriptions', {
        webhook: r.url,
        event: DEMO,
        types: ['recording.published'],
      });
      r.useSecret(secret);
    }
    r1.behave({ status: 503 }); // the first attempt to r1 fails: retried (about 5 s later) with the same webhook-id
    // Sources known at start give both instances their poll task for this cron expression.
    await api(a, `/api/events/${DEMO}/sources`, { kind: 'youtube', url: `${feed.url}/hang.xml` });
    const b = await start('instance-b', db.url);
    await api(b, `/api/events/${DEMO}/sources`, { kind: 'youtube', url: `${feed.url}/steady.xml` });

    // One recording published: each subscriber gets it once, whichever instance sends.
    await until('both deliveries and the retry', () => r1.received.length >= 2 && r2.received.length >= 1, 30_000);
    await sleep(3 * TICK_MS);
    expect(r2.received.map((r) => r.type)).to.deep.equal(['recording.published']);
    expect(r1.received).to.have.length(2);
    expect(r1.received[0]!.id).to.equal(r1.received[1]!.id, 'a retry keeps its webhook-id');
    expect(r1.received[0]!.id).to.not.equal(r2.received[0]!.id);
    expect(r1.rejected.concat(r2.rejected)).to.deep.equal([]);

    // Every fetch served a different due time, and there was at most one per tick.
    for (const path of ['/steady.xml', '/hang.xml']) {
      const seen = (fetches.get(path) ?? []).filter((f) => f.looked);
      expect(seen.length, path).to.be.at.least(3);
      const dueTimes = seen.map((f) => f.dueAt ?? 'never polled');
      expect(new Set(dueTimes).size, `${path}: ${JSON.stringify(seen)}`).to.equal(seen.length);
      expect(seen.every((f) => f.owner === 'instance-a' || f.owner === 'instance-b')).to.equal(true);
      const span = seen.at(-1)!.at - seen[0]!.at;
      expect(seen.length, path).to.be.at.most(Math.floor(span / TICK_MS) + 2);
    }

    // The next poll of /hang.xml hangs; its instance is killed while it holds the lease.
    const hung = await new Promise<Fetch>((resolve) => (hangNext = resolve));
    const victim = instances.find((i) => i.id === hung.owner)!;
    const survivor = instances.find((i) => i !== victim)!;
    victim.child.kill('SIGKILL');
    const before = fetches.get('/hang.xml')!.length;
    await until(
      'the survivor polls the dead instance’s source',
      () => fetches.get('/hang.xml')!.length > before,
      40_000,
    ).catch(async (err: Error) => {
      const { rows } = await sql.query(`select id, due_at, lease_owner, lease_until, now() from sources`);
      throw new Error(
        `${err.message}\nsources: ${JSON.stringify(rows)}\nsurvivor log:\n${survivor.output().slice(-4000)}`,
      );
    });
    // The survivor's poll, answered once its source row says who holds it.
    await until('the survivor’s poll to be identified', () => fetches.get('/hang.xml')![before]!.looked, 5_000);
    const next = fetches.get('/hang.xml')![before]!;
    expect(next.owner).to.equal(survivor.id);
    expect(next.at - hung.at, 'not before the lease expired').to.be.at.least(LEASE_MS - 500);

    const exit = new Promise((resolve) => survivor.child.on('exit', resolve));
    survivor.child.kill('SIGTERM');
    expect(await exit).to.equal(0);
    expect(r2.received).to.have.length(1);
  });
});
