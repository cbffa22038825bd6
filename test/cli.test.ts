import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { tempDir, testEnv } from './helpers/start-app.ts';
import { talkreel } from './helpers/talkreel.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/schedules/', import.meta.url));

describe('CLI: talkreel import/events/talks/lookup', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  before(() => {
    tmp = tempDir();
    env = testEnv(tmp.dir);
  });
  after(() => tmp.cleanup());

  it('--version, and --help after any command prints its usage without touching the store', async () => {
    const version = await talkreel(['--version'], env);
    expect(version.code).to.equal(0);
    expect(version.stdout.trim()).to.match(/^talkreel \d+\.\d+\.\d+$/);
    for (const verb of [['lookup'], ['sources', 'add'], ['deliver']]) {
      const help = await talkreel([...verb, '--help'], env);
      expect(help.code, verb.join(' ')).to.equal(0);
      expect(help.stdout, verb.join(' ')).to.include(`usage: talkreel ${verb.join(' ')}`);
    }
    expect(fs.existsSync(path.join(tmp.dir, 'db.json'))).to.equal(false);
  });

  it('imports a frab schedule.xml, creating the event the file names', async () => {
    const r = await talkreel(['import', path.join(FIXTURES, 'oia-paris-2013.xml')], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/created event/);
    const events = await talkreel(['events', '--json'], env);
    const list = JSON.parse(events.stdout) as { id: string; talks: number }[];
    expect(list).to.have.length(1);
    expect(list[0]!.talks).to.be.greaterThan(3);
  });

  it('re-imports an edited copy in place (no duplicates, renamed title kept as alias)', async () => {
    const before = JSON.parse((await talkreel(['talks', '--json'], env)).stdout) as { id: string; title: string }[];
    const r = await talkreel(['import', path.join(FIXTURES, 'oia-paris-2013-v2.xml'), '--json'], env);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as { created: string[]; updated: string[]; removed: string[] };
    expect(report.updated.length).to.be.greaterThan(0);
    const after = JSON.parse((await talkreel(['talks', '--json'], env)).stdout) as {
      id: string;
      title: string;
      aliases: string[];
      removedFromScheduleAt?: string;
    }[];
    expect(after.length).to.equal(before.length + report.created.length);
    const renamed = after.filter((t) => t.aliases.some((a) => before.some((b) => b.id === t.id && b.title === a)));
    expect(renamed.length).to.be.greaterThan(0);
    expect(after.filter((t) => t.removedFromScheduleAt)).to.have.length(report.removed.length);
  });

  it('looks a talk up from vague text, human and --json output', async () => {
    const human = await talkreel(['lookup', 'mcclain', 'neutron'], env);
    expect(human.code).to.equal(0);
    expect(human.stdout.split('\n')[0]).to.include('From Segments to Services');
    const json = JSON.parse((await talkreel(['lookup', 'havana ice house', '--json'], env)).stdout) as {
      title: string;
    }[];
    expect(json[0]?.title).to.match(/Havana to Icehouse/);
  });

  it('fails with a one-line reason and non-zero exit on bad input', async () => {
    const missing = await talkreel(['import', path.join(tmp.dir, 'nope.xml')], env);
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr.trim().split('\n')).to.have.length(1);
    const bad = await talkreel(['import', path.join(FIXTURES, 'malformed.xml')], env);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/line \d+/);
    const unknown = await talkreel(['frobnicate'], env);
    expect(unknown.code).to.equal(2);
  });

  it('refuses to write while another process holds the data directory', async () => {
    fs.writeFileSync(path.join(tmp.dir, '.lock'), String(process.pid));
    try {
      const r = await talkreel(['import', path.join(FIXTURES, 'oia-paris-2013.xml')], env);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/locked/);
      const read = await talkreel(['events'], env);
      expect(read.code).to.equal(0);
    } finally {
      fs.rmSync(path.join(tmp.dir, '.lock'), { force: true });
    }
  });
});

describe('CLI: sources add + poll --once on the demo event (issue 3 done-when)', function () {
  this.timeout(60_000);
  it('marks exactly the three recordings of a local feed published', async () => {
    const { startFakeServer } = await import('./helpers/fake-server.ts');
    const { DEMO_VIDEOS, youtubeFeed } = await import('./helpers/feeds.ts');
    const { startApp } = await import('./helpers/start-app.ts');
    const { seedIfEmpty } = await import('../src/seed.ts');
    const tmp = tempDir();
    const env = testEnv(tmp.dir);
    const feed = await startFakeServer((_q, res) => {
      res.setHeader('content-type', 'application/atom+xml');
      res.end(youtubeFeed(DEMO_VIDEOS));
    });
    try {
      // seed the demo data the way `npm start` does on first start
      const seeder = await startApp({ dataDir: tmp.dir });
      await seedIfEmpty(seeder.services);
      await seeder.close();
      const add = await talkreel(
        [
          'sources',
          'add',
          '--event',
          'openstack-in-action-paris-2013',
          '--kind',
          'youtube',
          '--url',
          `${feed.url}/feeds/videos.xml?channel_id=UCdemo`,
        ],
        env,
      );
      expect(add.code, add.stderr).to.equal(0);
      const poll = await talkreel(['poll', '--once'], env);
      expect(poll.code, poll.stderr).to.equal(0);
      expect(poll.stdout).to.match(/3 talks newly published/);
      const talks = JSON.parse(
        (await talkreel(['talks', '--event', 'openstack-in-action-paris-2013', '--json'], env)).stdout,
      ) as { title: string; recording: { status: string; url?: string } }[];
      const published = talks.filter((t) => t.recording.status === 'published').map((t) => [t.title, t.recording.url]);
      expect(published).to.have.deep.members([
        ['The Open Cloud: Why Openness Wins', 'https://www.youtube.com/watch?v=vidCormier003'],
        ['Havana to Icehouse', 'https://www.youtube.com/watch?v=vidHavana0002'],
        [
          'From Segments to Services, a Dive into OpenStack Networking',
          'https://www.youtube.com/watch?v=vidSegments01',
        ],
      ]);
      const unmatched = await talkreel(['unmatched', '--event', 'openstack-in-action-paris-2013'], env);
      expect(unmatched.stdout).to.include('Cooking with cast iron');
      const sources = await talkreel(['sources'], env);
      expect(sources.stdout).to.match(/3\/6 matched/);
    } finally {
      await feed.close();
      tmp.cleanup();
    }
  });
});

describe('CLI: talkreel mentions (issue 4 done-when)', function () {
  this.timeout(60_000);
  it('finds exactly the talks a recap of the demo event names', async () => {
    const { startApp } = await import('./helpers/start-app.ts');
    const { seedIfEmpty } = await import('../src/seed.ts');
    const tmp = tempDir();
    try {
      const seeder = await startApp({ dataDir: tmp.dir });
      await seedIfEmpty(seeder.services);
      await seeder.close();
      const env = testEnv(tmp.dir);
      const file = fileURLToPath(new URL('./fixtures/posts/recap-oia-paris.txt', import.meta.url));
      const r = await talkreel(['mentions', file, '--json'], env);
      expect(r.code, r.stderr).to.equal(0);
      const titles = (JSON.parse(r.stdout) as { title: string }[]).map((m) => m.title);
      expect(titles).to.have.members([
        'The Open Cloud: Why Openness Wins',
        'Havana to Icehouse',
        'From Segments to Services, a Dive into OpenStack Networking',
      ]);
      expect(titles).to.have.length(3);
      const human = await talkreel(['mentions', '-'], env, 'Nothing about any talk here, just Neutron and a keynote.');
      expect(human.code).to.equal(0);
      expect(human.stdout.trim()).to.equal('no mentions');
    } finally {
      tmp.cleanup();
    }
  });
});
