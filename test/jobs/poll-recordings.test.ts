import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import { DEMO_VIDEOS, youtubeFeed } from '../helpers/feeds.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import { pollRecordings } from '../../jobs/poll-recordings.ts';
import type { Talk } from '../../src/catalogue/types.ts';
import type { Source } from '../../src/recordings/types.ts';

const DEMO = 'openstack-in-action-paris-2013';

async function demoTalks(app: TestApp): Promise<Record<'segments' | 'havana' | 'cormier', Talk>> {
  const talks = await app.services.store.talksOfEvent(DEMO);
  const find = (re: RegExp) => talks.find((t) => re.test(t.title))!;
  return { segments: find(/Segments to Services/), havana: find(/Havana to Icehouse/), cormier: find(/Open Cloud/) };
}

describe('jobs: poll recording sources', function () {
  this.timeout(20_000);
  let app: TestApp;
  let feed: Awaited<ReturnType<typeof startFakeServer>>;
  let body = youtubeFeed(DEMO_VIDEOS);

  beforeEach(async () => {
    body = youtubeFeed(DEMO_VIDEOS);
    feed = await startFakeServer((req, res) => {
      const etag = `"${body.length}"`;
      if (req.headers['if-none-match'] === etag) {
        res.statusCode = 304;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/atom+xml; charset=utf-8');
      res.setHeader('etag', etag);
      res.end(body);
    });
    app = await startApp({ env: { TALKREEL_FETCH_TIMEOUT_MS: '500', TALKREEL_FETCH_MAX_BYTES: '200000' } });
    await seedIfEmpty(app.services);
  });
  afterEach(async () => {
    await app.close();
    await feed.close();
  });

  const addSource = async (url: string, kind = 'youtube'): Promise<Source> => {
    const res = await app.request(`/api/events/${DEMO}/sources`, { method: 'POST', admin: true, json: { kind, url } });
    expect(res.status, await res.clone().text()).to.equal(201);
    return (await res.json()) as Source;
  };

  it('marks exactly the three demo talks published, and the watch links redirect', async () => {
    await addSource(`${feed.url}/feeds/videos.xml?channel_id=x`);
    const result = await pollRecordings(app.services);
    expect(result.status).to.equal('ok');
    const { segments, havana, cormier } = await demoTalks(app);
    expect(segments.recording).to.include({
      status: 'published',
      url: 'https://www.youtube.com/watch?v=vidSegments01',
    });
    expect(havana.recording).to.include({ status: 'published', url: 'https://www.youtube.com/watch?v=vidHavana0002' });
    expect(cormier.recording).to.include({ status: 'published', url: 'https://www.youtube.com/watch?v=vidCormier003' });
    const published = (await app.services.store.talksOfEvent(DEMO)).filter((t) => t.recording.status === 'published');
    expect(published).to.have.length(3);
    const watch = await app.request(`/t/${segments.id}/watch`);
    expect(watch.status).to.equal(302);
    expect(watch.headers.get('location')).to.equal('https://www.youtube.com/watch?v=vidSegments01');
    expect(segments.recordings[0]?.match.method).to.equal('evidence');
    expect(segments.recordings[0]?.match.evidence.join(' ')).to.match(/speaker/);

    // each pending→published transition is a stored recording.published event
    const events = (await app.services.store.eventsSince(0, 1_000_000)).filter((e) => e.type === 'recording.published');
    expect(events.map((e) => e.data.talkId)).to.have.members([segments.id, havana.id, cormier.id]);
    // the unrelated videos wait in the unmatched queue, linked to nothing
    const unmatched = (await (await app.request(`/api/events/${DEMO}/unmatched`)).json()) as {
      items: { key: string }[];
    };
    expect(unmatched.items.map((u) => u.key)).to.include.members(['youtube:vidUnrelated4', 'youtube:vidUnrelated6']);
  });

  it('re-polling the same content changes nothing; a 304 costs no parse and no store write', async () => {
    await addSource(`${feed.url}/feed`);
    await pollRecordings(app.services);
    await app.services.store.flush();
    const talksBefore = JSON.stringify(await app.services.store.talksOfEvent(DEMO));
    const eventsBefore = (await app.services.store.eventsSince(0, 1_000_000)).length;
    const writesBefore = (await app.services.store.stats()).writes;

    const second = await pollRecordings(app.services);
    expect(second.status === 'ok' && second.counts.notModified).to.equal(1);
    expect(feed.requests.at(-1)?.headers['if-none-match']).to.be.a('string');
    await app.services.store.flush();
    expect((await app.services.store.stats()).writes).to.equal(writesBefore);

    // same content without validators (server forgets ETags): still no change, no duplicates
    body = body.replace('<title>Conference Videos</title>', '<title>Conference Videos </title>');
    const third = await pollRecordings(app.services);
    expect(third.status === 'ok' && third.counts.ok).to.equal(1);
    expect(JSON.stringify(await app.services.store.talksOfEvent(DEMO))).to.equal(talksBefore);
    expect((await app.services.store.eventsSince(0, 1_000_000)).length).to.equal(eventsBefore);
  });

  it('absence from the feed or a failing fetch never withdraws a recording', async () => {
    const source = await addSource(`${feed.url}/feed`);
    await pollRecordings(app.services);
    body = youtubeFeed(DEMO_VIDEOS.slice(3));
    await pollRecordings(app.services);
    feed.setHandler((_req, res) => {
      res.statusCode = 500;
      res.end('oops');
    });
    await app.services.poller.run({ kind: 'ids', ids: [source.id] });
    const { segments } = await demoTalks(app);
    expect(segments.recording.status).to.equal('published');
  });

  describe('faults: the source records the error, the run goes on, the store stays consistent', () => {
    const faults: [string, (req: { url: string }, res: import('node:http').ServerResponse) => void, RegExp][] = [
      [
        'HTTP 500',
        (_q, res) => {
          res.statusCode = 500;
          res.end('boom');
        },
        /HTTP 500/,
      ],
      ['a timeout', () => undefined, /timed out/],
      [
        'malformed XML',
        (_q, res) => {
          res.setHeader('content-type', 'application/atom+xml');
          res.end('<feed><entry><title>x</entry>');
        },
        /./,
      ],
      [
        'an HTML error page served as a feed',
        (_q, res) => {
          res.setHeader('content-type', 'text/html');
          res.end('<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>');
        },
        /HTML|html/,
      ],
      [
        'a response over the size limit',
        (_q, res) => {
          res.setHeader('content-type', 'application/atom+xml');
          res.end(youtubeFeed(DEMO_VIDEOS) + ' '.repeat(300_000));
        },
        /size limit/,
      ],
      [
        'a response that trickles past the timeout',
        (_q, res) => {
          res.setHeader('content-type', 'application/atom+xml');
          res.write('<');
          const timer = setInterval(() => res.write(' '), 100);
          res.on('close', () => clearInterval(timer));
        },
        /timed out/,
      ],
      [
        'a redirect loop',
        (q, res) => {
          res.statusCode = 302;
          res.setHeader('location', q.url);
          res.end();
        },
        /redirect/,
      ],
    ];
    for (const [name, handler, message] of faults) {
      it(name, async () => {
        const bad = await startFakeServer(handler);
        try {
          const badSource = await addSource(`${bad.url}/broken`);
          const goodSource = await addSource(`${feed.url}/good`);
          const result = await pollRecordings(app.services);
          expect(result.status).to.equal('ok');
          const health = (await (await app.request(`/api/sources/${badSource.id}`)).json()) as Source;
          expect(health.health.consecutiveFailures).to.equal(1);
          expect(health.health.lastError?.message).to.match(message);
          expect(Date.parse(health.health.nextPollAt!)).to.be.greaterThan(Date.now());
          const good = (await (await app.request(`/api/sources/${goodSource.id}`)).json()) as Source;
          expect(good.health.consecutiveFailures).to.equal(0);
          expect(good.health.itemsMatched).to.equal(3);
          const { segments } = await demoTalks(app);
          expect(segments.recording.status).to.equal('published');
        } finally {
          await bad.close();
        }
      });
    }

    it('connection refused', async () => {
      const gone = await startFakeServer((_q, res) => {
        res.end();
      });
      const url = `${gone.url}/feed`;
      await gone.close();
      const source = await addSource(url);
      await pollRecordings(app.services);
      const s = await app.services.sources.getSource(source.id);
      expect(s.health.lastError?.message).to.match(/ECONNREFUSED/);
    });

    it('backs off after failures, skips the source while backing off, and recovers by itself', async () => {
      let fail = true;
      const flaky = await startFakeServer((_q, res) => {
        if (fail) {
          res.statusCode = 503;
          res.end();
        } else {
          res.setHeader('content-type', 'application/atom+xml');
          res.end(youtubeFeed(DEMO_VIDEOS));
        }
      });
      try {
        const source = await addSource(`${flaky.url}/feed`);
        await pollRecordings(app.services);
        await pollRecordings(app.services);
        let s = await app.services.sources.getSource(source.id);
        expect(s.health.consecutiveFailures).to.equal(2);
        const before = flaky.requests.length;
        await pollRecordings(app.services, { selection: { kind: 'due' } });
        expect(flaky.requests.length, 'a backing-off source is not due').to.equal(before);
        fail = false;
        await pollRecordings(app.services); // forced (CLI --once polls all)
        s = await app.services.sources.getSource(source.id);
        expect(s.health.consecutiveFailures).to.equal(0);
        expect(s.health.lastSuccessAt).to.be.a('string');
      } finally {
        await flaky.close();
      }
    });

    it('items lacking titles or dates do not break the run', async () => {
      const odd = await startFakeServer((_q, res) => {
        res.setHeader('content-type', 'application/rss+xml');
        res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
          <item><link>https://vimeo.com/111</link></item>
          <item><title>Havana to Icehouse</title><link>https://vimeo.com/222</link><description>Thierry Carrez</description></item>
          <item><title>no link at all</title></item></channel></rss>`);
      });
      try {
        const source = await addSource(`${odd.url}/rss`, 'feed');
        const result = await pollRecordings(app.services);
        expect(result.status === 'ok' && result.results?.[0]?.status).to.equal('ok');
        const { havana } = await demoTalks(app);
        expect(havana.recording).to.include({ status: 'published', url: 'https://vimeo.com/222' });
        expect((await app.services.sources.getSource(source.id)).health.itemsSeen).to.equal(2);
      } finally {
        await odd.close();
      }
    });
  });

  describe('manual decisions survive every later poll', () => {
    it('a hand-made link moves a recording and the poll does not move it back; an unlink stays unlinked', async () => {
      await addSource(`${feed.url}/feed`);
      await pollRecordings(app.services);
      const { segments, havana } = await demoTalks(app);
      // a person decides the Neutron video belongs to the Havana talk (say), by hand
      const relink = await app.request(`/api/talks/${havana.id}/recordings`, {
        method: 'POST',
        admin: true,
        json: { url: 'https://www.youtube.com/watch?v=vidSegments01', primary: true },
      });
      expect(relink.status).to.equal(200);
      await pollRecordings(app.services);
      body = body.replace('Neutron PTL', 'The Neutron PTL'); // content changed: re-parsed and re-matched
      await pollRecordings(app.services);
      let t = await demoTalks(app);
      expect(t.havana.recordings.find((r) => r.key === 'youtube:vidSegments01')?.match.method).to.equal('manual');
      expect(t.segments.recordings.some((r) => r.key === 'youtube:vidSegments01')).to.equal(false);

      // unlink by hand: the poll does not link it again
      const rec = t.havana.recordings.find((r) => r.key === 'youtube:vidSegments01')!;
      const del = await app.request(`/api/talks/${havana.id}/recordings/${rec.id}`, { method: 'DELETE', admin: true });
      expect(del.status).to.equal(200);
      body = body.replace('The Neutron PTL', 'Neutron PTL');
      await pollRecordings(app.services);
      t = await demoTalks(app);
      expect(t.havana.recordings.some((r) => r.key === 'youtube:vidSegments01')).to.equal(false);
      expect(t.segments.recordings.some((r) => r.key === 'youtube:vidSegments01')).to.equal(
        false,
        'segments also rejected it by the move',
      );
      void segments;
    });
  });

  describe('matching: a wrong match is worse than no match', () => {
    it('near-duplicate titles and speaker-only titles of a speaker with two talks go to the unmatched queue', async () => {
      const created = await app.request(`/api/events/${DEMO}/talks`, {
        method: 'POST',
        admin: true,
        json: {
          title: 'From Segments to Services, part two: Advanced OpenStack Networking',
          speakers: [{ name: 'Mark McClain' }],
        },
      });
      expect(created.status).to.equal(201);
      body = youtubeFeed([
        { id: 'vidAmbiguous1', title: 'From Segments to Services' },
        { id: 'vidSpeakerOn', title: 'Mark McClain at OpenStack in Action 4' },
      ]);
      await addSource(`${feed.url}/feed`);
      await pollRecordings(app.services);
      const published = (await app.services.store.talksOfEvent(DEMO)).filter((t) => t.recording.status === 'published');
      expect(published.map((t) => [t.title, t.recordings[0]?.match])).to.deep.equal([]);
      const q = (await (await app.request(`/api/events/${DEMO}/unmatched`)).json()) as {
        items: { key: string; candidates: { talkId: string }[]; reason: string }[];
      };
      const amb = q.items.find((u) => u.key === 'youtube:vidAmbiguous1')!;
      expect(amb.candidates.length).to.be.greaterThan(1);
      expect(q.items.some((u) => u.key === 'youtube:vidSpeakerOn')).to.equal(true);
    });

    it('a media.ccc.de link in a YouTube description is exact evidence', async () => {
      const { havana } = await demoTalks(app);
      const slug = havana.externalIds.slug!;
      body = youtubeFeed([
        {
          id: 'vidOpaque001',
          title: 'Talk #2',
          description: `Also on https://media.ccc.de/v/${slug} in higher quality`,
        },
      ]);
      await addSource(`${feed.url}/feed`);
      await pollRecordings(app.services);
      const t = await demoTalks(app);
      expect(t.havana.recording).to.include({
        status: 'published',
        url: 'https://www.youtube.com/watch?v=vidOpaque001',
      });
      expect(t.havana.recordings[0]?.match.method).to.equal('id-in-url');
    });
  });

  describe('API validation', () => {
    it('refuses invalid cron expressions, unknown kinds and non-http(s) URLs with 400', async () => {
      const post = (json: unknown) => app.request(`/api/events/${DEMO}/sources`, { method: 'POST', admin: true, json });
      expect((await post({ kind: 'youtube', url: `${feed.url}/f`, schedule: 'every tuesday' })).status).to.equal(400);
      expect((await post({ kind: 'myspace', url: `${feed.url}/f` })).status).to.equal(400);
      expect((await post({ kind: 'feed', url: 'ftp://example.org/feed' })).status).to.equal(400);
      expect((await post({ kind: 'feed', url: 'javascript:alert(1)' })).status).to.equal(400);
      expect((await post({ kind: 'feed' })).status).to.equal(400);
      expect(
        (
          await app.request('/api/events/nope/sources', {
            method: 'POST',
            admin: true,
            json: { kind: 'feed', url: `${feed.url}/f` },
          })
        ).status,
      ).to.equal(404);
      expect(
        (
          await app.request(`/api/events/${DEMO}/sources`, {
            method: 'POST',
            json: { kind: 'feed', url: `${feed.url}/f` },
          })
        ).status,
      ).to.equal(401);
    });

    it('lists sources with health, polls one now, deletes it', async () => {
      const source = await addSource(`${feed.url}/feed`);
      const now = await app.request(`/api/sources/${source.id}/poll`, { method: 'POST', admin: true });
      expect(now.status).to.equal(200);
      expect(((await now.json()) as { matched: number }).matched).to.equal(3);
      const list = (await (await app.request('/api/sources')).json()) as { items: Source[] };
      expect(list.items[0]?.health.lastSuccessAt).to.be.a('string');
      expect(list.items[0]?.health.itemsSeen).to.equal(6);
      expect((await app.request(`/api/sources/${source.id}`, { method: 'DELETE', admin: true })).status).to.equal(204);
      expect((await app.request(`/api/sources/${source.id}`)).status).to.equal(404);
    });
  });
});

describe('private network guard', () => {
  it('refuses loopback source URLs unless TALKREEL_ALLOW_PRIVATE_NETWORK is on', async () => {
    const app = await startApp({ env: { TALKREEL_ALLOW_PRIVATE_NETWORK: 'off' } });
    try {
      await seedIfEmpty(app.services);
      for (const url of [
        'http://127.0.0.1:9/feed',
        'http://localhost/feed',
        'http://10.0.0.1/feed',
        'http://[::1]/feed',
        'http://169.254.169.254/latest',
      ]) {
        const res = await app.request(`/api/events/${DEMO}/sources`, {
          method: 'POST',
          admin: true,
          json: { kind: 'feed', url },
        });
        expect(res.status, url).to.equal(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('URL_NOT_ALLOWED');
      }
    } finally {
      await app.close();
    }
  });
});

describe('shutdown', () => {
  it('aborts in-flight fetches at once and records no failure for them', async () => {
    const app = await startApp();
    const hang = await startFakeServer(() => undefined); // never answers
    try {
      await seedIfEmpty(app.services);
      const source = await app.services.sources.addSource(DEMO, { kind: 'youtube', url: `${hang.url}/feed` });
      const run = app.services.poller.run({ kind: 'all' });
      await new Promise((r) => setTimeout(r, 50)); // let the request reach the server
      await app.services.poller.stop();
      const result = await run;
      expect(result.status === 'ok' && result.results[0]?.status).to.equal('skipped');
      expect((await app.services.sources.getSource(source.id)).health.consecutiveFailures).to.equal(0);
    } finally {
      await hang.close();
      await app.close();
    }
  });
});

describe('source health: next poll time', function () {
  this.timeout(20_000);
  let app: TestApp;
  let feed: Awaited<ReturnType<typeof startFakeServer>>;
  let now = new Date('2024-05-01T10:07:00.000Z');
  const clock = { now: () => now };

  beforeEach(async () => {
    now = new Date('2024-05-01T10:07:00.000Z');
    feed = await startFakeServer((_req, res) => {
      res.setHeader('content-type', 'application/atom+xml; charset=utf-8');
      res.end(youtubeFeed(DEMO_VIDEOS));
    });
    app = await startApp({ clock });
    await seedIfEmpty(app.services);
  });
  afterEach(async () => {
    await app.close();
    await feed.close();
  });

  const health = async (id: string) => ((await (await app.request(`/api/sources/${id}`)).json()) as Source).health;

  it("reports the next tick of the source's cron schedule", async () => {
    const res = await app.request(`/api/events/${DEMO}/sources`, {
      method: 'POST',
      admin: true,
      json: { kind: 'youtube', url: `${feed.url}/feed`, schedule: '*/15 * * * *' },
    });
    expect(res.status).to.equal(201);
    const { id } = (await res.json()) as Source;
    expect((await health(id)).nextPollAt).to.equal('2024-05-01T10:15:00.000Z');
    await pollRecordings(app.services);
    now = new Date('2024-05-01T10:15:00.000Z');
    expect((await health(id)).nextPollAt).to.equal('2024-05-01T10:30:00.000Z');
  });

  describe('a 429 or 503 with Retry-After puts the next check no earlier than it asks', () => {
    for (const [status, retryAfter, expected] of [
      [429, '7200', '2024-05-01T12:07:00.000Z'],
      [503, 'Wed, 01 May 2024 13:00:00 GMT', '2024-05-01T13:00:00.000Z'],
      [429, '864000', '2024-05-01T16:07:00.000Z'], // ten days asked, clamped to six hours
    ] as const)
      it(`${status} Retry-After: ${retryAfter} → ${expected}`, async () => {
        const limited = await startFakeServer((_req, res) => {
          res.statusCode = status;
          res.setHeader('retry-after', retryAfter);
          res.end('slow down');
        });
        try {
          const source = await app.services.sources.addSource(DEMO, {
            kind: 'youtube',
            url: `${limited.url}/feed`,
            schedule: '*/15 * * * *',
          });
          await pollRecordings(app.services);
          const h = await health(source.id);
          expect(h.consecutiveFailures).to.equal(1);
          expect(h.lastError?.message).to.match(new RegExp(`HTTP ${status}`));
          expect(h.nextPollAt).to.equal(expected);
          // cron ticks before then do not fetch the source
          now = new Date('2024-05-01T11:45:00.000Z');
          await pollRecordings(app.services, { selection: { kind: 'due' } });
          expect(limited.requests).to.have.length(1);
        } finally {
          await limited.close();
        }
      });
  });
});
