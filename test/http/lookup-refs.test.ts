import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';

describe('lookup and talk by any reference a person pastes', function () {
  let app: TestApp;
  before(async () => {
    app = await startApp();
    await app.services.store.createEvent(
      eventRecord('fosdem-2031', 'FOSDEM 2031', {
        acronym: 'FOSDEM',
        startDate: '2031-02-01',
        url: 'https://fosdem.org/2031/',
      }),
    );
    await app.services.store.createTalk(
      talkRecord('fosdem-async', 'fosdem-2031', 'Async Rust in the kernel', 'Ana Example', {
        aliases: ['fosdem-async-old'],
        externalIds: {
          guid: '0b7c6a52-1111-4222-8333-444455556666',
          scheduleId: '4242',
          slug: 'rust_async_kernel',
          scheduleUrl: 'https://fosdem.org/2031/schedule/event/rust_async_kernel/',
        },
      }),
    );
    await app.services.store.createTalk(talkRecord('fosdem-other', 'fosdem-2031', 'Kernel scheduling', 'Bo Example'));
    await app.services.sources.linkRecording('fosdem-async', { url: 'https://www.youtube.com/watch?v=AbCdEfGhIjK' });
  });
  after(() => app.close());

  const refs = [
    'fosdem-async',
    'fosdem-async-old',
    '0B7C6A52-1111-4222-8333-444455556666',
    'rust_async_kernel',
    'https://fosdem.org/2031/schedule/event/rust_async_kernel/',
    'http://fosdem.org/2031/schedule/event/rust_async_kernel',
    'fosdem.org/2031/schedule/event/rust_async_kernel',
    'youtu.be/AbCdEfGhIjK',
    'https://video.fosdem.org/2031/h1302/rust_async_kernel.webm',
    'https://youtu.be/AbCdEfGhIjK?t=95',
    'https://www.youtube.com/watch?v=AbCdEfGhIjK&t=1m5s',
    'https://www.youtube-nocookie.com/embed/AbCdEfGhIjK',
  ];

  it('GET /api/lookup?q= answers the talk first, as an exact reference', async () => {
    for (const ref of refs) {
      const res = await app.request(`/api/lookup?q=${encodeURIComponent(ref)}`);
      expect(res.status, ref).to.equal(200);
      const body = (await res.json()) as { results: { id: string; score: number }[] };
      expect(body.results[0], ref).to.deep.include({ id: 'fosdem-async', score: 1 });
    }
  });

  it('GET /api/talks/:id resolves the same references (URLs encoded)', async () => {
    for (const ref of refs) {
      const res = await app.request(`/api/talks/${encodeURIComponent(ref)}`);
      expect(res.status, ref).to.equal(200);
      expect(((await res.json()) as { id: string }).id, ref).to.equal('fosdem-async');
    }
    expect(
      (await app.request(`/api/talks/${encodeURIComponent('https://example.org/schedule/event/nope/')}`)).status,
    ).to.equal(404);
  });

  it('plain text still ranks by words', async () => {
    const body = (await (await app.request('/api/lookup?q=kernel%20scheduling')).json()) as {
      results: { id: string }[];
    };
    expect(body.results[0]?.id).to.equal('fosdem-other');
  });
});
