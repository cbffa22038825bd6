import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { extract, setProviderList, type OembedData } from '@extractus/oembed-extractor';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const BASE = 'http://talkreel.test';
const EVENT = 'oconf-2024';
const XSS_TITLE = 'Frames & <script>alert("x")</script> considered harmful';

async function ok(res: Response | Promise<Response>, status = 200): Promise<Response> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${await r.text()}`);
  return r;
}

const oembedPath = (url: string, extra = '') => `/oembed?url=${encodeURIComponent(url)}${extra}`;
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('oEmbed provider', function () {
  this.timeout(20_000);
  let app: TestApp;
  /** The consumer library only knows https endpoints (it prefixes `https:`); our test server speaks http. */
  const fetcher = (url: string) => fetch(url.replace(/^https:\/\/127\.0\.0\.1:/, 'http://127.0.0.1:'));
  const consume = (url: string, params: { maxwidth?: number; maxheight?: number } = {}): Promise<OembedData> =>
    extract(url, params, fetcher);

  before(async () => {
    app = await startApp();
    await ok(
      app.request('/api/events', { method: 'POST', admin: true, json: { id: EVENT, name: 'O Conf & <Co> 2024' } }),
      201,
    );
    for (const talk of [
      { id: 'live', title: 'Video Talk', speakers: [{ name: 'Ada Lovelace' }, { name: 'Grace Hopper' }] },
      { id: 'soon', title: 'Pending Talk', speakers: [{ name: 'Bob Builder' }] },
      { id: 'xss', title: XSS_TITLE, speakers: [{ name: 'Mallory <b>' }] },
    ])
      await ok(app.request(`/api/events/${EVENT}/talks`, { method: 'POST', admin: true, json: talk }), 201);
    await app.services.sources.linkRecording('live', { url: 'https://www.youtube.com/watch?v=abcdefghijk' });
    await app.services.sources.linkRecording('xss', { url: 'https://www.youtube.com/watch?v=zyxwvutsrqp' });
    setProviderList([
      {
        provider_name: 'Talkreel',
        provider_url: app.url,
        endpoints: [
          {
            schemes: [`${BASE}/t/*`, `${BASE}/e/*`, 'https://talkreel.test/t/*', 'https://talkreel.test/e/*'],
            url: `${app.url}/oembed`,
          },
        ],
      },
    ]);
  });
  after(() => app.close());

  it('describes a published talk as a video: our click-to-load card in an iframe, 16:9, with author and thumbnail', async () => {
    const data = await consume(`${BASE}/t/live`);
    expect(data).to.include({
      type: 'video',
      version: '1.0',
      title: 'Video Talk',
      author_name: 'Ada Lovelace, Grace Hopper',
      author_url: `${BASE}/t/live`,
      provider_name: 'Talkreel',
      provider_url: `${BASE}/`,
      cache_age: 300,
      thumbnail_url: 'https://i.ytimg.com/vi/abcdefghijk/hqdefault.jpg',
      thumbnail_width: 480,
      thumbnail_height: 360,
      width: 640,
      height: 360,
      method: 'provider-api',
    });
    expect(data['html']).to.match(/^<iframe src="http:\/\/talkreel\.test\/embed\/talk\/live" width="640" height="360"/);
    // The framed card is ours and may be framed by anyone.
    const card = await ok(app.request('/embed/talk/live', { headers: { accept: 'text/html' } }));
    expect(card.headers.get('content-security-policy')).to.include('frame-ancestors *');
    const html = await card.text();
    expect(html).to.include('data-embed="https://www.youtube-nocookie.com/embed/abcdefghijk"');
    expect(html).to.not.include('<iframe');
  });

  it('keeps width and height within maxwidth and maxheight (and picks a thumbnail that fits)', async () => {
    const narrow = await consume(`${BASE}/t/live`, { maxwidth: 400 });
    expect([narrow['width'], narrow['height']]).to.deep.equal([400, 225]);
    expect(narrow.thumbnail_width).to.equal(320);
    expect(narrow.thumbnail_url).to.equal('https://i.ytimg.com/vi/abcdefghijk/mqdefault.jpg');
    const low = await consume(`${BASE}/t/live`, { maxwidth: 1000, maxheight: 180 });
    expect([low['width'], low['height']]).to.deep.equal([320, 180]);
    expect(low['html']).to.include('width="320" height="180"');
    const tiny = await consume(`${BASE}/t/live`, { maxwidth: 100, maxheight: 100 });
    expect(tiny['width']).to.be.at.most(100);
    expect(tiny['height']).to.be.at.most(100);
    expect(tiny.thumbnail_url).to.equal(undefined);
    const list = await consume(`${BASE}/e/${EVENT}`, { maxwidth: 300, maxheight: 200 });
    expect([list['width'], list['height']]).to.deep.equal([300, 200]);
  });

  it('describes a talk without a recording as rich: the pending card, no thumbnail', async () => {
    const data = await consume(`${BASE}/t/soon`);
    expect(data).to.include({
      type: 'rich',
      title: 'Pending Talk',
      author_name: 'Bob Builder',
      width: 640,
      height: 360,
    });
    expect(data.thumbnail_url).to.equal(undefined);
    expect(data['html']).to.include('src="http://talkreel.test/embed/talk/soon"');
    const card = await (await ok(app.request('/embed/talk/soon', { headers: { accept: 'text/html' } }))).text();
    expect(card).to.include('recording pending');
  });

  it('describes an event as rich: its talk list, for https and trailing-slash variants too', async () => {
    for (const url of [`${BASE}/e/${EVENT}`, `https://talkreel.test/e/${EVENT}/`, `${BASE}/e/${EVENT}?utm_source=x`]) {
      const res = await ok(app.request(oembedPath(url)));
      const data = (await res.json()) as OembedData;
      expect(data).to.include({ type: 'rich', version: '1.0', title: 'O Conf & <Co> 2024', width: 640, height: 480 });
      expect(data['html']).to.include(`src="http://talkreel.test/embed/list?event=${EVENT}"`);
      expect(data['html']).to.include('title="Talks: O Conf &amp; &lt;Co&gt; 2024"');
    }
    const talk = (await (await ok(app.request(oembedPath('https://talkreel.test/t/soon/')))).json()) as OembedData;
    expect(talk.title).to.equal('Pending Talk');
  });

  it('answers XML per the spec with the same fields', async () => {
    const res = await ok(app.request(oembedPath(`${BASE}/t/live`, '&format=xml&maxwidth=480')));
    expect(res.headers.get('content-type')).to.equal('text/xml; charset=utf-8');
    const text = await res.text();
    expect(text).to.match(/^<\?xml version="1\.0" encoding="utf-8" standalone="yes"\?>\n<oembed>/);
    const xml = new XMLParser({ parseTagValue: false }).parse(text) as { oembed: Record<string, string> };
    const json = (await (await ok(app.request(oembedPath(`${BASE}/t/live`, '&maxwidth=480')))).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(xml.oembed).sort()).to.deep.equal(Object.keys(json).sort());
    for (const [k, v] of Object.entries(json)) expect(xml.oembed[k], k).to.equal(String(v));
  });

  it('escapes a <script> title in html and XML, and keeps it as plain text in title', async () => {
    const data = await consume(`${BASE}/t/xss`);
    expect(data.title).to.equal(XSS_TITLE);
    expect(data.author_name).to.equal('Mallory <b>');
    expect(data['html']).to.not.include('<script');
    expect(data['html']).to.include('title="Frames &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const text = await (await ok(app.request(oembedPath(`${BASE}/t/xss`, '&format=xml')))).text();
    expect(text).to.not.include('<script');
    const xml = new XMLParser({ parseTagValue: false, processEntities: true }).parse(text) as {
      oembed: Record<string, string>;
    };
    expect(xml.oembed['title']).to.equal(XSS_TITLE);
    expect(xml.oembed['html']).to.equal(data['html']);
    const card = await (await ok(app.request('/embed/talk/xss', { headers: { accept: 'text/html' } }))).text();
    expect(card).to.not.include('<script>alert');
  });

  it('answers 404 for URLs it does not serve, 501 for other formats, 400 for a missing or bad url or size', async () => {
    for (const url of [
      'http://elsewhere.test/t/live',
      'http://talkreel.test:8080/t/live',
      `${BASE}/t/nope`,
      `${BASE}/e/nope`,
      `${BASE}/t/live/watch`,
      `${BASE}/api/talks/live`,
      `${BASE}/`,
    ])
      expect((await app.request(oembedPath(url))).status, url).to.equal(404);
    const failed = await consume(`${BASE}/t/nope`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String(failed)).to.include('404');
    const yaml = await app.request(oembedPath(`${BASE}/t/live`, '&format=yaml'));
    expect(yaml.status).to.equal(501);
    expect(await errorCode(yaml)).to.equal('NOT_IMPLEMENTED');
    for (const bad of [
      '/oembed',
      '/oembed?url=',
      oembedPath('not a url'),
      oembedPath('ftp://talkreel.test/t/live'),
      oembedPath(`${BASE}/t/live`, '&maxwidth=0'),
      oembedPath(`${BASE}/t/live`, '&maxheight=abc'),
    ]) {
      const res = await app.request(bad);
      expect(res.status, bad).to.equal(400);
      expect(await errorCode(res)).to.equal('VALIDATION_FAILED');
    }
  });

  it('is open to any origin and ignores parameters consumers add', async () => {
    const res = await ok(app.request(oembedPath(`${BASE}/t/live`, '&format=json&dnt=1&lang=en')));
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).to.equal('public, max-age=300');
  });
});
