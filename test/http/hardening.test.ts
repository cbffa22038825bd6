import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import { youtubeFeed } from '../helpers/feeds.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import { pollRecordings } from '../../jobs/poll-recordings.ts';

const DEMO = 'openstack-in-action-paris-2013';

describe('hardening against hostile or odd input', function () {
  this.timeout(15_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ env: { TALKREEL_MAX_POST_BYTES: '2000', TALKREEL_WEBHOOK_TOKEN: 'hook' } });
    await seedIfEmpty(app.services);
  });
  after(async () => app.close());

  it('ids that are JavaScript object properties are not records', async () => {
    for (const path of [
      '/t/constructor',
      '/t/toString/watch',
      '/api/talks/constructor',
      '/api/events/constructor',
      '/api/sources/constructor',
      '/api/posts/__proto__',
      '/webmention/constructor',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).to.equal(404);
    }
  });

  it('permanent links keep working with tracking parameters added', async () => {
    const [talk] = await app.services.store.talksOfEvent(DEMO);
    expect(
      (await app.request(`/t/${talk!.id}?utm_source=x&fbclid=abc`, { headers: { accept: 'text/html' } })).status,
    ).to.equal(200);
    expect((await app.request(`/t/${talk!.id}/watch?fbclid=abc`)).status).to.equal(404); // pending, not 400
  });

  it('malformed percent-escapes in links give answers, not 500s', async () => {
    const detect = await app.request('/api/mentions/detect', {
      method: 'POST',
      json: {
        html: '<p><a href="http://talkreel.test/t/%E0">x</a> and <a href="http://talkreel.test/t/100%">y</a></p>',
      },
    });
    expect(detect.status).to.equal(200);
    const wm = await app.request('/webmention', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'source=http%3A%2F%2F127.0.0.1%3A9%2Fa&target=http%3A%2F%2Ftalkreel.test%2Ft%2F%25E0',
    });
    expect(wm.status).to.equal(400);
    const feed = await startFakeServer((_q, res) => {
      res.setHeader('content-type', 'application/atom+xml');
      res.end(
        youtubeFeed([
          { id: 'badEscape01', title: 'Something', description: 'see http://talkreel.test/t/100% and more' },
        ]),
      );
    });
    try {
      await app.services.sources.addSource(DEMO, { kind: 'youtube', url: `${feed.url}/f` });
      const run = await pollRecordings(app.services);
      expect(run.status === 'ok' && run.results?.[0]?.status).to.equal('ok');
    } finally {
      await feed.close();
    }
  });

  it('a webmention whose source is too large finishes as rejected, not pending', async () => {
    const [talk] = await app.services.store.talksOfEvent(DEMO);
    const target = `http://talkreel.test/t/${talk!.id}`;
    const page = await startFakeServer((_q, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<p><a href="${target}">t</a>${'x'.repeat(5000)}</p>`);
    });
    try {
      const res = await app.request('/webmention', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ source: `${page.url}/big`, target }).toString(),
      });
      expect(res.status).to.equal(202);
      await app.services.webmentions.idle();
      const wm = (await app.services.store.listWebmentions()).find((w) => w.source === `${page.url}/big`);
      expect(wm?.status).to.equal('rejected');
      expect(wm?.reason).to.match(/limit/);
    } finally {
      await page.close();
    }
  });

  it('the release webhook authenticates before it validates, and refuses non-http URLs', async () => {
    expect(
      (await app.request('/api/webhooks/voctopublish', { method: 'POST', json: { nonsense: true } })).status,
    ).to.equal(401);
    const [talk] = await app.services.store.talksOfEvent(DEMO);
    const res = await app.request('/api/webhooks/voctopublish', {
      method: 'POST',
      headers: { authorization: 'Bearer hook' },
      json: { fahrplan: { guid: talk!.externalIds.guid }, voctoweb: { frontend_url: 'javascript:alert(1)' } },
    });
    expect(res.status).to.equal(400);
  });

  it('unlinking a wrong match returns the talk to pending (no withdrawal), and a webhook does not undo it', async () => {
    const talks = await app.services.store.talksOfEvent(DEMO);
    const talk = talks.find((t) => t.title.startsWith('Havana'))!;
    const url = 'https://media.ccc.de/v/wrong-match';
    const linked = await app.services.sources.linkRecording(talk.id, { url });
    const rec = linked.recordings.find((r) => r.url === url)!;
    const un = await app.request(`/api/talks/${talk.id}/recordings/${rec.id}`, { method: 'DELETE', admin: true });
    expect(un.status).to.equal(200);
    expect(((await un.json()) as { recording: { status: string } }).recording.status).to.equal('pending');
    expect((await app.services.store.eventsSince(0, 1_000_000)).some((e) => e.type === 'recording.withdrawn')).to.equal(
      false,
    );
    await app.request('/api/webhooks/voctopublish', {
      method: 'POST',
      headers: { authorization: 'Bearer hook' },
      json: { fahrplan: { guid: talk.externalIds.guid }, voctoweb: { frontend_url: url } },
    });
    expect((await app.services.catalogue.getTalk(talk.id)).recording.status).to.equal('pending');
  });
});
