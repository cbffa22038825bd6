import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import { youtubeFeed } from '../helpers/feeds.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import type { Source } from '../../src/recordings/types.ts';

const DEMO = 'openstack-in-action-paris-2013';

describe('push intake: voctopublish and WebSub', function () {
  this.timeout(15_000);
  let app: TestApp;
  let feed: Awaited<ReturnType<typeof startFakeServer>>;
  let source: Source;

  beforeEach(async () => {
    feed = await startFakeServer((_q, res) => {
      res.setHeader('content-type', 'application/atom+xml');
      res.end(youtubeFeed([]));
    });
    app = await startApp({ env: { TALKREEL_WEBHOOK_TOKEN: 'hook-secret', TALKREEL_WEBSUB_SECRET: 'hub-secret' } });
    await seedIfEmpty(app.services);
    const res = await app.request(`/api/events/${DEMO}/sources`, {
      method: 'POST',
      admin: true,
      json: { kind: 'youtube', url: `${feed.url}/feeds/videos.xml?channel_id=UCx` },
    });
    source = (await res.json()) as Source;
  });
  afterEach(async () => {
    await app.close();
    await feed.close();
  });

  const havana = async () =>
    (await app.services.store.talksOfEvent(DEMO)).find((t) => t.title === 'Havana to Icehouse')!;

  it('voctopublish release: records the media.ccc.de and public YouTube URLs on the talk named by guid, then polls the event sources', async () => {
    const talk = await havana();
    const release = {
      fahrplan: {
        conference: 'oia-paris-2013',
        guid: talk.externalIds.guid,
        id: 102,
        slug: talk.externalIds.slug,
        title: talk.title,
      },
      voctoweb: { enabled: true, frontend_url: `https://media.ccc.de/v/${talk.externalIds.slug}` },
      youtube: { enabled: true, urls: ['https://www.youtube.com/watch?v=pushVideo01'], privacy: 'public' },
    };
    for (const token of ['wrong', 'hook-secreT', 'hook-secre', 'test-admin-token']) {
      const denied = await app.request('/api/webhooks/voctopublish', {
        method: 'POST',
        json: release,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(denied.status, token).to.equal(401);
      expect(((await denied.json()) as { error: { code: string } }).error.code).to.equal('UNAUTHORIZED');
    }
    const res = await app.request('/api/webhooks/voctopublish', {
      method: 'POST',
      json: release,
      headers: { authorization: 'Bearer hook-secret' },
    });
    expect(res.status).to.equal(202);
    expect(((await res.json()) as { talkId: string }).talkId).to.equal(talk.id);
    const after = await havana();
    expect(after.recording).to.include({ status: 'published', url: `https://media.ccc.de/v/${talk.externalIds.slug}` });
    expect(after.recordings.map((r) => r.provider)).to.have.members(['mediaccc', 'youtube']);
    expect(after.recordings.every((r) => r.match.method === 'webhook')).to.equal(true);
    await app.services.poller.idle();
    expect(feed.requests.length, 'the event source was polled').to.be.greaterThan(0);
    // the same release again is no duplicate and no second published event
    await app.request('/api/webhooks/voctopublish', {
      method: 'POST',
      json: release,
      headers: { authorization: 'Bearer hook-secret' },
    });
    expect((await havana()).recordings).to.have.length(2);
    expect(
      (await app.services.store.eventsSince(0, 1_000_000)).filter(
        (e) => e.type === 'recording.published' && e.data.talkId === talk.id,
      ),
    ).to.have.length(1);
  });

  it('voctopublish: unlisted YouTube uploads are not recorded; bad bodies get 400', async () => {
    const talk = await havana();
    const res = await app.request('/api/webhooks/voctopublish', {
      method: 'POST',
      headers: { authorization: 'Bearer hook-secret' },
      json: {
        fahrplan: { guid: talk.externalIds.guid },
        youtube: { urls: ['https://www.youtube.com/watch?v=private001'], privacy: 'unlisted' },
      },
    });
    expect(res.status).to.equal(202);
    expect((await havana()).recording.status).to.equal('pending');
    const bad = await app.request('/api/webhooks/voctopublish', {
      method: 'POST',
      headers: { authorization: 'Bearer hook-secret' },
      json: { fahrplan: {} },
    });
    expect(bad.status).to.equal(400);
  });

  it('WebSub: echoes the challenge for the subscribed topic only', async () => {
    const ok = await app.request(
      `/api/websub/${source.id}?hub.mode=subscribe&hub.topic=${encodeURIComponent(source.url)}&hub.challenge=abc123&hub.lease_seconds=864000`,
    );
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal('abc123');
    const other = await app.request(
      `/api/websub/${source.id}?hub.mode=subscribe&hub.topic=${encodeURIComponent('https://evil.example/feed')}&hub.challenge=abc123`,
    );
    expect(other.status).to.equal(404);
  });

  const sign = (body: string, secret = 'hub-secret') => `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;

  it('WebSub: an unsigned (or wrongly signed) push links nothing; it only makes the source poll', async () => {
    const push = youtubeFeed([
      { id: 'forgedVideo1', title: 'Havana to Icehouse | OpenStack in Action 4', description: 'Thierry Carrez' },
    ]);
    const variants: Record<string, string>[] = [{}, { 'x-hub-signature': sign(push, 'wrong') }];
    for (const headers of variants) {
      const res = await app.request(`/api/websub/${source.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/atom+xml', ...headers },
        body: push,
      });
      expect(res.status).to.equal(202);
      expect(((await res.json()) as { ingested: boolean }).ingested).to.equal(false);
    }
    await app.services.poller.idle();
    expect((await havana()).recording.status).to.equal('pending');
    expect(feed.requests.length).to.be.greaterThan(0);
  });

  it('WebSub: a signed pushed entry is matched now; an edit of an old video is not a new recording', async () => {
    const push = youtubeFeed([
      { id: 'pushHavana01', title: 'Havana to Icehouse | OpenStack in Action 4', description: 'Thierry Carrez' },
    ]);
    const res = await app.request(`/api/websub/${source.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/atom+xml', 'x-hub-signature': sign(push) },
      body: push,
    });
    expect(res.status).to.equal(202);
    const t = await havana();
    expect(t.recording).to.include({ status: 'published', url: 'https://www.youtube.com/watch?v=pushHavana01' });
    const edited = push.replace(
      'Thierry Carrez',
      'Thierry Carrez, OpenStack release manager (slides in the description)',
    );
    await app.request(`/api/websub/${source.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/atom+xml', 'x-hub-signature': sign(edited) },
      body: edited,
    });
    const again = await havana();
    expect(again.recordings).to.have.length(1);
    expect(
      (await app.services.store.eventsSince(0, 1_000_000)).filter((e) => e.type === 'recording.published'),
    ).to.have.length(1);
    const html = await app.request(`/api/websub/${source.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/atom+xml' },
      body: '<html><body>nope</body></html>',
    });
    expect(html.status).to.equal(422);
  });
});
