/**
 * The whole service on PostgreSQL (`TALKREEL_DATABASE_URL`), against the embedded test server:
 * the HTTP API, losing the database mid-run and getting it back, `talkreel migrate` both ways, and
 * an unreachable database at start-up.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startApp, tempDir, testEnv, type TestApp } from './helpers/start-app.ts';
import { createTestDatabase, startTestPostgres, type TestDatabase } from './helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';
import { talkreel } from './helpers/talkreel.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/schedules/', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const schedule = () => fs.readFileSync(path.join(FIXTURES, 'oia-paris-2013.xml'), 'utf8');

type ErrorBody = { error: { code: string; message: string; details: unknown } };

describe('the service on PostgreSQL', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: TestApp;
  let talkId: string;

  before(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy((await startTestPostgres()).port);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    app = await startApp({ env: { TALKREEL_DATABASE_URL: url.toString(), TALKREEL_DATABASE_POOL_SIZE: '3' } });
  });
  after(async () => {
    await app?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('imports a schedule, looks talks up and serves them from PostgreSQL', async () => {
    const created = await app.request('/api/events', {
      method: 'POST',
      admin: true,
      json: { id: 'oia-paris-2013', name: 'OpenStack in Action 4' },
    });
    expect(created.status).to.equal(201);
    const imported = await app.request('/api/events/oia-paris-2013/schedule', {
      method: 'POST',
      admin: true,
      headers: { 'content-type': 'application/xml' },
      body: schedule(),
    });
    expect(imported.status, await imported.clone().text()).to.equal(200);
    const lookup = (await (await app.request('/api/lookup?q=mcclain%20neutron')).json()) as {
      results: { id: string; speakers: string[] }[];
    };
    expect(lookup.results[0]?.speakers).to.deep.equal(['Mark McClain']);
    talkId = lookup.results[0]!.id;
    expect((await app.request(`/api/talks/${talkId}`)).status).to.equal(200);
    const health = (await (await app.request('/health')).json()) as {
      store: { kind: string; counts: { talks: number } };
    };
    expect(health.store.kind).to.equal('postgres');
    expect(health.store.counts.talks).to.be.greaterThan(3);
  });

  it('answers 503 while the database is away, acknowledges nothing it could not write, and recovers by itself', async () => {
    const rename = (title: string) =>
      app.request(`/api/talks/${talkId}`, { method: 'PATCH', admin: true, json: { title } });
    expect((await rename('Segments to Services, acknowledged')).status).to.equal(200);

    proxy.cut();
    const read = await app.request(`/api/talks/${talkId}`);
    expect(read.status).to.equal(503);
    expect(((await read.json()) as ErrorBody).error.code).to.equal('STORE_UNAVAILABLE');
    const write = await rename('written while the database was away');
    expect(write.status).to.equal(503);
    expect(((await write.json()) as ErrorBody).error.code).to.equal('STORE_UNAVAILABLE');
    const health = await app.request('/health');
    expect(health.status).to.equal(503);
    expect(((await health.json()) as { status: string }).status).to.equal('degraded');

    proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
      status = (await app.request('/health')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).to.equal(200);
    const talk = (await (await app.request(`/api/talks/${talkId}`)).json()) as { title: string };
    expect(talk.title).to.equal('Segments to Services, acknowledged');
  });
});

describe('talkreel migrate', function () {
  this.timeout(90_000);
  let db: TestDatabase;
  const dirs: ReturnType<typeof tempDir>[] = [];
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const d of dirs) d.cleanup();
    await db?.drop();
  });

  type Report = { ok: boolean; counts: Record<string, { source: number; verified: number }> };

  it('copies a lowdb store into PostgreSQL and back, idempotently, printing the verified counts', async () => {
    const from = tempDir();
    const back = tempDir();
    dirs.push(from, back);
    const envFrom = testEnv(from.dir);
    expect((await talkreel(['import', path.join(FIXTURES, 'oia-paris-2013.xml')], envFrom)).code).to.equal(0);

    const first = await talkreel(['migrate', '--to', db.url, '--json'], envFrom);
    expect(first.code, first.stderr).to.equal(0);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.ok).to.equal(true);
    expect(report.counts.events).to.deep.equal({ source: 1, verified: 1 });
    expect(report.counts.talks!.source).to.be.greaterThan(3);
    expect(report.counts.talks!.verified).to.equal(report.counts.talks!.source);

    const again = await talkreel(['migrate', '--to', db.url], envFrom);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/talks\s+(\d+)\/\1/);

    const envBack = testEnv(back.dir);
    const restored = await talkreel(['migrate', '--from', db.url, '--json'], envBack);
    expect(restored.code, restored.stderr).to.equal(0);
    expect((JSON.parse(restored.stdout) as Report).counts.talks).to.deep.equal(report.counts.talks);
    const talks = async (env: NodeJS.ProcessEnv) =>
      (JSON.parse((await talkreel(['talks', '--json'], env)).stdout) as { items?: unknown[] } | unknown[]) ?? [];
    expect(await talks(envBack)).to.deep.equal(await talks(envFrom));

    const pgTalks = await talkreel(['talks', '--json'], { ...envBack, TALKREEL_DATABASE_URL: db.url });
    expect(pgTalks.code, pgTalks.stderr).to.equal(0);
    expect(JSON.parse(pgTalks.stdout)).to.deep.equal(await talks(envFrom));
  });

  it('refuses a call without exactly one target', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const r = await talkreel(['migrate'], testEnv(tmp.dir));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/exactly one of --to/);
  });
});

describe('PostgreSQL unreachable at start', function () {
  this.timeout(30_000);

  it('stops the server with one clear line and exit code 78', async () => {
    const tmp = tempDir();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: {
          PATH: process.env.PATH,
          ...testEnv(tmp.dir, {
            PORT: '0',
            TALKREEL_DATABASE_URL: 'postgres://talkreel:s3cret@127.0.0.1:1/talkreel',
          }),
        },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).to.equal(78);
      const lines = stderr.trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^talkreel: store unavailable: cannot reach 127\.0\.0\.1:1\/talkreel/);
      expect(stderr).to.not.contain('s3cret');
    } finally {
      tmp.cleanup();
    }
  });

  it('makes the CLI exit 78 too', async () => {
    const tmp = tempDir();
    try {
      const r = await talkreel(['events'], testEnv(tmp.dir, { TALKREEL_DATABASE_URL: 'postgres://a:b@127.0.0.1:1/x' }));
      expect(r.code).to.equal(78);
      expect(r.stderr).to.match(/store unavailable/);
    } finally {
      tmp.cleanup();
    }
  });
});
