import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';

const BASE = 'http://talkreel.test';
const EVENT = 'pagesconf-2031';
const YOUTUBE = 'https://www.youtube.com/watch?v=abcdefghijk';
const NOCOOKIE = 'https://www.youtube-nocookie.com/embed/abcdefghijk';
const XSS = '<script>alert(1)</script>';

const browser = { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } };

async function html(app: TestApp, path: string): Promise<string> {
  const res = await app.request(path, browser);
  expect(res.status, path).to.equal(200);
  expect(res.headers.get('content-type'), path).to.match(/^text\/html/);
  return res.text();
}

/** Every JSON-LD block of a page, parsed. */
function jsonLdOf(page: string): Record<string, unknown>[] {
  return [...page.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map(
    (m) => JSON.parse(m[1]!) as Record<string, unknown>,
  );
}

/** `content` of `<meta property|name="key">`, HTML entities left as they are. */
function meta(page: string, key: string): string | undefined {
  return new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`).exec(page)?.[1];
}

/** Heading levels in document order: no level is skipped on the way down, and there is one h1. */
function expectHeadingOrder(page: string): void {
  const levels = [...page.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
  expect(
    levels.filter((l) => l === 1),
    'one h1',
  ).to.have.length(1);
  expect(levels[0]).to.equal(1);
  for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!, `headings ${levels}`).to.be.at.most(1);
}

describe('HTTP: pages people use', () => {
  let app: TestApp;

  before(async () => {
    app = await startApp();
    const store = app.services.store;
    await store.createEvent(
      eventRecord(EVENT, 'Pages Conf 2031', { city: 'Lyon', startDate: '2031-05-02', endDate: '2031-05-03' }),
    );
    await store.createEvent(eventRecord('other-meetup', 'Other Meetup'));
    const talks = [
      talkRecord('keynote', EVENT, 'Segments to Services', 'Mark McClain', {
        start: '2031-05-02T09:00:00+02:00',
        room: 'Main Hall',
        track: 'Networking',
        durationMinutes: 45,
        abstract: 'How networks became services.',
      }),
      talkRecord('late-main', EVENT, 'Closing the Loop', 'Ada Lovelace', {
        start: '2031-05-02T17:00:00+02:00',
        room: 'Main Hall',
      }),
      talkRecord('early-side', EVENT, 'Side Room Morning', 'Grace Hopper', {
        start: '2031-05-02T10:00:00+02:00',
        room: 'Side Room',
      }),
      talkRecord('day-two', EVENT, 'Second Day Opener', 'Alan Turing', {
        start: '2031-05-03T09:30:00+02:00',
        room: 'Main Hall',
      }),
      talkRecord('two-recordings', EVENT, 'Multilingual Talk', 'Linus Torvalds', {
        start: '2031-05-03T11:00:00+02:00',
        room: 'Side Room',
      }),
      talkRecord('withdrawn', EVENT, 'Withdrawn Talk', 'Barbara Liskov', {
        start: '2031-05-03T12:00:00+02:00',
        room: 'Side Room',
        // As the poller leaves it when the provider took the video down.
        recording: {
          status: 'withdrawn',
          withdrawnAt: '2031-06-01T00:00:00.000Z',
          reason: 'removed by the speaker',
          lastUrl: 'https://vimeo.com/123456789',
        },
      }),
      talkRecord('xss', EVENT, XSS, '<img src=x onerror=alert(2)>', { abstract: '</script><script>alert(3)</script>' }),
    ];
    for (const t of talks) expect(await store.createTalk(t)).to.equal(true);
  });
  after(() => app.close());

  describe('/', () => {
    it('says what Talkreel is, lists the events, has a labelled search form and proper headings', async () => {
      const page = await html(app, '/');
      expect(page).to.match(/<html lang="en">/);
      expect(page).to.include('<form method="get" action="/" role="search">');
      expect(page).to.include('<label for="q">').and.include('id="q" name="q"');
      expect(page).to.include(`<a href="/e/${EVENT}">Pages Conf 2031</a>`);
      expect(page).to.include('<a href="/e/other-meetup">Other Meetup</a>');
      expect(page).to.include('<header').and.include('<main').and.include('<footer').and.include('<nav');
      expectHeadingOrder(page);
    });

    it('finds a talk by a misspelt speaker without JavaScript (GET /?q=)', async () => {
      const page = await html(app, '/?q=mark+mcclian');
      expect(page).to.include('Results for “mark mcclian”');
      expect(page).to.include('<a href="/t/keynote">Segments to Services</a>');
      expect(page).to.include('recording pending');
      expect(page).to.include('value="mark mcclian"');
      expectHeadingOrder(page);
      const none = await html(app, '/?q=zzzzqqqq');
      expect(none).to.include('No talk matches');
    });

    it('escapes the query it echoes', async () => {
      const page = await html(app, `/?q=${encodeURIComponent('"><script>alert(9)</script>')}`);
      expect(page).to.not.include('<script>alert(9)');
      expect(page).to.include('&quot;&gt;&lt;script&gt;alert(9)');
    });

    it('lists the latest published recordings, newest first', async () => {
      expect(await html(app, '/')).to.include('No recordings published yet.');
      // Rendered pages are kept until the next commit: these two must not go stale.
      expect(await html(app, '/t/keynote')).to.include('recording pending');
      await app.services.sources.linkRecording('late-main', { url: 'https://media.ccc.de/v/late-main' });
      await new Promise((r) => setTimeout(r, 5));
      await app.services.sources.linkRecording('keynote', { url: YOUTUBE });
      const page = await html(app, '/');
      const latest = page.slice(page.indexOf('id="latest"'), page.indexOf('id="events"'));
      expect(latest).to.include('Segments to Services').and.include('Closing the Loop');
      expect(latest.indexOf('Segments to Services')).to.be.lessThan(latest.indexOf('Closing the Loop'));
      expect(latest).to.include('recording available');
      expect(await html(app, '/t/keynote')).to.include(`data-embed="${NOCOOKIE}"`);
    });

    it('answers JSON clients with links to the API', async () => {
      const res = await app.request('/');
      expect(res.status).to.equal(200);
      expect(((await res.json()) as { name: string }).name).to.equal('Talkreel');
    });
  });

  describe('/e/<id>', () => {
    it('groups the talks by day, then room, sorted by start, with status badges', async () => {
      const page = await html(app, `/e/${EVENT}`);
      expect(page).to.include('<h1>Pages Conf 2031</h1>').and.include('Lyon');
      const order = [
        '<h3>Friday, 2 May 2031',
        '<h4>Main Hall</h4>',
        'Segments to Services',
        'Closing the Loop',
        '<h4>Side Room</h4>',
        'Side Room Morning',
        '<h3>Saturday, 3 May 2031',
        'Second Day Opener',
        'Multilingual Talk',
        'Not scheduled',
      ].map((s) => page.indexOf(s));
      for (const i of order) expect(i).to.be.greaterThan(-1);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
      expect(page).to.include('<time datetime="2031-05-02T09:00:00+02:00">09:00</time>');
      expect(page).to.include('— Mark McClain');
      expect(page).to.include('<span class="status status-pending">recording pending</span>');
      expectHeadingOrder(page);
    });

    it('offers the iframe and script snippets and its feeds', async () => {
      const page = await html(app, `/e/${EVENT}`);
      expect(page).to.include(`&lt;iframe src=&quot;${BASE}/embed/list?event=${EVENT}&quot;`);
      expect(page).to.include('talkreel:height');
      expect(page).to.include(
        `&lt;script src=&quot;${BASE}/embed.js&quot; data-event=&quot;${EVENT}&quot; async&gt;&lt;/script&gt;`,
      );
      expect(page)
        .to.match(/<label for="snippet-iframe">/)
        .and.match(/<textarea id="snippet-iframe" readonly/);
      expect(page).to.include(`href="${BASE}/feeds/recordings.atom?event=${EVENT}"`);
      expect(page).to.include(`href="${BASE}/feeds/recordings.json?event=${EVENT}"`);
      expect(page).to.not.match(/<iframe/);
    });
  });

  describe('/t/<id>', () => {
    it('pending: says so, offers the notify-me form, describes the talk as an Event', async () => {
      const page = await html(app, '/t/day-two');
      expect(page).to.include('<h1>Second Day Opener</h1>');
      expect(page).to.include('recording pending').and.include('not published yet');
      expect(page).to.include('<form method="post" action="/subscriptions">');
      expect(page).to.include('<input type="hidden" name="talk" value="day-two">');
      expect(page).to.match(/<label for="notify-email">[^<]+<\/label>/);
      expect(page).to.include('type="email" id="notify-email" name="email"');
      expect(page).to.include(`<a href="/e/${EVENT}">Pages Conf 2031</a>`).and.include('Main Hall');
      expect(page).to.not.include('data-embed=');
      const [ld] = jsonLdOf(page);
      expect(ld).to.include({ '@type': 'Event', name: 'Second Day Opener', startDate: '2031-05-03T09:30:00+02:00' });
      expect(meta(page, 'og:type')).to.equal('website');
      expect(meta(page, 'twitter:card')).to.equal('summary');
      expectHeadingOrder(page);
    });

    it('published: a click-to-load player, no iframe and nothing third-party loaded, VideoObject, OG, oEmbed', async () => {
      const page = await html(app, '/t/keynote');
      expect(page).to.include(`data-embed="${NOCOOKIE}"`);
      expect(page).to.not.include('<iframe');
      // No third-party src= anywhere: only our own script.
      const srcs = [...page.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
      expect(srcs).to.deep.equal(['/assets/talkreel.js']);
      expect(page).to.include(`<a href="${YOUTUBE}" rel="noopener">Watch on YouTube</a>`);
      expect(page).to.not.include('<form method="post" action="/subscriptions">');

      const [ld] = jsonLdOf(page);
      expect(ld).to.include({
        '@context': 'https://schema.org',
        '@type': 'VideoObject',
        name: 'Segments to Services',
        embedUrl: NOCOOKIE,
        url: `${BASE}/t/keynote`,
        thumbnailUrl: 'https://i.ytimg.com/vi/abcdefghijk/hqdefault.jpg',
        duration: 'PT45M',
      });
      const talk = await app.services.catalogue.getTalk('keynote');
      expect(ld!.uploadDate).to.equal(talk.recording.status === 'published' ? talk.recording.publishedAt : '');

      expect(meta(page, 'og:title')).to.equal('Segments to Services');
      expect(meta(page, 'og:type')).to.equal('video.other');
      expect(meta(page, 'og:url')).to.equal(`${BASE}/t/keynote`);
      expect(meta(page, 'og:description')).to.equal('How networks became services.');
      expect(meta(page, 'og:video')).to.equal(NOCOOKIE);
      expect(meta(page, 'twitter:card')).to.equal('player');
      expect(meta(page, 'twitter:player')).to.equal(NOCOOKIE);

      const encoded = encodeURIComponent(`${BASE}/t/keynote`);
      expect(page).to.include(
        `<link rel="alternate" type="application/json+oembed" href="${BASE}/oembed?url=${encoded}&amp;format=json" title="Segments to Services">`,
      );
      expect(page).to.include(
        `<link rel="alternate" type="text/xml+oembed" href="${BASE}/oembed?url=${encoded}&amp;format=xml"`,
      );
      expect(page).to.include(`<link rel="webmention" href="${BASE}/webmention">`);
      expect(page).to.include(`href="${BASE}/feeds/recordings.atom?talk=keynote"`);
    });

    it('several recordings: a chooser and a plain link to each', async () => {
      await app.services.sources.linkRecording('two-recordings', { url: YOUTUBE, language: 'en' });
      await app.services.sources.linkRecording('two-recordings', {
        url: 'https://media.ccc.de/v/multilingual',
        language: 'de',
      });
      const page = await html(app, '/t/two-recordings');
      expect(page).to.match(/<select id="rec-two-recordings" data-choose-recording>/);
      expect(page).to.match(/<label for="rec-two-recordings">/);
      expect(page.match(/<option /g)).to.have.length(2);
      expect(page).to.include('href="https://media.ccc.de/v/multilingual"').and.include(`href="${YOUTUBE}"`);
      expect(page.match(/data-embed="/g)).to.have.length(2);
      expect(page).to.not.include('<iframe');
    });

    it('withdrawn recordings say so, on the talk page and in the event list', async () => {
      const page = await html(app, '/t/withdrawn');
      expect(page).to.include('recording withdrawn (removed by the speaker)');
      expect(page).to.include('The recording was withdrawn: removed by the speaker.');
      expect(page).to.not.include('data-embed=');
      const event = await html(app, `/e/${EVENT}`);
      expect(event).to.include(
        '<span class="status status-withdrawn">recording withdrawn (removed by the speaker)</span>',
      );
    });

    it('escapes a hostile title in the markup, the meta tags and the JSON-LD', async () => {
      const page = await html(app, '/t/xss');
      expect(page).to.not.include(XSS);
      expect(page).to.not.include('<img src=x');
      expect(page).to.not.include('</script><script>alert(3)');
      expect(page).to.include('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
      expect(page).to.include('<title>&lt;script&gt;alert(1)&lt;/script&gt; — Pages Conf 2031</title>');
      expect(meta(page, 'og:title')).to.equal('&lt;script&gt;alert(1)&lt;/script&gt;');
      const [ld] = jsonLdOf(page);
      expect(ld!.name).to.equal(XSS);
      expect(ld!.description).to.equal('</script><script>alert(3)</script>');
      expect(page).to.include('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
      // The event list and home page escape it too.
      expect(await html(app, `/e/${EVENT}`)).to.not.include(XSS);
      expect(await html(app, '/?q=alert')).to.not.include(XSS);
    });

    it('sends the page CSP: only our own scripts, never framed', async () => {
      const res = await app.request('/t/keynote', browser);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).to.include("frame-ancestors 'none'").and.include("script-src 'self'");
      expect(res.headers.get('link')).to.equal(`<${BASE}/webmention>; rel="webmention"`);
      await res.body?.cancel();
    });
  });

  describe('the notify-me form', () => {
    const post = (body: Record<string, string>, accept = browser.headers.accept) =>
      app.request('/subscriptions', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
        body: new URLSearchParams(body).toString(),
      });

    it('asks for a confirmation and answers a page; the subscription waits for it', async () => {
      const res = await post({ email: 'Reader@Example.org', talk: 'day-two' });
      expect(res.status).to.equal(202);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const page = await res.text();
      expect(page).to.include('<h1>Check your inbox</h1>').and.include('reader@example.org');
      expect(page).to.include('href="/t/day-two"');
      const subs = await app.services.store.listSubscriptions();
      const sub = subs.find((s) => s.channel === 'email' && s.email === 'reader@example.org');
      expect(sub).to.include({ status: 'pending' });
      expect(sub!.filter).to.include({ kind: 'talk', key: 'day-two' });
      expect(sub!.types).to.deep.equal(['recording.published']);
    });

    it('a bad address is a 400 page that does not echo markup; an unknown talk a 404 page', async () => {
      const bad = await post({ email: '<b>not-an-address', talk: 'day-two' });
      expect(bad.status).to.equal(400);
      expect(bad.headers.get('content-type')).to.match(/^text\/html/);
      const page = await bad.text();
      expect(page).to.include('VALIDATION_FAILED').and.not.include('<b>not-an-address');
      const unknown = await post({ email: 'a@example.org', talk: 'no-such-talk' });
      expect(unknown.status).to.equal(404);
      expect(await unknown.text()).to.include('TALK_NOT_FOUND');
    });

    it('too many requests: a 429 page with Retry-After', async () => {
      let last: Response | undefined;
      for (let i = 0; i < 30; i++) {
        last = await post({ email: `flood${i}@example.org`, talk: 'day-two' });
        if (last.status === 429) break;
        await last.body?.cancel();
      }
      expect(last!.status).to.equal(429);
      expect(last!.headers.get('content-type')).to.match(/^text\/html/);
      expect(await last!.text()).to.include('Too many requests');
    });
  });

  describe('errors', () => {
    it('a browser gets an HTML 404 page, an API client the JSON envelope', async () => {
      const page = await app.request('/no/such/page', browser);
      expect(page.status).to.equal(404);
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
      expect(page.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
      const text = await page.text();
      expect(text).to.include('<h1>Not found</h1>').and.include('NOT_FOUND');
      expectHeadingOrder(text);

      const api = await app.request('/no/such/page');
      expect(api.status).to.equal(404);
      expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('NOT_FOUND');
      const any = await app.request('/no/such/page', { headers: { accept: '*/*' } });
      expect(any.headers.get('content-type')).to.match(/json/);
      await any.body?.cancel();
    });

    it('unknown talks and events are 404 pages for browsers that do not echo the id unescaped', async () => {
      const res = await app.request(`/t/${encodeURIComponent('<svg onload=alert(1)>')}`, browser);
      expect(res.status).to.equal(404);
      const text = await res.text();
      expect(text).to.include('TALK_NOT_FOUND').and.not.include('<svg');
      const event = await app.request('/e/nope', browser);
      expect(event.status).to.equal(404);
      expect(await event.text()).to.include('EVENT_NOT_FOUND');
    });

    it('405 and 400 are pages too', async () => {
      const res = await app.request('/t/keynote', { ...browser, method: 'DELETE' });
      expect(res.status).to.equal(405);
      expect(await res.text()).to.include('Method not allowed');
      const bad = await app.request(`/?q=${'x'.repeat(300)}`, browser);
      expect(bad.status).to.equal(400);
      expect(await bad.text()).to.include('VALIDATION_FAILED');
    });
  });
});
