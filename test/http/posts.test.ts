import fs from 'node:fs';
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import type { Mention, Post, Webmention } from '../../src/posts/types.ts';

const DEMO = 'openstack-in-action-paris-2013';
const post = (name: string): string => fs.readFileSync(new URL(`../fixtures/posts/${name}`, import.meta.url), 'utf8');

type Detected = { mentions: (Mention & { title: string })[] };

describe('recap posts and mentions', function () {
  this.timeout(15_000);
  let app: TestApp;
  let site: Awaited<ReturnType<typeof startFakeServer>>;
  const pages = new Map<string, { status?: number; type: string; body: string }>();
  let ids: { segments: string; havana: string; cormier: string };

  beforeEach(async () => {
    pages.clear();
    site = await startFakeServer((req, res) => {
      const page = pages.get(req.url);
      if (!page) {
        res.statusCode = 404;
        res.end('not found');
        return;
      }
      res.statusCode = page.status ?? 200;
      res.setHeader('content-type', page.type);
      res.end(page.body);
    });
    app = await startApp({ env: { TALKREEL_MAX_POST_BYTES: '50000', TALKREEL_FETCH_MAX_BYTES: '100000' } });
    await seedIfEmpty(app.services);
    const talks = await app.services.store.talksOfEvent(DEMO);
    const find = (re: RegExp) => talks.find((t) => re.test(t.title))!.id;
    ids = { segments: find(/Segments/), havana: find(/Havana/), cormier: find(/Open Cloud/) };
  });
  afterEach(async () => {
    await app.close();
    await site.close();
  });

  describe('detection', () => {
    it('finds exactly the three talks a trap-laden recap names, with evidence, snippets and offsets', async () => {
      const text = post('recap-oia-paris.txt');
      const res = await app.request('/api/mentions/detect', { method: 'POST', json: { text } });
      expect(res.status).to.equal(200);
      const { mentions } = (await res.json()) as Detected;
      expect(mentions.map((m) => m.talkId)).to.have.members([ids.segments, ids.havana, ids.cormier]);
      expect(mentions).to.have.length(3);
      for (const m of mentions) {
        expect(m.confidence).to.be.within(0.5, 1);
        expect(text.slice(m.start, m.end)).to.equal(m.snippet);
      }
      const havana = mentions.find((m) => m.talkId === ids.havana)!;
      expect(havana.evidence).to.include.members(['speaker', 'title']);
      expect(havana.snippet).to.match(/Ice House/);
      expect((await app.services.store.listPosts()).length, 'a dry run stores nothing').to.equal(0);
    });

    it('generic words and a first name alone link nothing', async () => {
      const { mentions } = (await (
        await app.request('/api/mentions/detect', { method: 'POST', json: { text: post('no-mentions.txt') } })
      ).json()) as Detected;
      expect(mentions).to.deep.equal([]);
    });

    it('a bare surname counts only when the post is about the event', async () => {
      const bare = 'Cormier gave a rousing talk about open source business.';
      const without = (await (
        await app.request('/api/mentions/detect', { method: 'POST', json: { text: bare } })
      ).json()) as Detected;
      expect(without.mentions).to.deep.equal([]);
      const about = (await (
        await app.request('/api/mentions/detect', {
          method: 'POST',
          json: { text: `Back from OpenStack in Action 4. ${bare}` },
        })
      ).json()) as Detected;
      expect(about.mentions.map((m) => m.talkId)).to.deep.equal([ids.cormier]);
      const hinted = (await (
        await app.request('/api/mentions/detect', { method: 'POST', json: { text: bare, event: DEMO } })
      ).json()) as Detected;
      expect(hinted.mentions.map((m) => m.talkId)).to.deep.equal([ids.cormier]);
    });

    it('a typo in a name, a link to the schedule page or a Talkreel page are found', async () => {
      const typo = (await (
        await app.request('/api/mentions/detect', {
          method: 'POST',
          json: { text: 'Great session by Mark McClian on networking at OpenStack in Action 4.' },
        })
      ).json()) as Detected;
      expect(typo.mentions.map((m) => m.talkId)).to.deep.equal([ids.segments]);
      const html = `<article><p>Watch <a href="http://talkreel.test/t/${ids.havana}">this one</a> first.</p></article>`;
      const link = (await (
        await app.request('/api/mentions/detect', { method: 'POST', json: { html } })
      ).json()) as Detected;
      expect(link.mentions.map((m) => [m.talkId, m.evidence])).to.deep.equal([[ids.havana, ['link']]]);
      expect(link.mentions[0]?.snippet).to.equal('this one');
    });

    it('navigation, sidebars, related posts and comment forms produce no mentions', async () => {
      const html = `<!doctype html><html><head><title>My recap</title></head><body>
        <nav><a href="/">Home</a> Mark McClain fan club</nav>
        <header class="site-header">Thierry Carrez quotes of the week</header>
        <main><article><h1>Notes from Paris</h1><div class="entry-content"><p>Paul Cormier opened OpenStack in Action 4 with a keynote on open clouds.</p></div>
        <div class="jp-relatedposts"><h3>Related</h3><a href="/x">Havana to Icehouse, by Thierry Carrez</a></div></article></main>
        <aside class="sidebar">Popular: From Segments to Services by Mark McClain</aside>
        <div id="comments"><h3>Leave a Reply</h3><form><label>Name</label><textarea></textarea></form><p>Mark McClain said: great!</p></div>
        <footer>© Thierry Carrez fans</footer></body></html>`;
      const { mentions } = (await (
        await app.request('/api/mentions/detect', { method: 'POST', json: { html } })
      ).json()) as Detected;
      expect(mentions.map((m) => m.talkId)).to.deep.equal([ids.cormier]);
    });
  });

  describe('submission', () => {
    it('stores a post, links both ways, and re-submission updates only what changed', async () => {
      const url = `${site.url}/2013/12/oia-recap`;
      const first = await app.request('/api/posts', {
        method: 'POST',
        admin: true,
        json: { url, title: 'OIA recap', text: post('recap-oia-paris.txt') },
      });
      expect(first.status).to.equal(201);
      const created = (await first.json()) as { status: string; post: Post };
      expect(created.post.mentions).to.have.length(3);
      const same = await app.request('/api/posts', {
        method: 'POST',
        admin: true,
        json: { url, title: 'OIA recap', text: post('recap-oia-paris.txt') },
      });
      expect(((await same.json()) as { status: string }).status).to.equal('unchanged');
      const edited = post('recap-oia-paris.txt').replace(/Then thierry carrez.*?cadence\.\n/s, '');
      const upd = (await (
        await app.request('/api/posts', {
          method: 'POST',
          admin: true,
          json: { url, title: 'OIA recap', text: edited },
        })
      ).json()) as { status: string; removed: string[]; post: Post };
      expect(upd.status).to.equal('updated');
      expect(upd.removed).to.deep.equal([ids.havana]);
      expect(upd.post.id).to.equal(created.post.id);

      const recaps = (await (await app.request(`/api/talks/${ids.segments}/posts`)).json()) as {
        items: { id: string; mention: Mention }[];
      };
      expect(recaps.items.map((i) => i.id)).to.deep.equal([created.post.id]);
      expect(
        ((await (await app.request(`/api/talks/${ids.havana}/posts`)).json()) as { items: unknown[] }).items,
      ).to.have.length(0);
      const list = (await (await app.request('/api/posts')).json()) as { items: { id: string }[] };
      expect(list.items.map((p) => p.id)).to.deep.equal([created.post.id]);
      expect((await app.request(`/api/posts/${created.post.id}`, { method: 'DELETE', admin: true })).status).to.equal(
        204,
      );
      expect((await app.request(`/api/posts/${created.post.id}`)).status).to.equal(404);
      expect(
        ((await (await app.request(`/api/talks/${ids.segments}/posts`)).json()) as { items: unknown[] }).items,
      ).to.have.length(0);
    });

    it('fetches a post by URL; refuses non-HTML pages (415), oversized posts (413) and bad bodies (400)', async () => {
      pages.set('/recap.html', {
        type: 'text/html; charset=utf-8',
        body: `<html><body><article><p>${post('recap-oia-paris.txt').replace(/\n/g, '</p><p>')}</p></article></body></html>`,
      });
      pages.set('/photo.png', { type: 'image/png', body: 'PNG' });
      pages.set('/huge.html', { type: 'text/html', body: `<p>${'x'.repeat(200_000)}</p>` });
      const ok = await app.request('/api/posts', {
        method: 'POST',
        admin: true,
        json: { url: `${site.url}/recap.html` },
      });
      expect(ok.status).to.equal(201);
      expect(((await ok.json()) as { post: Post }).post.mentions).to.have.length(3);
      expect(
        (await app.request('/api/posts', { method: 'POST', admin: true, json: { url: `${site.url}/photo.png` } }))
          .status,
      ).to.equal(415);
      expect(
        (await app.request('/api/posts', { method: 'POST', admin: true, json: { url: `${site.url}/huge.html` } }))
          .status,
      ).to.equal(413);
      expect(
        (await app.request('/api/posts', { method: 'POST', admin: true, json: { text: 'y'.repeat(60_000) } })).status,
      ).to.equal(413);
      expect((await app.request('/api/posts', { method: 'POST', admin: true, json: {} })).status).to.equal(400);
      expect(
        (await app.request('/api/posts', { method: 'POST', admin: true, json: { url: 'file:///etc/passwd' } })).status,
      ).to.equal(400);
      expect((await app.request('/api/posts', { method: 'POST', json: { text: 'x' } })).status).to.equal(401);
    });
  });

  describe('Webmention', () => {
    const target = () => `http://talkreel.test/t/${ids.segments}`;
    const send = (form: Record<string, string>) =>
      app.request('/webmention', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });

    it('talk and event pages advertise the endpoint', async () => {
      const res = await app.request(`/t/${ids.segments}`, { headers: { accept: 'text/html' } });
      expect(res.headers.get('link')).to.equal('<http://talkreel.test/webmention>; rel="webmention"');
      expect(await res.text()).to.include('<link rel="webmention" href="http://talkreel.test/webmention">');
      expect((await app.request(`/e/${DEMO}`)).headers.get('link')).to.match(/rel="webmention"/);
    });

    it('round trip: accepted, verified, the post links to the talk; a repeat updates; a 410 removes the link', async () => {
      pages.set('/wm-post', {
        type: 'text/html',
        body: `<html><body><article><p>Mark's networking talk in Paris was great: <a href="${target()}">recording here</a>.</p></article></body></html>`,
      });
      const res = await send({ source: `${site.url}/wm-post`, target: target() });
      expect(res.status).to.equal(202);
      const status = res.headers.get('location')!;
      expect(status).to.match(/^http:\/\/talkreel\.test\/webmention\/wm_/);
      await app.services.webmentions.idle();
      const wm = (await (await app.request(new URL(status).pathname)).json()) as Webmention;
      expect(wm.status).to.equal('accepted');
      const recaps = (await (await app.request(`/api/talks/${ids.segments}/posts`)).json()) as {
        items: { url: string; mention: Mention }[];
      };
      expect(recaps.items.map((i) => i.url)).to.deep.equal([`${site.url}/wm-post`]);
      expect(recaps.items[0]?.mention.evidence).to.include('link');

      await send({ source: `${site.url}/wm-post`, target: target() });
      await app.services.webmentions.idle();
      expect(await app.services.store.listPosts()).to.have.length(1);
      expect(await app.services.store.listWebmentions()).to.have.length(1);

      pages.set('/wm-post', { status: 410, type: 'text/html', body: 'gone' });
      await send({ source: `${site.url}/wm-post`, target: target() });
      await app.services.webmentions.idle();
      expect(((await (await app.request(new URL(status).pathname)).json()) as Webmention).status).to.equal('removed');
      expect(
        ((await (await app.request(`/api/talks/${ids.segments}/posts`)).json()) as { items: unknown[] }).items,
      ).to.have.length(0);
    });

    it('a source that does not link to the target is rejected after verification; nothing stored', async () => {
      pages.set('/no-link', {
        type: 'text/html',
        body: `<p>I mention ${target()} only as text, and <a href="${target()}/other">a different URL</a>.</p>`,
      });
      const res = await send({ source: `${site.url}/no-link`, target: target() });
      expect(res.status).to.equal(202);
      await app.services.webmentions.idle();
      const [wm] = await app.services.store.listWebmentions();
      expect(wm?.status).to.equal('rejected');
      expect(wm?.reason).to.match(/does not link/);
      expect(await app.services.store.listPosts()).to.have.length(0);
    });

    it('a source that no longer links removes the link', async () => {
      pages.set('/changing', { type: 'text/html', body: `<p><a href="${target()}">talk</a></p>` });
      await send({ source: `${site.url}/changing`, target: target() });
      await app.services.webmentions.idle();
      expect(await app.services.store.listPosts()).to.have.length(1);
      pages.set('/changing', { type: 'text/html', body: '<p>edited: link removed</p>' });
      await send({ source: `${site.url}/changing`, target: target() });
      await app.services.webmentions.idle();
      expect(await app.services.store.listPosts()).to.have.length(0);
      expect((await app.services.store.listWebmentions())[0]?.status).to.equal('removed');
    });

    it('missing or invalid URLs, source equal to target, unknown target → 400', async () => {
      const forms: Record<string, string>[] = [
        {},
        { source: `${site.url}/x` },
        { source: 'not a url', target: target() },
        { source: 'ftp://example.org/x', target: target() },
        { source: target(), target: target() },
        { source: `${site.url}/x`, target: 'http://talkreel.test/t/no-such-talk' },
        { source: `${site.url}/x`, target: 'https://elsewhere.example/page' },
      ];
      for (const form of forms) {
        const res = await send(form);
        expect(res.status, JSON.stringify(form)).to.equal(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('VALIDATION_FAILED');
      }
      expect(await app.services.store.listWebmentions()).to.have.length(0);
    });
  });

  describe('blogs', () => {
    it('crawls registered feeds, ingests new posts, shows health, and a failing feed does not stop the others', async () => {
      pages.set('/feed.xml', {
        type: 'application/rss+xml',
        body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>${site.url}/</link>
          <item><title>OIA recap</title><link>${site.url}/posts/oia</link><pubDate>Fri, 06 Dec 2013 10:00:00 GMT</pubDate><description>short</description></item>
          <item><title>Unrelated</title><link>${site.url}/posts/cats</link><pubDate>Sat, 07 Dec 2013 10:00:00 GMT</pubDate></item>
        </channel></rss>`,
      });
      pages.set('/posts/oia', {
        type: 'text/html',
        body: `<article>${post('recap-oia-paris.txt')
          .split('\n\n')
          .map((p) => `<p>${p}</p>`)
          .join('')}</article>`,
      });
      pages.set('/posts/cats', {
        type: 'text/html',
        body: '<article><p>My cats do not care about clouds.</p></article>',
      });
      pages.set('/broken.xml', { status: 500, type: 'text/plain', body: 'down' });
      const good = await app.request('/api/blogs', {
        method: 'POST',
        admin: true,
        json: { feedUrl: `${site.url}/feed.xml` },
      });
      expect(good.status).to.equal(201);
      await app.request('/api/blogs', { method: 'POST', admin: true, json: { feedUrl: `${site.url}/broken.xml` } });
      expect(
        (await app.request('/api/blogs', { method: 'POST', admin: true, json: { feedUrl: `${site.url}/feed.xml` } }))
          .status,
      ).to.equal(409);

      const run = await app.services.blogs.crawl({});
      expect(run.status).to.equal('ok');
      const posts = await app.services.store.listPosts();
      expect(posts).to.have.length(2);
      expect(posts.find((p) => p.url === `${site.url}/posts/oia`)?.mentions).to.have.length(3);
      const blogs = (await (await app.request('/api/blogs')).json()) as {
        items: {
          feedUrl: string;
          health: { consecutiveFailures: number; lastError?: { message: string }; itemsSeen: number };
        }[];
      };
      const broken = blogs.items.find((b) => b.feedUrl.endsWith('/broken.xml'))!;
      expect(broken.health.consecutiveFailures).to.equal(1);
      expect(broken.health.lastError?.message).to.match(/HTTP 500/);
      expect(blogs.items.find((b) => b.feedUrl.endsWith('/feed.xml'))!.health.itemsSeen).to.equal(2);

      // an unchanged feed fetches no post pages again
      const before = site.requests.filter((r) => r.url.startsWith('/posts/')).length;
      await app.services.blogs.crawl({});
      expect(site.requests.filter((r) => r.url.startsWith('/posts/')).length).to.equal(before);
    });
  });
});

describe('recap posts: rescans when the catalogue grows', () => {
  it('a post submitted before its talk was imported links to it after the import', async () => {
    const app = await startApp();
    try {
      const text = 'Notes from Lyon: Ada Lovelace gave "Engines of Analysis", the best talk of Open Cloud Days 2014.';
      const first = (await (
        await app.request('/api/posts', { method: 'POST', admin: true, json: { text, title: 'Lyon notes' } })
      ).json()) as { post: Post };
      expect(first.post.mentions).to.deep.equal([]);
      const created = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        json: { id: 'ocd14', name: 'Open Cloud Days 2014', city: 'Lyon', startDate: '2014-06-12' },
      });
      expect(created.status).to.equal(201);
      const schedule = `<?xml version="1.0"?><schedule><conference><acronym>ocd14</acronym><title>Open Cloud Days 2014</title></conference>
        <day index="1" date="2014-06-12"><room name="A"><event guid="0b3c7c7e-1111-4a4a-9999-000000000001" id="1"><date>2014-06-12T10:00:00+02:00</date><start>10:00</start><duration>00:30</duration><room>A</room>
        <title>Engines of Analysis</title><persons><person id="1">Ada Lovelace</person></persons></event></room></day></schedule>`;
      const imported = await app.request('/api/events/ocd14/schedule', {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/xml' },
        body: schedule,
      });
      expect(imported.status).to.equal(200);
      const after = (await (await app.request(`/api/posts/${first.post.id}`)).json()) as Post;
      expect(after.mentions.map((m) => m.evidence)).to.deep.equal([['title', 'speaker']]);
      const rescan = await app.request('/api/posts/rescan', { method: 'POST', admin: true });
      expect(((await rescan.json()) as { changed: number }).changed).to.equal(0);
    } finally {
      await app.close();
    }
  });
});
