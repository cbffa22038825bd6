import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { startApp, tempDir, type TestApp } from '../helpers/start-app.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';
import { seedIfEmpty } from '../../src/seed.ts';

describe('hostile and careless input (issue 12)', function () {
  let app: TestApp;
  before(async () => {
    app = await startApp();
    await app.services.store.createEvent(eventRecord('ev-2031', 'Event 2031'));
  });
  after(() => app.close());

  it('a body that is not what its Content-Encoding says is 400 on every body route, never 500', async () => {
    for (const [path, type] of [
      ['/api/events', 'application/json'],
      ['/api/posts', 'application/json'],
      ['/api/events/ev-2031/schedule', 'application/xml'],
      ['/webmention', 'application/x-www-form-urlencoded'],
    ] as const) {
      const res = await app.request(path, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': type, 'content-encoding': 'gzip' },
        body: 'this is not gzip',
      });
      expect(res.status, path).to.equal(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).to.equal('BAD_CONTENT_ENCODING');
    }
    // A real gzip body still works.
    const ok = await app.request('/api/events', {
      method: 'POST',
      admin: true,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ name: 'Zipped Conf 2031' })),
    });
    expect(ok.status).to.equal(201);
  });

  it('an unknown event is 404 before its body is read (even an empty <schedule/>)', async () => {
    const res = await app.request('/api/events/no-such-event/schedule', {
      method: 'POST',
      admin: true,
      headers: { 'content-type': 'application/xml' },
      body: '<schedule/>',
    });
    expect(res.status).to.equal(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('EVENT_NOT_FOUND');
  });

  it('a stored recording URL that does not parse is a clear 4xx on /t/:id/watch, not a 500', async () => {
    const talk = talkRecord('broken-url', 'ev-2031', 'Broken', 'Ana Example', {
      recording: {
        status: 'published',
        url: 'http://exa mple.org/%%%',
        recordingId: 'r1',
        publishedAt: '2031-01-02T00:00:00Z',
      },
    });
    await app.services.store.createTalk(talk);
    const res = await app.request('/t/broken-url/watch');
    expect(res.status).to.be.within(400, 499);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.be.a('string');
    const page = await app.request('/t/broken-url', { headers: { accept: 'text/html' } });
    expect(page.status).to.equal(200);
  });
});

describe('the demo event is seeded only into a new store (issue 12)', () => {
  it('stays deleted across restarts', async () => {
    const dir = tempDir();
    try {
      let app = await startApp({ dataDir: dir.dir });
      expect((await seedIfEmpty(app.services)).seeded).to.equal(true);
      const [event] = await app.services.store.listEvents();
      const del = await app.request(`/api/events/${event!.id}?cascade=true`, { method: 'DELETE', admin: true });
      expect(del.status).to.be.within(200, 204);
      await app.close();
      app = await startApp({ dataDir: dir.dir });
      expect((await seedIfEmpty(app.services)).seeded).to.equal(false);
      expect(await app.services.store.listEvents()).to.deep.equal([]);
      await app.close();
    } finally {
      dir.cleanup();
    }
  });
});

describe('POST /api/mentions/detect is public but bounded (issue 12)', () => {
  it('anonymous callers: a smaller body and a rate limit; the admin token lifts both', async () => {
    const app = await startApp();
    try {
      const big = { text: 'Talk notes. '.repeat(9_000) };
      const anon = await app.request('/api/mentions/detect', { method: 'POST', json: big });
      expect(anon.status).to.equal(413);
      const admin = await app.request('/api/mentions/detect', { method: 'POST', admin: true, json: big });
      expect(admin.status).to.equal(200);
      const statuses: number[] = [];
      for (let i = 0; i < 31; i += 1)
        statuses.push((await app.request('/api/mentions/detect', { method: 'POST', json: { text: 'hello' } })).status);
      expect(statuses.slice(0, 30).every((s) => s === 200)).to.equal(true);
      const limited = await app.request('/api/mentions/detect', { method: 'POST', json: { text: 'hello' } });
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(
        (await app.request('/api/mentions/detect', { method: 'POST', admin: true, json: { text: 'hi' } })).status,
      ).to.equal(200);
    } finally {
      await app.close();
    }
  });
});

describe('schedule.xml that attacks the parser (issue 12)', () => {
  it('external entities, entity expansion and deep nesting are 422, never 500', async () => {
    const app = await startApp();
    try {
      await app.services.store.createEvent(eventRecord('ev-x', 'Event X'));
      const bodies = {
        xxe: `<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><schedule><conference><title>&xxe;</title></conference></schedule>`,
        lol: `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><schedule><conference><title>&b;</title></conference></schedule>`,
        deep: `<schedule>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</schedule>`,
      };
      for (const [name, body] of Object.entries(bodies)) {
        const res = await app.request('/api/events/ev-x/schedule', {
          method: 'POST',
          admin: true,
          headers: { 'content-type': 'application/xml' },
          body,
        });
        expect(res.status, name).to.equal(422);
        expect(((await res.json()) as { error: { code: string } }).error.code, name).to.equal('SCHEDULE_INVALID');
      }
      expect(await app.services.store.talksOfEvent('ev-x')).to.deep.equal([]);
    } finally {
      await app.close();
    }
  });
});

describe('a store file with a malformed record (issue 12)', () => {
  it('serves the rest, and /health says what was set aside', async () => {
    const dir = tempDir();
    try {
      const app0 = await startApp({ dataDir: dir.dir });
      await app0.services.store.createEvent(eventRecord('ev-q', 'Event Q'));
      await app0.services.store.createTalk(talkRecord('fine', 'ev-q', 'Fine talk', 'Ana'));
      await app0.services.store.createTalk(talkRecord('broken', 'ev-q', 'Broken talk', 'Bo'));
      await app0.close();
      const fs = await import('node:fs');
      const file = `${dir.dir}/db.json`;
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      doc.talks.broken.recording = 'published';
      fs.writeFileSync(file, JSON.stringify(doc));
      const app = await startApp({ dataDir: dir.dir });
      try {
        expect((await app.request('/api/talks/fine')).status).to.equal(200);
        expect((await app.request('/api/talks/broken')).status).to.equal(404);
        expect((await app.request('/e/ev-q', { headers: { accept: 'text/html' } })).status).to.equal(200);
        const health = (await (await app.request('/health')).json()) as {
          store: { quarantined: number };
          warnings: string[];
        };
        expect(health.store.quarantined).to.equal(1);
        expect(health.warnings[0]).to.match(/set aside/);
      } finally {
        await app.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('a newcomer over HTTP (issue 12)', () => {
  it('POST /api/schedules creates the event the schedule names; poll-all and crawl-all are admin routes', async () => {
    const app = await startApp();
    try {
      const fs = await import('node:fs');
      const xml = fs.readFileSync(new URL('../fixtures/schedules/fosdem-like.xml', import.meta.url), 'utf8');
      const res = await app.request('/api/schedules', {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/xml' },
        body: xml,
      });
      expect(res.status, await res.clone().text()).to.equal(201);
      const report = (await res.json()) as { eventId: string; talks: number };
      expect(report.talks).to.be.greaterThan(0);
      expect(res.headers.get('location')).to.equal(`/api/events/${report.eventId}`);
      const again = await app.request('/api/schedules', {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/xml' },
        body: xml,
      });
      expect(again.status).to.equal(200);
      expect(
        (
          await app.request('/api/schedules', {
            method: 'POST',
            headers: { 'content-type': 'application/xml' },
            body: xml,
          })
        ).status,
      ).to.equal(401);
      const poll = await app.request('/api/sources/poll', { method: 'POST', admin: true });
      expect(poll.status).to.equal(200);
      expect(((await poll.json()) as { results: unknown[] }).results).to.deep.equal([]);
      const crawl = await app.request('/api/blogs/crawl', { method: 'POST', admin: true });
      expect(crawl.status).to.equal(200);
      expect((await app.request('/api/blogs/crawl', { method: 'POST' })).status).to.equal(401);
    } finally {
      await app.close();
    }
  });
});
