import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';

describe('HTTP: GET /api/talks/:id answers cached per talk (ETag, 304, invalidation)', () => {
  let app: TestApp;
  let talkId: string;
  before(async () => {
    app = await startApp();
    const event = await app.request('/api/events', {
      method: 'POST',
      admin: true,
      json: { name: 'Cache Conf 2031', startDate: '2031-03-04' },
    });
    expect(event.status).to.equal(201);
    const talk = await app.request('/api/events/cache-conf-2031/talks', {
      method: 'POST',
      admin: true,
      json: { title: 'Caching Answers', speakers: [{ name: 'Grace Hopper' }] },
    });
    expect(talk.status).to.equal(201);
    talkId = ((await talk.json()) as { id: string }).id;
  });
  after(async () => app.close());

  it('answers with an ETag, the same bytes twice, and 304 on If-None-Match', async () => {
    const first = await app.request(`/api/talks/${talkId}`);
    expect(first.status).to.equal(200);
    expect(first.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    const etag = first.headers.get('etag');
    expect(etag).to.match(/^"[\w-]+"$/);
    const body = await first.text();
    expect((JSON.parse(body) as { title: string }).title).to.equal('Caching Answers');

    const second = await app.request(`/api/talks/${talkId}`);
    expect(second.status).to.equal(200);
    expect(second.headers.get('etag')).to.equal(etag);
    expect(await second.text()).to.equal(body);
    // Served from the cache, the answer still carries the security headers and a request id.
    expect(second.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(second.headers.get('content-security-policy')).to.contain("default-src 'none'");
    expect(second.headers.get('x-request-id')).to.be.a('string');

    const notModified = await app.request(`/api/talks/${talkId}`, { headers: { 'if-none-match': etag! } });
    expect(notModified.status).to.equal(304);
    expect(notModified.headers.get('etag')).to.equal(etag);
    expect(await notModified.text()).to.equal('');

    const other = await app.request(`/api/talks/${talkId}`, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).to.equal(200);
  });

  it('shows an update at once: new body, new ETag, the old ETag no longer 304s', async () => {
    const before = await app.request(`/api/talks/${talkId}`);
    const oldEtag = before.headers.get('etag')!;
    const patched = await app.request(`/api/talks/${talkId}`, {
      method: 'PATCH',
      admin: true,
      json: { title: 'Caching Answers, Revised' },
    });
    expect(patched.status).to.equal(200);

    const after = await app.request(`/api/talks/${talkId}`, { headers: { 'if-none-match': oldEtag } });
    expect(after.status).to.equal(200);
    expect(((await after.json()) as { title: string }).title).to.equal('Caching Answers, Revised');
    const newEtag = after.headers.get('etag');
    expect(newEtag).to.not.equal(oldEtag);
    expect((await app.request(`/api/talks/${talkId}`, { headers: { 'if-none-match': newEtag! } })).status).to.equal(
      304,
    );
  });

  it('keeps validation and errors of the route for what the cache does not hold', async () => {
    await app.request(`/api/talks/${talkId}`); // cached
    const badQuery = await app.request(`/api/talks/${talkId}?unknown=1`);
    expect(badQuery.status).to.equal(400);
    expect(((await badQuery.json()) as { error: { code: string } }).error.code).to.equal('VALIDATION_FAILED');
    const missing = await app.request('/api/talks/no-such-talk');
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).to.equal('TALK_NOT_FOUND');
  });

  it('forgets a deleted talk', async () => {
    await app.request(`/api/talks/${talkId}`); // cached
    const del = await app.request('/api/events/cache-conf-2031?cascade=true', { method: 'DELETE', admin: true });
    expect(del.status).to.equal(204);
    expect((await app.request(`/api/talks/${talkId}`)).status).to.equal(404);
  });
});
