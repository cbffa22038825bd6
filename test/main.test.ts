import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { tempDir, testEnv } from './helpers/start-app.ts';
import { runServerToExit, startServer } from './helpers/server-process.ts';
import { eventRecord, talkRecord } from './helpers/catalogue-records.ts';
import { openLowdbStore } from '../src/store/open.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('the server process (src/main.ts)', function () {
  this.timeout(60_000);

  it('seeds the demo on first start, answers lookup, and shuts down gracefully on SIGTERM releasing the lock', async () => {
    const tmp = tempDir();
    try {
      const { child, port, output } = await startServer(tmp.dir, { TALKREEL_JOBS: 'on' });
      const res = await fetch(`http://127.0.0.1:${port}/api/lookup?q=mcclain`);
      const body = (await res.json()) as { results: { title: string; speakers: string[] }[] };
      expect(body.results[0]?.speakers).to.deep.equal(['Mark McClain']);
      expect(fs.existsSync(path.join(tmp.dir, '.lock'))).to.equal(true);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).to.equal(0);
      expect(output()).to.match(/"msg":"stopped"/);
      expect(fs.existsSync(path.join(tmp.dir, '.lock'))).to.equal(false);
      expect(JSON.parse(fs.readFileSync(path.join(tmp.dir, 'db.json'), 'utf8')).schemaVersion).to.equal(2);
    } finally {
      tmp.cleanup();
    }
  });

  it('SIGTERM while the indexes still build in the background: a clean exit that releases the lock', async () => {
    const tmp = tempDir();
    try {
      // Enough talks that the background build is still running when the server listens.
      const store = await openLowdbStore({ file: path.join(tmp.dir, 'db.json') });
      await store.load({
        events: [eventRecord('big-2031', 'Big Conf 2031')],
        talks: Array.from({ length: 20_000 }, (_, i) =>
          talkRecord(`big-${i}`, 'big-2031', `Talk number ${i} on topic ${i % 97}`, `Speaker ${i % 501}`),
        ),
      });
      await store.close();
      const { child, output } = await startServer(tmp.dir, { TALKREEL_JOBS: 'on' });
      expect(output()).to.not.match(/"msg":"indexes ready"/);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit, output()).to.equal(0);
      expect(output()).to.match(/"msg":"stopped"/);
      expect(output()).to.not.match(/"job":/); // no job was started on the way out
      expect(fs.existsSync(path.join(tmp.dir, '.lock'))).to.equal(false);
    } finally {
      tmp.cleanup();
    }
  });

  it('with TALKREEL_JOBS=off, SIGTERM aborts an in-flight fetch, exits cleanly and releases the lock', async () => {
    const tmp = tempDir();
    // A source that accepts the connection and never answers.
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/feed.xml`;
    try {
      const { child, port, output } = await startServer(tmp.dir, {
        TALKREEL_JOBS: 'off',
        TALKREEL_FETCH_TIMEOUT_MS: '120000',
      });
      const base = `http://127.0.0.1:${port}`;
      const auth = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' };
      const [event] = ((await (await fetch(`${base}/api/events`)).json()) as { items: { id: string }[] }).items;
      const source = (await (
        await fetch(`${base}/api/events/${event!.id}/sources`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ kind: 'feed', url: hangingUrl }),
        })
      ).json()) as { id: string };
      const connected = new Promise<void>((resolve) => hanging.once('connection', () => resolve()));
      void fetch(`${base}/api/sources/${source.id}/poll`, { method: 'POST', headers: auth }).catch(() => undefined);
      await connected; // the poll's fetch is in flight
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).to.equal(0);
      expect(output()).to.match(/"msg":"stopped"/);
      expect(fs.existsSync(path.join(tmp.dir, '.lock'))).to.equal(false);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
      tmp.cleanup();
    }
  });

  it('compiled, as `npm start` runs it: the detection worker starts from dist/ and answers', async () => {
    const tmp = tempDir();
    const out = path.join(ROOT, 'test-results', `dist-${process.pid}`);
    try {
      // Emit only (`npm run typecheck` checks types): what matters is the layout, detect-worker.js
      // beside detection-worker.js, run by plain node without tsx.
      const tsc = spawn(process.execPath, [
        path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        ...['-p', path.join(ROOT, 'tsconfig.build.json'), '--noCheck', '--sourceMap', 'false', '--outDir', out],
      ]);
      expect(await new Promise((resolve) => tsc.on('exit', resolve))).to.equal(0);
      const { child, port, output } = await startServer(tmp.dir, { TALKREEL_JOBS: 'off' }, [
        path.join(out, 'src', 'main.js'),
      ]);
      try {
        // The server listens while the worker builds its index (503 meanwhile): wait for it.
        for (let i = 0; i < 200 && !/"msg":"detection worker ready"/.test(output()); i += 1)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(output()).to.match(/"msg":"detection worker ready"/);
        const res = await fetch(`http://127.0.0.1:${port}/api/mentions/detect`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'Mark McClain took us from segments to services in OpenStack networking.' }),
        });
        expect(res.status).to.equal(200);
        const body = (await res.json()) as { mentions: { title: string }[] };
        expect(body.mentions.map((m) => m.title)).to.include(
          'From Segments to Services, a Dive into OpenStack Networking',
        );
      } finally {
        const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        expect(await exit).to.equal(0);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      tmp.cleanup();
    }
  });

  it('refuses to start on a store file that does not parse, names it, and leaves it untouched', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'db.json');
      fs.writeFileSync(file, '{"schemaVersion":1,"talks":{"x":');
      const { code, stderr } = await runServerToExit(tmp.dir);
      expect(code).to.equal(1);
      expect(stderr).to.include(file);
      expect(fs.readFileSync(file, 'utf8')).to.equal('{"schemaVersion":1,"talks":{"x":');
    } finally {
      tmp.cleanup();
    }
  });

  it('lowdb is single-instance: a second server on the same data directory is refused, naming the holder', async () => {
    const tmp = tempDir();
    try {
      const first = await startServer(tmp.dir, { TALKREEL_JOBS: 'off' });
      try {
        const second = await runServerToExit(tmp.dir);
        expect(second.code).to.equal(1);
        expect(second.stderr).to.include(`data directory is locked by process ${first.child.pid}`);
        expect(second.stderr).to.include(path.join(tmp.dir, '.lock'));
        // The first one is untouched and still serves.
        expect((await fetch(`${first.url}/health`)).status).to.equal(200);
      } finally {
        expect(await first.stop()).to.equal(0);
      }
    } finally {
      tmp.cleanup();
    }
  });
});
