import vm from 'node:vm';
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import {
  ADMIN_EVENT,
  HOSTILE_TITLE,
  UNMATCHED_URL,
  seedAdminCatalogue,
  type AdminSeed,
} from '../helpers/admin-seed.ts';

type Unmatched = { key: string; url: string; title: string; candidates: { talkId: string; score: number }[] };
type TalkDto = {
  id: string;
  title: string;
  recording: { status: string };
  recordings: { id: string; url: string; match: { method: string; confidence: number; evidence: string[] } }[];
};

describe('/admin: the organiser review page', function () {
  this.timeout(15_000);
  let app: TestApp;
  let seed: AdminSeed;

  before(async () => {
    app = await startApp();
    seed = await seedAdminCatalogue(app);
  });
  after(async () => {
    await app.close();
  });

  it('is an HTML shell with a labelled token form, no data and no inline script', async () => {
    const res = await app.request('/admin', { headers: { accept: 'text/html' } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('x-robots-tag')).to.equal('noindex');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.include("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).to.match(/<label for="token">[^<]+<\/label>\s*<input id="token" name="token" type="password"/);
    expect(html).to.match(/<form id="token-form"/);
    expect(html).to.include('<script src="/assets/admin.js" defer></script>');
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).to.have.length(1);
    expect(scripts.every((attrs) => /\bsrc=/.test(attrs))).to.equal(true);
    expect(html).not.to.match(/\son[a-z]+=/i);
    for (const h of [
      'Unmatched recordings',
      'Recent links to review',
      'Sources',
      'Blogs',
      'Posts',
      'Failed deliveries',
    ])
      expect(html).to.match(new RegExp(`<h2 id="[a-z]+-h">${h}</h2>`));
    expect(html).to.include('role="alert"');
    expect(html).to.include('aria-live="polite"');
    // a shell: nothing from the catalogue
    expect(html).not.to.include('Segments');
    expect(html).not.to.include(ADMIN_EVENT);
  });

  it('loads without a token and is the same for everyone', async () => {
    const a = await (await fetch(`${app.url}/admin`)).text();
    const b = await (await fetch(`${app.url}/admin`, { headers: { authorization: 'Bearer nope' } })).text();
    expect(a).to.equal(b);
  });

  it('serves /assets/admin.js as JavaScript that never writes markup from data', async () => {
    const res = await fetch(`${app.url}/assets/admin.js`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/javascript/);
    const etag = res.headers.get('etag');
    expect(etag).to.be.a('string');
    const js = await res.text();
    expect(() => new vm.Script(js, { filename: 'admin.js' })).not.to.throw();
    expect(/innerHTML\s*=/.test(js)).to.equal(false);
    expect(/outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/.test(js)).to.equal(false);
    // the token stays in this tab: session storage, never a cookie or local storage
    expect(js).to.include('sessionStorage');
    expect(js).not.to.include('localStorage');
    expect(js).not.to.include('document.cookie');
    expect(js).to.include("'Bearer ' + token");
    const again = await fetch(`${app.url}/assets/admin.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).to.equal(304);
  });

  describe('the API answers the page relies on', () => {
    it('unmatched queue: the recording with its best candidate, and the candidate title from the talks list', async () => {
      const q = (await (await app.request(`/api/events/${ADMIN_EVENT}/unmatched`)).json()) as { items: Unmatched[] };
      expect(q.items).to.have.length(1);
      expect(q.items[0]).to.include({ url: UNMATCHED_URL, title: HOSTILE_TITLE });
      expect(q.items[0]!.candidates[0]!.talkId).to.equal(seed.segments);
      const talks = (await (await app.request(`/api/talks?limit=200&event=${ADMIN_EVENT}`)).json()) as {
        items: TalkDto[];
        nextCursor: string | null;
      };
      expect(talks.items.map((t) => t.id)).to.include.members([seed.segments, seed.cloud]);
      const cloud = talks.items.find((t) => t.id === seed.cloud)!;
      expect(cloud.recordings[0]!.match).to.deep.include({ method: 'evidence', confidence: 0.81 });
    });

    it('health, posts and deliveries have the shapes the tables read', async () => {
      const sources = (await (await app.request('/api/sources')).json()) as { items: unknown[] };
      expect(sources.items).to.be.an('array');
      const blogs = (await (await app.request('/api/blogs')).json()) as { items: unknown[] };
      expect(blogs.items).to.be.an('array');
      const posts = (await (await app.request('/api/posts')).json()) as { items: { id: string; mentions: number }[] };
      expect(posts.items.find((p) => p.id === seed.postId)?.mentions).to.be.greaterThan(0);
      const post = (await (await app.request(`/api/posts/${seed.postId}`)).json()) as {
        mentions: { talkId: string; confidence: number; evidence: string[]; snippet: string }[];
      };
      expect(post.mentions.map((m) => m.talkId)).to.include(seed.segments);
      const failed = await app.request('/api/deliveries?status=failed', { admin: true });
      expect(failed.status).to.equal(200);
      expect(await failed.json()).to.deep.include({ deliveries: [], total: 0 });
    });

    it('a wrong token is a 401 on the admin read the page checks first', async () => {
      const res = await app.request('/api/deliveries?status=failed', { headers: { authorization: 'Bearer nope' } });
      expect(res.status).to.equal(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('UNAUTHORIZED');
    });

    it('linking a candidate publishes the talk and empties the queue; unlinking an automatic link keeps it off', async () => {
      const linked = await app.request(`/api/talks/${seed.segments}/recordings`, {
        method: 'POST',
        admin: true,
        json: { url: UNMATCHED_URL },
      });
      expect(linked.status, await linked.clone().text()).to.equal(200);
      expect(((await linked.json()) as TalkDto).recording.status).to.equal('published');
      const q = (await (await app.request(`/api/events/${ADMIN_EVENT}/unmatched`)).json()) as { items: Unmatched[] };
      expect(q.items).to.deep.equal([]);

      const cloud = (await (await app.request(`/api/talks/${seed.cloud}`)).json()) as TalkDto;
      const recId = cloud.recordings[0]!.id;
      const unlinked = await app.request(`/api/talks/${seed.cloud}/recordings/${encodeURIComponent(recId)}`, {
        method: 'DELETE',
        admin: true,
      });
      expect(unlinked.status).to.equal(200);
      const after = (await unlinked.json()) as TalkDto;
      expect(after.recordings).to.deep.equal([]);
      expect(after.recording.status).not.to.equal('published');
    });
  });
});
