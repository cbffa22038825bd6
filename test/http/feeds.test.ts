import { expect } from 'chai';
import LinkHeader from 'http-link-header';
import { parseAtomFeed, parseJsonFeed } from 'feedsmith';
import { startApp, tempDir, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import type { Clock } from '../../src/platform/clock.ts';

const BASE = 'http://talkreel.test';
const EVENT = 'feedconf-2024';
const OTHER = 'otherconf-2024';
const XSS_TITLE = 'Éclairs & <script>alert("x")</script> at scale';

/** A clock the tests move forward, so every publication has its own time. */
function steppingClock(start: string): Clock & { advance(minutes: number): void } {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (minutes) => (now += minutes * 60_000) };
}

type Json = Record<string, unknown>;

async function ok(res: Response | Promise<Response>, status = 200): Promise<Response> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${await r.text()}`);
  return r;
}

/** Two events, four talks; nothing published yet. */
async function seedCatalogue(app: TestApp): Promise<void> {
  await ok(
    app.request('/api/events', {
      method: 'POST',
      admin: true,
      json: { id: EVENT, name: 'Feed Conf & <Friends> 2024', city: 'Lyon' },
    }),
    201,
  );
  await ok(
    app.request('/api/events', { method: 'POST', admin: true, json: { id: OTHER, name: 'Other Conf 2024' } }),
    201,
  );
  const talks: [string, Json][] = [
    [
      EVENT,
      {
        id: 'eclairs',
        title: XSS_TITLE,
        speakers: [{ name: 'Zoë Ångström' }],
        track: 'Main & Side',
        start: '2024-02-01T10:00:00+01:00',
        externalIds: { guid: 'guid-eclairs-1111' },
      },
    ],
    [EVENT, { id: 'gardens', title: 'Growing Distributed Gardens', speakers: [{ name: 'Bob Builder' }] }],
    [EVENT, { id: 'unpublished', title: 'A Talk Still Being Edited', speakers: [{ name: 'Carol Pending' }] }],
    [OTHER, { id: 'elsewhere', title: 'Streams Elsewhere', speakers: [{ name: 'Zoe Angstrom' }] }],
  ];
  for (const [event, body] of talks)
    await ok(app.request(`/api/events/${event}/talks`, { method: 'POST', admin: true, json: body }), 201);
}

const publish = (app: TestApp, talk: string, url: string) =>
  ok(app.request(`/api/talks/${talk}/recordings`, { method: 'POST', admin: true, json: { url } }));

const atom = async (app: TestApp, query = '') => {
  const res = await ok(app.request(`/feeds/recordings.atom${query}`, { headers: { accept: '*/*' } }));
  const text = await res.text();
  return { res, text, feed: parseAtomFeed(text) };
};
const json = async (app: TestApp, query = '') => {
  const res = await ok(app.request(`/feeds/recordings.json${query}`, { headers: { accept: '*/*' } }));
  const text = await res.text();
  return { res, text, feed: parseJsonFeed(JSON.parse(text)) };
};
const atomIds = async (app: TestApp, query = '') => (await atom(app, query)).feed.entries?.map((e) => e.id) ?? [];
const jsonIds = async (app: TestApp, query = '') => (await json(app, query)).feed.items?.map((i) => i.id) ?? [];
const talkUrl = (id: string) => `${BASE}/t/${id}`;
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('recording feeds (Atom and JSON Feed 1.1)', function () {
  this.timeout(20_000);
  const data = tempDir('talkreel-feeds-');
  const clock = steppingClock('2024-03-01T10:00:00Z');
  let app: TestApp;

  before(async () => {
    app = await startApp({ dataDir: data.dir, clock });
    await seedCatalogue(app);
    await publish(app, 'eclairs', 'https://media.example/v/eclairs?a=1&b=2');
    clock.advance(60);
    await publish(app, 'gardens', 'https://media.example/v/gardens');
    clock.advance(60);
    await publish(app, 'elsewhere', 'https://video.example/watch?v=elsewhere');
  });
  after(async () => {
    await app.close();
    data.cleanup();
  });

  it('serves Atom of the published talks, newest recording first, with links, authors, summary and categories', async () => {
    const { res, feed } = await atom(app);
    expect(res.headers.get('content-type')).to.equal('application/atom+xml; charset=utf-8');
    expect(feed.title?.value).to.equal('Talkreel: recordings');
    expect(feed.id).to.equal(`${BASE}/feeds/recordings.atom`);
    expect(feed.updated).to.equal('2024-03-01T12:00:00.000Z');
    expect(feed.entries!.map((e) => e.id)).to.deep.equal([
      talkUrl('elsewhere'),
      talkUrl('gardens'),
      talkUrl('eclairs'),
    ]);
    const eclairs = feed.entries![2]!;
    expect(eclairs.title?.value).to.equal(XSS_TITLE);
    expect(eclairs.published).to.equal('2024-03-01T10:00:00.000Z');
    expect(eclairs.updated).to.equal('2024-03-01T10:00:00.000Z');
    expect(eclairs.authors?.map((a) => a.name)).to.deep.equal(['Zoë Ångström']);
    expect(eclairs.links).to.deep.include({ href: talkUrl('eclairs'), rel: 'alternate', type: 'text/html' });
    expect(eclairs.links).to.deep.include({ href: 'https://media.example/v/eclairs?a=1&b=2', rel: 'related' });
    expect(eclairs.links?.some((l) => l.rel === 'enclosure')).to.equal(false);
    expect(eclairs.summary?.type).to.equal('text');
    expect(eclairs.summary?.value).to.include('Speakers: Zoë Ångström');
    expect(eclairs.summary?.value).to.include('Event: Feed Conf & <Friends> 2024');
    expect(eclairs.summary?.value).to.include('Date: 2024-02-01');
    expect(eclairs.summary?.value).to.include('Recording: https://media.example/v/eclairs?a=1&b=2');
    expect(eclairs.categories?.map((c) => c.term)).to.deep.equal([EVENT, 'Main & Side']);
    expect(eclairs.categories?.[0]?.label).to.equal('Feed Conf & <Friends> 2024');
  });

  it('serves JSON Feed 1.1 with the same items, the recording as external_url and a plain-text body', async () => {
    const { res, feed, text } = await json(app);
    expect(res.headers.get('content-type')).to.equal('application/feed+json; charset=utf-8');
    expect((JSON.parse(text) as Json).version).to.equal('https://jsonfeed.org/version/1.1');
    expect(feed.title).to.equal('Talkreel: recordings');
    expect(feed.feed_url).to.equal(`${BASE}/feeds/recordings.json`);
    expect(feed.hubs).to.equal(undefined);
    expect(feed.items!.map((i) => i.id)).to.deep.equal([talkUrl('elsewhere'), talkUrl('gardens'), talkUrl('eclairs')]);
    const eclairs = feed.items![2]!;
    expect(eclairs.title).to.equal(XSS_TITLE);
    expect(eclairs.url).to.equal(talkUrl('eclairs'));
    expect(eclairs.external_url).to.equal('https://media.example/v/eclairs?a=1&b=2');
    expect(eclairs.content_text).to.include('Recording: https://media.example/v/eclairs?a=1&b=2');
    expect(eclairs.content_html).to.equal(undefined);
    expect(eclairs.attachments).to.equal(undefined);
    expect(eclairs.date_published).to.equal('2024-03-01T10:00:00.000Z');
    expect(eclairs.authors).to.deep.equal([{ name: 'Zoë Ångström' }]);
    expect(eclairs.tags).to.deep.equal(['Feed Conf & <Friends> 2024', 'Main & Side']);
  });

  it('answers the same bytes and ETag twice, with a Link rel=self header matching the document', async () => {
    const first = await atom(app);
    const second = await atom(app);
    expect(second.text).to.equal(first.text);
    expect(second.res.headers.get('etag'))
      .to.equal(first.res.headers.get('etag'))
      .and.match(/^"[\w-]+"$/);
    const link = LinkHeader.parse(first.res.headers.get('link') ?? '');
    expect(link.rel('self').map((l) => l.uri)).to.deep.equal([`${BASE}/feeds/recordings.atom`]);
    expect(link.rel('hub')).to.deep.equal([]);
    expect(first.feed.links).to.deep.include({
      href: `${BASE}/feeds/recordings.atom`,
      rel: 'self',
      type: 'application/atom+xml',
    });
    const j = await json(app, `?event=${EVENT}`);
    expect(LinkHeader.parse(j.res.headers.get('link') ?? '').rel('self')[0]?.uri).to.equal(
      `${BASE}/feeds/recordings.json?event=${EVENT}`,
    );
  });

  it('filters by event, with the event in the title and the event page as home', async () => {
    expect(await atomIds(app, `?event=${EVENT}`)).to.deep.equal([talkUrl('gardens'), talkUrl('eclairs')]);
    const { feed } = await json(app, `?event=${EVENT}`);
    expect(feed.title).to.equal('Talkreel: recordings — event: Feed Conf & <Friends> 2024');
    expect(feed.home_page_url).to.equal(`${BASE}/e/${EVENT}`);
  });

  it('filters by speaker whatever the case and accents', async () => {
    for (const name of ['Zoë Ångström', 'zoe angstrom', 'ZOË  ÅNGSTRÖM']) {
      expect(await jsonIds(app, `?speaker=${encodeURIComponent(name)}`), name).to.deep.equal([
        talkUrl('elsewhere'),
        talkUrl('eclairs'),
      ]);
    }
    expect(await jsonIds(app, '?speaker=Nobody%20Known')).to.deep.equal([]);
  });

  it('filters by talk, by id or any alias (schedule guid); the self link names the talk id', async () => {
    expect(await atomIds(app, '?talk=eclairs')).to.deep.equal([talkUrl('eclairs')]);
    const byGuid = await atom(app, '?talk=guid-eclairs-1111');
    expect(byGuid.feed.entries?.map((e) => e.id)).to.deep.equal([talkUrl('eclairs')]);
    expect(byGuid.feed.id).to.equal(`${BASE}/feeds/recordings.atom?talk=eclairs`);
    expect(byGuid.feed.title?.value).to.equal(`Talkreel: recordings — talk: ${XSS_TITLE}`);
    expect(await atomIds(app, '?talk=unpublished')).to.deep.equal([]);
  });

  it('filters by recap post URL: the talks that post mentions', async () => {
    const url = 'https://blog.example/2024/recap';
    expect(await jsonIds(app, `?post=${encodeURIComponent(url)}`)).to.deep.equal([]);
    await ok(
      app.request('/api/posts', {
        method: 'POST',
        admin: true,
        json: {
          url,
          title: 'My Feed Conf recap',
          text: `The best talk was "Growing Distributed Gardens" by Bob Builder (${BASE}/t/gardens). Lunch was fine.`,
        },
      }),
      201,
    );
    expect(await jsonIds(app, `?post=${encodeURIComponent(url)}`)).to.deep.equal([talkUrl('gardens')]);
    expect(await atomIds(app, `?post=${encodeURIComponent(url)}`)).to.deep.equal([talkUrl('gardens')]);
  });

  it('caps the items with limit', async () => {
    expect(await atomIds(app, '?limit=1')).to.deep.equal([talkUrl('elsewhere')]);
    expect((await atom(app, '?limit=1')).feed.id).to.equal(`${BASE}/feeds/recordings.atom?limit=1`);
  });

  it('answers 304 to If-None-Match and If-Modified-Since, 200 when older', async () => {
    const { res } = await atom(app);
    const etag = res.headers.get('etag')!;
    const lastModified = res.headers.get('last-modified')!;
    expect(lastModified).to.equal(new Date('2024-03-01T12:00:00Z').toUTCString());
    const byTag = await app.request('/feeds/recordings.atom', { headers: { 'if-none-match': etag } });
    expect(byTag.status).to.equal(304);
    expect(await byTag.text()).to.equal('');
    expect(byTag.headers.get('etag')).to.equal(etag);
    const byDate = await app.request('/feeds/recordings.atom', { headers: { 'if-modified-since': lastModified } });
    expect(byDate.status).to.equal(304);
    const older = await app.request('/feeds/recordings.atom', {
      headers: { 'if-modified-since': new Date('2024-03-01T11:59:00Z').toUTCString() },
    });
    expect(older.status).to.equal(200);
    const otherTag = await app.request('/feeds/recordings.atom', { headers: { 'if-none-match': '"stale"' } });
    expect(otherTag.status).to.equal(200);
    // JSON has its own validator.
    const j = await json(app);
    expect(j.res.headers.get('etag')).not.to.equal(etag);
    const jTag = await app.request('/feeds/recordings.json', {
      headers: { 'if-none-match': j.res.headers.get('etag')! },
    });
    expect(jTag.status).to.equal(304);
  });

  it('refuses bad input with 400 and unknown talks or events with 404, in the error envelope', async () => {
    for (const q of [
      `?event=${EVENT}&speaker=bob`,
      '?talk=eclairs&post=https://blog.example/x',
      '?foo=1',
      '?limit=0',
      '?limit=201',
      '?event=',
      '?post=not-a-url',
    ]) {
      const res = await app.request(`/feeds/recordings.atom${q}`);
      expect(res.status, q).to.equal(400);
      expect(await errorCode(res), q).to.equal('VALIDATION_FAILED');
    }
    const event = await app.request('/feeds/recordings.json?event=no-such-event');
    expect(event.status).to.equal(404);
    expect(await errorCode(event)).to.equal('EVENT_NOT_FOUND');
    const talk = await app.request('/feeds/recordings.atom?talk=no-such-talk');
    expect(talk.status).to.equal(404);
    expect(await errorCode(talk)).to.equal('TALK_NOT_FOUND');
  });

  it('links the feeds from the talk and event pages', async () => {
    const talkPage = await (await app.request('/t/eclairs', { headers: { accept: 'text/html' } })).text();
    expect(talkPage).to.include(
      `<link rel="alternate" type="application/atom+xml" title="Recordings: ${XSS_TITLE.replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')}" href="${BASE}/feeds/recordings.atom?talk=eclairs">`,
    );
    expect(talkPage).to.include(`type="application/feed+json"`);
    expect(talkPage).to.include(`href="${BASE}/feeds/recordings.json?talk=eclairs"`);
    const eventPage = await (await app.request(`/e/${EVENT}`, { headers: { accept: 'text/html' } })).text();
    expect(eventPage).to.include(`href="${BASE}/feeds/recordings.atom?event=${EVENT}"`);
    expect(eventPage).to.include(`href="${BASE}/feeds/recordings.json?event=${EVENT}"`);
    expect(eventPage).to.include('title="Recordings: Feed Conf &amp; &lt;Friends&gt; 2024"');
  });

  it('changes the ETag and Last-Modified when a recording is published, and puts it first', async () => {
    const before = await atom(app);
    const beforeJson = await json(app, `?event=${EVENT}`);
    clock.advance(60);
    await publish(app, 'unpublished', 'https://media.example/v/finally');
    const after = await atom(app);
    expect(after.res.headers.get('etag')).not.to.equal(before.res.headers.get('etag'));
    expect(after.res.headers.get('last-modified')).to.equal(new Date('2024-03-01T13:00:00Z').toUTCString());
    expect(after.feed.entries?.[0]?.id).to.equal(talkUrl('unpublished'));
    const stale = await app.request('/feeds/recordings.atom', {
      headers: { 'if-none-match': before.res.headers.get('etag')! },
    });
    expect(stale.status).to.equal(200);
    const afterJson = await json(app, `?event=${EVENT}`);
    expect(afterJson.feed.items?.map((i) => i.id)).to.deep.equal([
      talkUrl('unpublished'),
      ...beforeJson.feed.items!.map((i) => i.id),
    ]);
  });

  it('keeps the same ids and bytes across a restart', async () => {
    const before = { atom: (await atom(app)).text, json: (await json(app)).text };
    await app.close();
    app = await startApp({ dataDir: data.dir, clock });
    expect((await atom(app)).text).to.equal(before.atom);
    expect((await json(app)).text).to.equal(before.json);
  });
});

describe('recording feeds: WebSub hub', function () {
  this.timeout(20_000);
  let app: TestApp;
  let hub: Awaited<ReturnType<typeof startFakeServer>>;

  beforeEach(async () => {
    hub = await startFakeServer((_req, res) => {
      res.statusCode = 202;
      res.end();
    });
    app = await startApp({ env: { TALKREEL_WEBSUB_HUB: `${hub.url}/hub` } });
    await seedCatalogue(app);
  });
  afterEach(async () => {
    await app.close();
    await hub.close();
  });

  const pings = () =>
    hub.requests.map((r) => {
      const form = new URLSearchParams(r.body);
      return {
        method: r.method,
        path: r.url,
        type: r.headers['content-type'],
        mode: form.get('hub.mode'),
        url: form.get('hub.url'),
      };
    });

  it('pings the hub with hub.mode=publish for the full and the event feeds after a publication', async () => {
    await ok(
      app.request(`/api/events/${EVENT}/talks`, { method: 'POST', admin: true, json: { title: 'No Ping' } }),
      201,
    );
    await app.services.deliverer.runOnce();
    expect(hub.requests).to.deep.equal([]);

    await publish(app, 'gardens', 'https://media.example/v/gardens');
    await app.services.deliverer.runOnce();
    const got = pings();
    expect(got.every((p) => p.method === 'POST' && p.path === '/hub' && p.mode === 'publish')).to.equal(true);
    expect(got.every((p) => p.type?.startsWith('application/x-www-form-urlencoded'))).to.equal(true);
    expect(got.map((p) => p.url).sort()).to.deep.equal(
      [
        `${BASE}/feeds/recordings.atom`,
        `${BASE}/feeds/recordings.json`,
        `${BASE}/feeds/recordings.atom?event=${EVENT}`,
        `${BASE}/feeds/recordings.json?event=${EVENT}`,
      ].sort(),
    );
  });

  it('advertises the hub in the documents and the Link header', async () => {
    await publish(app, 'gardens', 'https://media.example/v/gardens');
    const a = await atom(app, `?event=${EVENT}`);
    expect(a.feed.links).to.deep.include({ href: `${hub.url}/hub`, rel: 'hub' });
    const link = LinkHeader.parse(a.res.headers.get('link') ?? '');
    expect(link.rel('hub').map((l) => l.uri)).to.deep.equal([`${hub.url}/hub`]);
    expect(link.rel('self').map((l) => l.uri)).to.deep.equal([`${BASE}/feeds/recordings.atom?event=${EVENT}`]);
    const j = await json(app);
    expect(j.feed.hubs).to.deep.equal([{ type: 'WebSub', url: `${hub.url}/hub` }]);
  });

  it('retries a hub that fails (the ping is a durable delivery), and a dead hub never blocks publishing', async () => {
    hub.setHandler((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    await publish(app, 'gardens', 'https://media.example/v/gardens');
    await app.services.deliverer.runOnce();
    expect(hub.requests.length).to.equal(1);
    const [ping] = (await app.services.store.deliveriesWithStatus('pending')).filter((d) => d.channel === 'websub');
    expect(ping).to.deep.include({ attempts: 1 });
    expect(ping!.log[0]).to.deep.include({ outcome: 'retry', httpStatus: 500 });
    hub.setHandler((_req, res) => {
      res.statusCode = 202;
      res.end();
    });
    await app.services.store.redeliver(ping!.id, new Date().toISOString());
    await app.services.deliverer.runOnce();
    expect((await app.services.store.getDelivery(ping!.id))?.status).to.equal('delivered');
    expect(hub.requests.length).to.equal(5);
    await hub.close();
    await publish(app, 'eclairs', 'https://media.example/v/eclairs');
    await app.services.deliverer.runOnce();
    expect(await atomIds(app)).to.deep.equal([talkUrl('eclairs'), talkUrl('gardens')]);
  });
});
