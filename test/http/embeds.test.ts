import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { embedSnippets } from '../../src/embed/snippets.ts';
import type { ListJson } from '../../src/embed/list.ts';

const BASE = 'http://talkreel.test';
const EVENT = 'embedconf-2024';
const OTHER = 'otherconf-2024';
const XSS_TITLE = 'Lists & <script>alert("x")</script> <img src=x onerror=alert(1)>';
const RECAP = 'https://blog.example/2024/embedconf-recap';

async function ok(res: Response | Promise<Response>, status = 200): Promise<Response> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${await r.text()}`);
  return r;
}

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
/** `data-talk` ids in document order. */
const talkIds = (html: string) => [...html.matchAll(/data-talk="([^"]+)"/g)].map((m) => m[1]);
const statusOf = (html: string, id: string) => new RegExp(`data-talk="${id}" data-status="([a-z-]+)"`).exec(html)?.[1];

describe('embeds: talk lists, fragment, JSON and widget script', function () {
  this.timeout(20_000);
  let app: TestApp;
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { accept: '*/*', ...headers } });
  const html = async (path: string) => (await ok(get(path))).text();

  before(async () => {
    app = await startApp();
    await ok(
      app.request('/api/events', { method: 'POST', admin: true, json: { id: EVENT, name: 'Embed Conf <2024>' } }),
      201,
    );
    await ok(app.request('/api/events', { method: 'POST', admin: true, json: { id: OTHER, name: 'Other Conf' } }), 201);
    const talks: [string, Record<string, unknown>][] = [
      [
        EVENT,
        { id: 'alpha', title: 'Alpha Streams', speakers: [{ name: 'Ada Lovelace' }], start: '2024-05-01T10:00:00Z' },
      ],
      [
        EVENT,
        { id: 'beta', title: 'Beta Gardens', speakers: [{ name: 'Bob Builder' }], start: '2024-05-01T11:00:00Z' },
      ],
      [EVENT, { id: 'xss', title: XSS_TITLE, speakers: [{ name: 'Mallory "M" <b>' }], start: '2024-05-01T12:00:00Z' }],
      [
        OTHER,
        { id: 'gamma', title: 'Gamma Rays', speakers: [{ name: 'Ada Lovelace' }], start: '2023-01-01T10:00:00Z' },
      ],
    ];
    for (const [event, body] of talks)
      await ok(app.request(`/api/events/${event}/talks`, { method: 'POST', admin: true, json: body }), 201);
    await app.services.sources.linkRecording('beta', { url: 'https://www.youtube.com/watch?v=bbbbbbbbbbb' });
  });
  after(() => app.close());

  describe('GET /embed/list', () => {
    it("lists an event's talks as a framable document: links, speakers, status, click-to-load player, height script", async () => {
      const res = await ok(get(`/embed/list?event=${EVENT}`));
      expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      const body = await res.text();
      expect(body).to.match(/^<!doctype html>/);
      expect(talkIds(body)).to.deep.equal(['alpha', 'beta', 'xss']);
      expect(statusOf(body, 'alpha')).to.equal('pending');
      expect(statusOf(body, 'beta')).to.equal('published');
      expect(body).to.include('<a class="title" href="http://talkreel.test/t/alpha" target="_blank" rel="noopener">');
      expect(body).to.include('Ada Lovelace');
      expect(body).to.include('recording pending');
      expect(body).to.include('data-embed="https://www.youtube-nocookie.com/embed/bbbbbbbbbbb"');
      expect(body).to.include('Watch: YouTube');
      expect(body).to.include('<script src="/assets/talkreel.js" defer></script>');
      // Click-to-load: nothing from the provider before the reader's click.
      expect(body).to.not.include('<iframe');
      expect(body).to.include('<title>Talks: Embed Conf &lt;2024&gt;</title>');
    });

    it('escapes titles and speakers', async () => {
      const body = await html(`/embed/list?event=${EVENT}`);
      expect(body).to.not.include('<script>alert');
      expect(body).to.not.include('<img src=x');
      expect(body).to.include('Lists &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(body).to.include('Mallory &quot;M&quot; &lt;b&gt;');
    });

    it('selects by talk refs (in the order given), by recap post and by speaker', async () => {
      expect(talkIds(await html('/embed/list?talks=gamma,alpha,gamma'))).to.deep.equal(['gamma', 'alpha']);
      const guid = (await app.services.store.findTalk('alpha'))?.externalIds?.guid;
      if (guid) expect(talkIds(await html(`/embed/list?talks=${encodeURIComponent(guid)}`))).to.deep.equal(['alpha']);
      // A speaker's talks across events, newest first; the name as typed, case and accents folded.
      expect(talkIds(await html('/embed/list?speaker=ada%20lovelace'))).to.deep.equal(['alpha', 'gamma']);
      expect(await html('/embed/list?speaker=Nobody%20Known')).to.include('No talks to show here yet.');
      // A post not submitted yet: a friendly empty list, not an error.
      expect(await html(`/embed/list?post=${encodeURIComponent(RECAP)}`)).to.include('No talks to show here yet.');
      await ok(
        app.request('/api/posts', {
          method: 'POST',
          admin: true,
          json: { url: RECAP, title: 'My recap', text: `Loved "Beta Gardens" by Bob Builder (${BASE}/t/beta).` },
        }),
        201,
      );
      const recap = await html(`/embed/list?post=${encodeURIComponent(RECAP)}`);
      expect(talkIds(recap)).to.deep.equal(['beta']);
      expect(recap).to.include('<h1>Talks in My recap</h1>');
    });

    it('applies theme, compact and limit', async () => {
      const dark = await html(`/embed/list?event=${EVENT}&theme=dark`);
      expect(dark).to.include('color-scheme:dark');
      expect(dark).to.not.include('prefers-color-scheme');
      const light = await html(`/embed/list?event=${EVENT}&theme=light`);
      expect(light).to.not.include('color-scheme:dark');
      expect(await html(`/embed/list?event=${EVENT}`)).to.include('@media (prefers-color-scheme: dark)');
      for (const compact of ['compact', 'compact=1', 'compact=true']) {
        const body = await html(`/embed/list?event=${EVENT}&${compact}`);
        expect(body, compact).to.include('<main class="compact">');
        expect(body).to.not.include('class="player"');
        expect(body).to.include('Watch: YouTube');
        expect(talkIds(body)).to.have.length(3);
      }
      expect(await html(`/embed/list?event=${EVENT}&compact=0`)).to.include('class="player"');
      expect(talkIds(await html(`/embed/list?event=${EVENT}&limit=2`))).to.deep.equal(['alpha', 'beta']);
    });

    it('refuses no selector, two selectors, bad options (400) and unknown events or talks (404)', async () => {
      for (const bad of [
        '/embed/list',
        `/embed/list?event=${EVENT}&speaker=Ada`,
        `/embed/list?event=${EVENT}&theme=blue`,
        `/embed/list?event=${EVENT}&limit=0`,
        `/embed/list?event=${EVENT}&limit=501`,
        `/embed/list?event=${EVENT}&compact=maybe`,
        `/embed/list?event=${EVENT}&colour=red`,
        '/embed/list?talks=,,',
        `/embed/list?talks=${Array.from({ length: 101 }, (_, i) => `t${i}`).join(',')}`,
        '/embed/list?post=not-a-url',
        '/embed/list.json?speaker=%20',
      ]) {
        const res = await get(bad, { accept: 'application/json' });
        expect(res.status, bad).to.equal(400);
        expect(await errorCode(res)).to.equal('VALIDATION_FAILED');
      }
      expect((await get('/embed/list?event=nope', { accept: 'application/json' })).status).to.equal(404);
      const missing = await get('/embed/list.json?talks=alpha,nope', { accept: 'application/json' });
      expect(missing.status).to.equal(404);
      expect(await errorCode(missing)).to.equal('TALK_NOT_FOUND');
      expect((await get('/embed/talk/nope', { accept: 'application/json' })).status).to.equal(404);
    });
  });

  describe('GET /embed/list.html', () => {
    it('is a plain fragment: no document, no script, no iframe, links only, escaped', async () => {
      const res = await ok(get(`/embed/list.html?event=${EVENT}`));
      expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      const body = await res.text();
      expect(body).to.match(/^<div class="talkreel-list">/);
      for (const tag of ['<script', '<iframe', '<html', '<style', '<button', '<!doctype'])
        expect(body.toLowerCase(), tag).to.not.include(tag);
      expect(body).to.include('<a href="http://talkreel.test/t/alpha"><strong>Alpha Streams</strong></a>');
      expect(body).to.include('<em>recording pending</em>');
      expect(body).to.include('<a href="https://www.youtube.com/watch?v=bbbbbbbbbbb">Watch: YouTube</a>');
      expect(body).to.not.include('<img');
      expect(body).to.include('&lt;script&gt;');
    });
  });

  describe('GET /embed/list.json', () => {
    it("serves the widget's data", async () => {
      const res = await ok(get(`/embed/list.json?event=${EVENT}`));
      expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      const data = (await res.json()) as ListJson;
      expect(data.version).to.equal(1);
      expect(data.title).to.equal('Talks: Embed Conf <2024>');
      expect(data.talks.map((t) => t.id)).to.deep.equal(['alpha', 'beta', 'xss']);
      expect(data.talks[0]).to.deep.equal({
        id: 'alpha',
        title: 'Alpha Streams',
        speakers: ['Ada Lovelace'],
        status: 'pending',
        statusLabel: 'recording pending',
        pageUrl: `${BASE}/t/alpha`,
        recordings: [],
      });
      expect(data.talks[1]?.recordings).to.deep.equal([
        {
          url: 'https://www.youtube.com/watch?v=bbbbbbbbbbb',
          label: 'YouTube',
          embedUrl: 'https://www.youtube-nocookie.com/embed/bbbbbbbbbbb',
        },
      ]);
      expect(data.talks[2]?.title).to.equal(XSS_TITLE);
    });
  });

  describe('caching, CORS and framing', () => {
    it('answers 304 to If-None-Match from the cache without reading the store, and a new ETag after a publication', async () => {
      const path = `/embed/list?event=${EVENT}&theme=light`;
      for (const p of [path, `/embed/list.json?event=${EVENT}`, `/embed/list.html?event=${EVENT}`]) {
        const first = await ok(get(p));
        const etag = first.headers.get('etag')!;
        expect(etag, p).to.match(/^"[\w-]{27}"$/);
        expect(first.headers.get('cache-control')).to.equal('public, max-age=60');
        // fetch() adds Cache-Control: no-cache to conditional requests: the validator still decides.
        const again = await get(p, { 'if-none-match': etag, 'cache-control': 'no-cache' });
        expect(again.status, p).to.equal(304);
        expect(await again.text()).to.equal('');
        expect(again.headers.get('etag')).to.equal(etag);
        expect((await get(p, { 'if-none-match': `W/${etag}, "other"` })).status).to.equal(304);
        expect((await get(p, { 'if-none-match': '"other"' })).status).to.equal(200);
      }

      const etag = (await ok(get(path))).headers.get('etag')!;
      // No store read for a cached answer: the store's reads fail while the 304 is served.
      const store = app.services.store as unknown as Record<string, unknown>;
      const saved = new Map<string, unknown>();
      for (const name of ['findTalk', 'getTalks', 'talksOfEvent', 'allTalks', 'getEvent', 'getEvents', 'getPost']) {
        saved.set(name, store[name]);
        store[name] = () => Promise.reject(new Error(`store.${name} read during a 304`));
      }
      try {
        expect((await get(path, { 'if-none-match': etag })).status).to.equal(304);
      } finally {
        for (const [name, fn] of saved) store[name] = fn;
      }

      await app.services.sources.linkRecording('alpha', { url: 'https://www.youtube.com/watch?v=abcdefghijk' });
      const after = await ok(get(path, { 'if-none-match': etag }));
      expect(after.headers.get('etag')).to.not.equal(etag);
      expect(statusOf(await after.text(), 'alpha')).to.equal('published');
    });

    it('is open to any origin (with ETag exposed and a preflight for If-None-Match) and framable by anyone, unlike pages', async () => {
      for (const p of [
        `/embed/list?event=${EVENT}`,
        `/embed/list.html?event=${EVENT}`,
        `/embed/list.json?event=${EVENT}`,
        '/embed/talk/alpha',
      ]) {
        const res = await ok(get(p, { origin: 'https://blog.example' }));
        expect(res.headers.get('access-control-allow-origin'), p).to.equal('*');
        expect(res.headers.get('access-control-expose-headers'), p).to.equal('ETag');
        expect(res.headers.get('content-security-policy'), p).to.include('frame-ancestors *');
      }
      const page = await ok(get('/t/alpha', { accept: 'text/html' }));
      expect(page.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
      const preflight = await app.request(`/embed/list.json?event=${EVENT}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://blog.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'if-none-match',
        },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal('*');
      expect(preflight.headers.get('access-control-allow-headers')).to.equal('If-None-Match');
    });
  });

  describe('GET /embed.js', () => {
    it('serves the widget as JavaScript with an ETag', async () => {
      const res = await ok(get('/embed.js'));
      expect(res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
      const etag = res.headers.get('etag')!;
      expect(etag).to.match(/^".+"$/);
      const js = await res.text();
      expect(js.length).to.be.below(12_000);
      expect(js).to.include("customElements.define('talkreel-list'");
      expect(js).to.include('attachShadow');
      expect(js).to.include('If-None-Match');
      expect(js).to.not.match(/innerHTML|insertAdjacentHTML|outerHTML|document\.write/);
      expect((await get('/embed.js', { 'if-none-match': etag })).status).to.equal(304);
    });
  });

  describe('embedSnippets', () => {
    it('gives the iframe (with its resize listener), the script tag and the fragment URL', () => {
      const s = embedSnippets(BASE, { kind: 'event', value: EVENT });
      expect(s.iframe).to.equal(
        `<iframe src="${BASE}/embed/list?event=${EVENT}" title="Talks and recordings" loading="lazy" style="width:100%;border:0" height="600" data-talkreel></iframe>` +
          `<script>addEventListener('message',e=>{if(e.origin!==${JSON.stringify(new URL(BASE).origin)}||!e.data||e.data.type!=='talkreel:height')return;for(const f of document.querySelectorAll('iframe[data-talkreel]'))if(f.contentWindow===e.source)f.style.height=e.data.height+'px'})</script>`,
      );
      expect(s.script).to.equal(`<script src="${BASE}/embed.js" data-event="${EVENT}" async></script>`);
      expect(s.fragmentUrl).to.equal(`${BASE}/embed/list.html?event=${EVENT}`);
      const speaker = embedSnippets(`${BASE}/`, { kind: 'speaker', value: 'Zoë "Z" <Ång>' });
      expect(speaker.script).to.include('data-speaker="Zoë &quot;Z&quot; &lt;Ång&gt;"');
      expect(speaker.iframe).to.include(`src="${BASE}/embed/list?speaker=Zo%C3%AB%20%22Z%22%20%3C%C3%85ng%3E"`);
      expect(embedSnippets(BASE, { kind: 'talks', value: ['a', 'b'] }).fragmentUrl).to.equal(
        `${BASE}/embed/list.html?talks=a%2Cb`,
      );
    });
  });
});
