import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { tempDir, testEnv } from './helpers/start-app.ts';
import { talkreel } from './helpers/talkreel.ts';
import { MAIN, startServer } from './helpers/server-process.ts';

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

  it('a writing CLI verb works beside the running server, through its API', async () => {
    const tmp = tempDir();
    try {
      const { child, port, output } = await startServer(tmp.dir, { TALKREEL_JOBS: 'off' });
      try {
        const base = `http://127.0.0.1:${port}`;
        const file = fileURLToPath(new URL('./fixtures/schedules/fosdem-like.xml', import.meta.url));
        const result = await talkreel(['import', file], testEnv(tmp.dir, { TALKREEL_PUBLIC_URL: base }));
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stderr).to.match(/in use by a running server/);
        const events = (await (await fetch(`${base}/api/events`)).json()) as { items: { id: string }[] };
        expect(events.items.length).to.be.greaterThan(1);
        const poll = await talkreel(['poll', '--once'], testEnv(tmp.dir, { TALKREEL_PUBLIC_URL: base }));
        expect(poll.code, poll.stderr).to.equal(0);
      } finally {
        const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exit;
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses to start on a store file that does not parse, names it, and leaves it untouched', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'db.json');
      fs.writeFileSync(file, '{"schemaVersion":1,"talks":{"x":');
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: { PATH: process.env.PATH, ...testEnv(tmp.dir, { PORT: '0' }) },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).to.equal(1);
      expect(err).to.include(file);
      expect(fs.readFileSync(file, 'utf8')).to.equal('{"schemaVersion":1,"talks":{"x":');
    } finally {
      tmp.cleanup();
    }
  });
});
