/**
 * Several instances on one PostgreSQL: two real server processes on the embedded test database.
 * A write through either one reaches the other's lookup index and page cache through the change
 * log; `/health` names each instance and its place in the log.
 */
import { expect } from 'chai';
import { ADMIN_TOKEN, tempDir } from './helpers/start-app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { startServer, type ServerProcess } from './helpers/server-process.ts';

type Health = {
  status: string;
  instance: string;
  changeLog: { position: number; head: number; lagSeconds: number; listening?: boolean };
};
type Lookup = { results: { id: string; title: string }[] };

/** Poll `check` until it holds; the cap is generous, nothing is asserted about the time it took. */
async function eventually<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`not within 10 s: ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two instances on one PostgreSQL', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  const dirs = [tempDir(), tempDir()];
  let a: ServerProcess;
  let b: ServerProcess;

  const call = async (server: ServerProcess, path: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(server.url + path, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(init.method ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {}),
        ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as unknown) };
  };
  const lookup = async (server: ServerProcess, q: string) =>
    (await call(server, `/api/lookup?q=${encodeURIComponent(q)}`)).body as Lookup;
  const health = async (server: ServerProcess) => (await call(server, '/health')).body as Health;

  before(async () => {
    db = await createTestDatabase();
    const env = { TALKREEL_DATABASE_URL: db.url, TALKREEL_JOBS: 'off', TALKREEL_DATABASE_POOL_SIZE: '4' };
    // One after the other: the first seeds the demo, the second finds the database in use.
    a = await startServer(dirs[0]!.dir, { ...env, TALKREEL_INSTANCE_ID: 'instance-a' });
    b = await startServer(dirs[1]!.dir, { ...env, TALKREEL_INSTANCE_ID: 'instance-b' });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    for (const d of dirs) d.cleanup();
  });

  it('a talk created through A is found by lookup on B', async () => {
    expect(
      (await call(a, '/api/events', { method: 'POST', json: { id: 'fosdem-2031', name: 'FOSDEM 2031' } })).status,
    ).to.equal(201);
    const created = await call(a, '/api/events/fosdem-2031/talks', {
      method: 'POST',
      json: { title: 'Quokkas in the datacentre', speakers: [{ name: 'Ada Quillfeather' }] },
    });
    expect(created.status).to.equal(201);
    const id = (created.body as { id: string }).id;
    const found = await eventually(
      'lookup on B',
      () => lookup(b, 'quokkas quillfeather'),
      (r) => r.results[0]?.id === id,
    );
    expect(found.results[0]!.title).to.equal('Quokkas in the datacentre');
  });

  it("an update and a delete through B reach A's lookup index and page cache", async () => {
    const [hit] = (await lookup(a, 'quokkas')).results;
    const id = hit!.id;
    // A renders (and caches) the talk page before B changes the talk.
    const before = await fetch(`${a.url}/t/${id}`, { headers: { accept: 'text/html' } });
    expect(await before.text()).to.include('Quokkas in the datacentre');

    const renamed = await call(b, `/api/talks/${id}`, { method: 'PATCH', json: { title: 'Wombats at the edge' } });
    expect(renamed.status).to.equal(200);
    await eventually(
      'the new title in lookup on A',
      () => lookup(a, 'wombats edge'),
      (r) => r.results[0]?.id === id,
    );
    const page = await fetch(`${a.url}/t/${id}`, { headers: { accept: 'text/html' } });
    expect(await page.text()).to.include('Wombats at the edge');

    expect((await call(b, `/api/talks/${id}`, { method: 'DELETE' })).status).to.equal(204);
    await eventually(
      'the talk gone from lookup on A',
      () => lookup(a, 'wombats edge'),
      (r) => r.results.every((x) => x.id !== id),
    );
  });

  it('/health names each instance and shows both caught up with the change log', async () => {
    const [ha, hb] = await Promise.all([health(a), health(b)]);
    expect(ha.instance).to.equal('instance-a');
    expect(hb.instance).to.equal('instance-b');
    const head = Math.max(ha.changeLog.head, hb.changeLog.head);
    for (const server of [a, b]) {
      const h = await eventually(
        'position at the head',
        () => health(server),
        (x) => x.changeLog.position >= head,
      );
      expect(h.status).to.equal('ok');
      expect(h.changeLog.listening).to.equal(true);
      expect(h.changeLog.lagSeconds).to.equal(0);
    }
    // A write on B moves A's position past it.
    await call(b, '/api/events', { method: 'POST', json: { id: 'late-event', name: 'Late event' } });
    const after = (await health(b)).changeLog.head;
    expect(after).to.be.greaterThan(head);
    await eventually(
      'A past B’s write',
      () => health(a),
      (x) => x.changeLog.position >= after,
    );
  });
});
