import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ADMIN_TOKEN, tempDir, testEnv } from './helpers/start-app.ts';
import { talkreel } from './helpers/talkreel.ts';
import { startServer } from './helpers/server-process.ts';
import { startFakeServer } from './helpers/fake-server.ts';
import { startWebhookReceiver } from './helpers/webhook-receiver.ts';
import { DEMO_VIDEOS, youtubeFeed } from './helpers/feeds.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const DEMO = 'openstack-in-action-paris-2013';
const recap = () => fs.readFileSync(path.join(FIXTURES, 'posts/recap-oia-paris.txt'), 'utf8');
const asHtml = (text: string) =>
  `<article>${text
    .split('\n\n')
    .map((p) => `<p>${p}</p>`)
    .join('')}</article>`;
/** A one-talk schedule whose conference block names no event in the demo catalogue. */
const LYON = `<?xml version="1.0"?><schedule><conference><acronym>ocd14</acronym><title>Open Cloud Days 2014</title></conference>
  <day index="1" date="2014-06-12"><room name="A"><event guid="0b3c7c7e-1111-4a4a-9999-000000000001" id="1"><date>2014-06-12T10:00:00+02:00</date><start>10:00</start><duration>00:30</duration><room>A</room>
  <title>Engines of Analysis</title><persons><person id="1">Ada Lovelace</person></persons></event></room></day></schedule>`;

/**
 * Issue 12, a newcomer's day: with `npm start` running (it holds the lowdb lock), every writing
 * verb is sent to the server's admin API and prints what it prints without a server. The tests
 * share one server and run in order (the blog added is the one crawled).
 */
describe('CLI beside a running server: every writing verb goes through its API', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let server: Awaited<ReturnType<typeof startServer>>;
  let site: Awaited<ReturnType<typeof startFakeServer>>;
  let base: string;
  let env: NodeJS.ProcessEnv;
  const pages = new Map<string, { type: string; body: string }>();
  const cli = async (...args: string[]) => {
    const r = await talkreel(args, env);
    expect(r.code, `talkreel ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    expect(r.stderr).to.match(/in use by a running server; sending the request to http:\/\/127\.0\.0\.1/);
    return r.stdout.trimEnd();
  };
  const api = async <T>(pathname: string, init: { method?: string; json?: unknown } = {}): Promise<T> => {
    const res = await fetch(`${base}${pathname}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    expect(res.status, `${pathname}: ${await res.clone().text()}`).to.be.below(300);
    return (await res.json()) as T;
  };

  before(async () => {
    tmp = tempDir();
    site = await startFakeServer((req, res) => {
      const page = pages.get(req.url);
      res.statusCode = page ? 200 : 404;
      res.setHeader('content-type', page?.type ?? 'text/plain');
      res.end(page?.body ?? 'not found');
    });
    pages.set('/feeds/videos.xml?channel_id=UCdemo', { type: 'application/atom+xml', body: youtubeFeed(DEMO_VIDEOS) });
    pages.set('/posts/oia', { type: 'text/html', body: asHtml(recap()) });
    // Seeds the demo event on first start, like `npm start`.
    server = await startServer(tmp.dir, { TALKREEL_JOBS: 'off' });
    base = `http://127.0.0.1:${server.port}`;
    env = testEnv(tmp.dir, { TALKREEL_PUBLIC_URL: base });
  });
  after(async () => {
    await server?.stop();
    await site?.close();
    tmp?.cleanup();
  });

  it('import: prints what a local import prints; --event names a new event, which is created', async () => {
    const file = path.join(FIXTURES, 'schedules/fosdem-like.xml');
    const alone = tempDir();
    try {
      const local = await talkreel(['import', file], testEnv(alone.dir));
      expect(local.code, local.stderr).to.equal(0);
      const remote = await cli('import', file);
      expect(remote).to.equal(local.stdout.trimEnd());
      const eventId = /^created event (\S+) from /.exec(remote)![1]!;
      expect((await api<{ id: string }>(`/api/events/${eventId}`)).id).to.equal(eventId);
    } finally {
      alone.cleanup();
    }
    const lyon = path.join(tmp.dir, 'lyon.xml');
    fs.writeFileSync(lyon, LYON);
    expect(await cli('import', lyon, '--event', 'lyon-2014')).to.match(
      /^created event lyon-2014 from frab-xml: 1 talks in file/,
    );
    const talks = await api<{ items: { title: string }[] }>('/api/talks?event=lyon-2014');
    expect(talks.items.map((t) => t.title)).to.deep.equal(['Engines of Analysis']);
  });

  it('sources add, then poll --once: the three recordings of the feed are published', async () => {
    const added = await cli(
      'sources',
      'add',
      '--event',
      DEMO,
      '--kind',
      'youtube',
      '--url',
      `${site.url}/feeds/videos.xml?channel_id=UCdemo`,
    );
    const [, sourceId] = /^added youtube source (\S+) to openstack-in-action-paris-2013: /.exec(added) ?? [];
    expect((await api<{ eventId: string }>(`/api/sources/${sourceId}`)).eventId).to.equal(DEMO);

    const polled = await cli('poll', '--once');
    expect(polled).to.match(new RegExp(`^${sourceId}\\t${DEMO}\\tok\\titems 6, matched 3, newly published 3`));
    expect(polled.split('\n').at(-1)).to.equal('1 sources: 1 ok, 0 not modified, 0 failed; 3 talks newly published');
    const published = await api<{ items: unknown[] }>(`/api/talks?event=${DEMO}&status=published`);
    expect(published.items).to.have.length(3);
  });

  it('deliver --once: the server sends a due webhook now (its jobs are off)', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const pending = await api<{ items: { id: string }[] }>(`/api/talks?event=${DEMO}&status=pending`);
      const talkId = pending.items[0]!.id;
      const sub = await api<{ subscription: { id: string }; secret: string }>('/api/subscriptions', {
        method: 'POST',
        json: { webhook: receiver.url, talk: talkId },
      });
      receiver.useSecret(sub.secret);
      await api(`/api/talks/${talkId}/recordings`, { method: 'POST', json: { url: 'https://media.ccc.de/v/oia-x' } });
      expect(await cli('deliver', '--once')).to.equal('attempted 1: delivered 1, retrying 0, failed 0');
      expect(receiver.received.map((r) => r.type)).to.deep.equal(['recording.published']);
      const { deliveries } = await api<{ deliveries: { status: string }[] }>(
        `/api/subscriptions/${sub.subscription.id}/deliveries`,
      );
      expect(deliveries.map((d) => d.status)).to.deep.equal(['delivered']);
    } finally {
      await receiver.close();
    }
  });

  it('posts add: the server fetches the post and links it to the talks it mentions', async () => {
    const out = await cli('posts', 'add', `${site.url}/posts/oia`, '--event', DEMO);
    const [, postId] = /^created (\S+): /.exec(out) ?? [];
    expect(out.split('\n').slice(1)).to.have.length(3);
    const post = await api<{ url: string; mentions: unknown[] }>(`/api/posts/${postId}`);
    expect(post.url).to.equal(`${site.url}/posts/oia`);
    expect(post.mentions).to.have.length(3);
  });

  it('posts rescan: a post saved before its talk existed links to it afterwards', async () => {
    const text = 'Notes from Brussels: Grace Hopper gave "Compilers for Everyone", the best talk of the weekend.';
    const { post } = await api<{ post: { id: string; mentions: unknown[] } }>('/api/posts', {
      method: 'POST',
      json: { text, title: 'Brussels notes' },
    });
    expect(post.mentions).to.deep.equal([]);
    await api('/api/events/lyon-2014/talks', {
      method: 'POST',
      json: { title: 'Compilers for Everyone', speakers: [{ name: 'Grace Hopper' }] },
    });
    expect(await cli('posts', 'rescan')).to.match(/^rescanned \d+ posts, 1 changed$/);
    expect((await api<{ mentions: unknown[] }>(`/api/posts/${post.id}`)).mentions).to.have.length(1);
  });

  it('blogs add, then crawl --once: the new posts of the feed are ingested', async () => {
    pages.set('/feed.xml', {
      type: 'application/rss+xml',
      body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>${site.url}/</link>
        <item><title>OIA, again</title><link>${site.url}/blog/oia</link><pubDate>Fri, 06 Dec 2013 10:00:00 GMT</pubDate></item>
        <item><title>Cats</title><link>${site.url}/blog/cats</link><pubDate>Sat, 07 Dec 2013 10:00:00 GMT</pubDate></item>
      </channel></rss>`,
    });
    pages.set('/blog/oia', { type: 'text/html', body: asHtml(recap()) });
    pages.set('/blog/cats', { type: 'text/html', body: '<article><p>My cats do not care about clouds.</p></article>' });
    const added = await cli('blogs', 'add', `${site.url}/feed.xml`);
    const [, blogId] = /^added blog (\S+): /.exec(added) ?? [];
    const blogs = await api<{ items: { id: string; feedUrl: string }[] }>('/api/blogs');
    expect(blogs.items.find((b) => b.id === blogId)?.feedUrl).to.equal(`${site.url}/feed.xml`);

    expect(await cli('crawl', '--once')).to.equal(`${blogId}\tok\titems 2, ingested 2`);
    const posts = await api<{ items: { url: string }[] }>(`/api/posts?blog=${blogId}`);
    expect(posts.items.map((p) => p.url)).to.have.members([`${site.url}/blog/oia`, `${site.url}/blog/cats`]);
  });

  it('--json gives the same shape as without a server (poll: counts and results)', async () => {
    const r = JSON.parse(await cli('poll', '--once', '--json')) as { status: string; counts: { sources: number } };
    expect(r.status).to.equal('ok');
    expect(r.counts.sources).to.equal(1);
  });

  it('migrate says it needs the server stopped, and touches nothing', async () => {
    const r = await talkreel(['migrate', '--to', 'postgres://talkreel@127.0.0.1:1/talkreel'], env);
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/locked by process \d+.*migrate copies the whole store.*stop the server/);
  });

  it('a server error comes back as the same one-line error, with its exit code', async () => {
    const r = await talkreel(
      ['sources', 'add', '--event', 'no-such-event', '--kind', 'youtube', '--url', site.url],
      env,
    );
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split('\n').at(-1)).to.match(/^talkreel sources add: .*no-such-event/);
  });
});

describe('CLI: a writing verb while the data directory is locked and no server answers', function () {
  this.timeout(120_000);
  it('every writing verb fails with the lock message and what it tried', async () => {
    const tmp = tempDir();
    // Nothing listens on port 9 (discard) on a test machine: the request is refused at once.
    const env = testEnv(tmp.dir, { TALKREEL_PUBLIC_URL: 'http://127.0.0.1:9' });
    fs.writeFileSync(path.join(tmp.dir, '.lock'), String(process.pid));
    try {
      const verbs = [
        ['import', path.join(FIXTURES, 'schedules/fosdem-like.xml')],
        ['sources', 'add', '--event', DEMO, '--kind', 'youtube', '--url', 'http://127.0.0.1:9/feed'],
        ['poll', '--once'],
        ['posts', 'add', 'http://127.0.0.1:9/post'],
        ['posts', 'rescan'],
        ['blogs', 'add', 'http://127.0.0.1:9/feed.xml'],
        ['deliver', '--once'],
        ['crawl', '--once'],
      ];
      for (const args of verbs) {
        const r = await talkreel(args, env);
        expect(r.code, args.join(' ')).to.equal(1);
        expect(r.stderr, args.join(' ')).to.match(/data directory is locked by process \d+/);
        expect(r.stderr, args.join(' ')).to.match(/no server answered at http:\/\/127\.0\.0\.1:9/);
      }
      const noToken = await talkreel(['poll', '--once'], { ...env, TALKREEL_ADMIN_TOKEN: '' });
      expect(noToken.code).to.equal(1);
      expect(noToken.stderr).to.match(/locked by process \d+.*set TALKREEL_ADMIN_TOKEN/);
      expect(fs.existsSync(path.join(tmp.dir, 'db.json'))).to.equal(false);
    } finally {
      tmp.cleanup();
    }
  });
});
