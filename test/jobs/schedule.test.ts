import { expect } from 'chai';
import { getTasks } from 'node-cron';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import { startJobs } from '../../src/wiring.ts';
import { randomDelayFor } from '../../jobs/schedule.ts';

const DEMO = 'openstack-in-action-paris-2013';

describe('jobs/schedule: cron tasks follow the sources and blogs', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
    await seedIfEmpty(app.services);
  });
  after(async () => app.close());

  const taskNames = (): string[] =>
    [...getTasks().values()]
      .map((t) => t.name)
      .filter((n): n is string => Boolean(n))
      .sort();

  it('registers one task per job and cron expression, re-syncs on changes, and stops them all', async () => {
    const jobs = startJobs(app.services);
    try {
      const a = await app.services.sources.addSource(DEMO, { kind: 'youtube', url: 'http://127.0.0.1:9/a' });
      await app.services.sources.addSource(DEMO, { kind: 'feed', url: 'http://127.0.0.1:9/b', schedule: '0 * * * *' });
      await app.services.sources.addSource(DEMO, { kind: 'feed', url: 'http://127.0.0.1:9/c', schedule: '0 * * * *' });
      await app.services.blogs.addBlog({ feedUrl: 'http://127.0.0.1:9/blog.xml' });
      await new Promise((r) => setImmediate(r));
      await jobs.sync();
      expect(taskNames()).to.include.members([
        'poll-recordings@*/15 * * * *',
        'poll-recordings@0 * * * *',
        'crawl-posts@*/30 * * * *',
      ]);
      expect(taskNames().filter((n) => n.startsWith('poll-recordings@'))).to.have.length(2);
      await app.services.sources.deleteSource(a.id);
      await jobs.sync();
      expect(taskNames()).to.not.include('poll-recordings@*/15 * * * *');
    } finally {
      await jobs.stop();
    }
    expect(taskNames().filter((n) => n.startsWith('poll-recordings@') || n.startsWith('crawl-posts@'))).to.deep.equal(
      [],
    );
  });
});

describe('jobs/schedule: the random delay of ticks', () => {
  it('is 5 s at most, and a quarter of the interval for short intervals', () => {
    expect(randomDelayFor('*/15 * * * *')).to.equal(5_000);
    expect(randomDelayFor('*/2 * * * * *')).to.equal(500);
    expect(randomDelayFor('* * * * * *')).to.equal(250);
  });
});
