import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { seedIfEmpty } from '../../src/seed.ts';

const fixture = (name: string): string =>
  fs.readFileSync(new URL(`../fixtures/schedules/${name}`, import.meta.url), 'utf8');
const DEMO = 'openstack-in-action-paris-2013';

describe('HTTP: catalogue, lookup, pages', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
    await seedIfEmpty(app.services);
  });
  after(async () => app.close());

  describe('demo data and lookup', () => {
    it('seeds the Paris 2013 event with the three talks of the recap, recordings pending', async () => {
      const res = await app.request(`/api/talks?event=${DEMO}&limit=200`);
      expect(res.status).to.equal(200);
      const body = (await res.json()) as {
        items: { title: string; speakers: { name: string }[]; recording: { status: string } }[];
      };
      const titles = body.items.map((t) => t.title);
      expect(titles).to.include('From Segments to Services, a Dive into OpenStack Networking');
      expect(titles).to.include('Havana to Icehouse');
      expect(body.items.some((t) => t.speakers.some((s) => s.name === 'Paul Cormier'))).to.equal(true);
      const segments = body.items.find((t) => t.title.startsWith('From Segments'))!;
      expect(segments.recording.status).to.equal('pending');
    });

    for (const [q, expected] of [
      ['mcclain', 'From Segments to Services, a Dive into OpenStack Networking'],
      ['McCLain neutron', 'From Segments to Services, a Dive into OpenStack Networking'],
      ['havana icehouse carrez', 'Havana to Icehouse'],
      ['havana to ice house', 'Havana to Icehouse'],
      ['segmants to servises', 'From Segments to Services, a Dive into OpenStack Networking'],
      ['cormier', 'The Open Cloud: Why Openness Wins'],
      ['red hat keynote', 'The Open Cloud: Why Openness Wins'],
      ['neutron ptl', 'From Segments to Services, a Dive into OpenStack Networking'],
    ] as const) {
      it(`GET /api/lookup?q=${q} ranks "${expected}" first, with score, status and links`, async () => {
        const res = await app.request(`/api/lookup?q=${encodeURIComponent(q)}`);
        expect(res.status).to.equal(200);
        const body = (await res.json()) as {
          results: { title: string; score: number; status: string; recordingUrl: string | null; url: string }[];
        };
        expect(body.results[0]?.title).to.equal(expected);
        expect(body.results[0]?.score).to.be.within(0, 1);
        expect(body.results[0]?.status).to.equal('pending');
        expect(body.results[0]?.recordingUrl).to.equal(null);
        expect(body.results[0]?.url).to.match(/^http:\/\/talkreel\.test\/t\//);
      });
    }

    it('filters lookup by event and 404s an unknown event', async () => {
      const ok = await app.request(`/api/lookup?q=mcclain&event=${DEMO}`);
      expect(ok.status).to.equal(200);
      const missing = await app.request('/api/lookup?q=mcclain&event=nope');
      expect(missing.status).to.equal(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).to.equal('EVENT_NOT_FOUND');
    });
  });

  describe('talk pages and the watch link', () => {
    let id: string;
    before(async () => {
      const res = await app.request('/api/lookup?q=mcclain');
      id = ((await res.json()) as { results: { id: string }[] }).results[0]!.id;
    });

    it('serves an HTML page to browsers and JSON to API clients', async () => {
      const html = await app.request(`/t/${id}`, { headers: { accept: 'text/html' } });
      expect(html.status).to.equal(200);
      expect(html.headers.get('content-type')).to.match(/text\/html/);
      const text = await html.text();
      expect(text).to.include('Mark McClain').and.include('OpenStack in Action 4').and.include('pending');
      const json = await app.request(`/t/${id}`);
      expect(((await json.json()) as { id: string }).id).to.equal(id);
    });

    it('answers 404 RECORDING_PENDING while pending, then 302 once a recording is published', async () => {
      const pending = await app.request(`/t/${id}/watch`);
      expect(pending.status).to.equal(404);
      const body = (await pending.json()) as { error: { code: string; message: string } };
      expect(body.error.code).to.equal('RECORDING_PENDING');
      const page = await app.request(`/t/${id}/watch`, { headers: { accept: 'text/html' } });
      expect(page.status).to.equal(404);
      expect(await page.text()).to.match(/not published yet/);

      const talk = await app.services.catalogue.getTalk(id);
      const { attachRecording } = await import('../../src/recordings/recording.ts');
      const { talk: published } = attachRecording(
        talk,
        {
          url: 'https://www.youtube.com/watch?v=abc123XYZ_0',
          match: { method: 'manual', confidence: 1, evidence: [] },
        },
        new Date(),
      );
      await app.services.store.updateTalk(id, () => published);
      const redirect = await app.request(`/t/${id}/watch`);
      expect(redirect.status).to.equal(302);
      expect(redirect.headers.get('location')).to.equal('https://www.youtube.com/watch?v=abc123XYZ_0');
    });

    it('404s unknown talks with the error envelope', async () => {
      const res = await app.request('/t/no-such-talk');
      expect(res.status).to.equal(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('TALK_NOT_FOUND');
    });
  });

  describe('admin writes', () => {
    it('refuses writes without or with a wrong token (401)', async () => {
      const none = await app.request('/api/events', { method: 'POST', json: { name: 'X' } });
      expect(none.status).to.equal(401);
      // wrong tokens of another length, of the same length, a prefix and an extension of the right one
      for (const token of ['nope', 'test-admin-tokem', 'Test-admin-token', 'test-admin-toke', 'test-admin-token2']) {
        const wrong = await app.request('/api/events', {
          method: 'POST',
          json: { name: 'X' },
          headers: { authorization: `Bearer ${token}` },
        });
        expect(wrong.status, token).to.equal(401);
        expect(wrong.headers.get('www-authenticate')).to.equal('Bearer realm="talkreel"');
        expect(await wrong.json()).to.deep.equal({
          error: { code: 'UNAUTHORIZED', message: 'wrong admin token', details: null },
        });
      }
      const right = await app.request('/api/events', {
        method: 'POST',
        json: { name: 'Token Conf 2040' },
        headers: { authorization: 'Bearer test-admin-token' },
      });
      expect(right.status).to.equal(201);
    });

    it('creates, updates, lists and deletes events and talks', async () => {
      const created = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        json: { name: 'Test Conf 2030', city: 'Lyon', startDate: '2030-01-02' },
      });
      expect(created.status).to.equal(201);
      const event = (await created.json()) as { id: string };
      expect(event.id).to.equal('test-conf-2030');
      const dup = await app.request('/api/events', { method: 'POST', admin: true, json: { name: 'Test Conf 2030' } });
      expect(dup.status).to.equal(409);

      const t = await app.request(`/api/events/${event.id}/talks`, {
        method: 'POST',
        admin: true,
        json: {
          title: 'Scaling <b>Swift</b>',
          speakers: [{ name: 'Ada Lovelace', affiliation: 'Analytical' }],
          start: '2030-01-02T10:00:00+01:00',
        },
      });
      expect(t.status).to.equal(201);
      const talk = (await t.json()) as { id: string; title: string };
      expect(talk.title).to.equal('Scaling <b>Swift</b>');

      const renamed = await app.request(`/api/talks/${talk.id}`, {
        method: 'PATCH',
        admin: true,
        json: { title: 'Scaling Object Storage' },
      });
      expect(renamed.status).to.equal(200);
      const r = (await renamed.json()) as { id: string; aliases: string[] };
      expect(r.id).to.equal(talk.id);
      expect(r.aliases).to.include('Scaling <b>Swift</b>');

      const list = await app.request(`/api/talks?event=${event.id}&speaker=lovelace`);
      expect(((await list.json()) as { items: unknown[] }).items).to.have.length(1);

      const conflict = await app.request(`/api/events/${event.id}`, { method: 'DELETE', admin: true });
      expect(conflict.status).to.equal(409);
      const del = await app.request(`/api/events/${event.id}?cascade=true`, { method: 'DELETE', admin: true });
      expect(del.status).to.equal(204);
      expect((await app.request(`/api/talks/${talk.id}`)).status).to.equal(404);
    });

    it('derives ids from names in any script; an acronym with no letters falls back to the event id', async () => {
      const post = async (path: string, json: unknown) => {
        const res = await app.request(path, { method: 'POST', admin: true, json });
        expect(res.status, await res.clone().text()).to.equal(201);
        return ((await res.json()) as { id: string }).id;
      };
      expect(await post('/api/events', { name: 'Øredev 2031' })).to.equal('oredev-2031');
      expect(await post('/api/events', { name: 'Москва Ruby 2031' })).to.equal('moskva-ruby-2031');
      const mic = await post('/api/events', { id: 'mic_2031', name: 'Mic 2031', acronym: '🎤' });
      expect(await post(`/api/events/${mic}/talks`, { title: 'Ελληνικά' })).to.equal('mic-2031-ellinika');
      expect(await post(`/api/events/${mic}/talks`, { title: '🎤🎤' })).to.equal('mic-2031-talk');
    });

    it('a deleted event and its talks disappear from lookup', async () => {
      const ev = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        json: { name: 'Zanzibar Summit 2032' },
      });
      expect(ev.status).to.equal(201);
      const t = await app.request('/api/events/zanzibar-summit-2032/talks', {
        method: 'POST',
        admin: true,
        json: { title: 'Quokka Scaling Stories', speakers: [{ name: 'Ada Quokkason' }] },
      });
      expect(t.status).to.equal(201);
      const lookup = async (q: string) =>
        (
          (await (await app.request(`/api/lookup?q=${encodeURIComponent(q)}`)).json()) as {
            results: { title: string }[];
          }
        ).results;
      expect((await lookup('quokka')).map((r) => r.title)).to.deep.equal(['Quokka Scaling Stories']);
      expect((await lookup('zanzibar')).map((r) => r.title)).to.deep.equal(['Quokka Scaling Stories']);
      const del = await app.request('/api/events/zanzibar-summit-2032?cascade=true', { method: 'DELETE', admin: true });
      expect(del.status).to.equal(204);
      expect(await lookup('quokka')).to.deep.equal([]);
      expect(await lookup('zanzibar summit')).to.deep.equal([]);
      expect(await lookup('quokkason')).to.deep.equal([]);
    });

    it('stores titles with HTML as text and escapes them on pages', async () => {
      const created = await app.request('/api/events', { method: 'POST', admin: true, json: { name: 'XSS Conf' } });
      const ev = (await created.json()) as { id: string };
      const t = await app.request(`/api/events/${ev.id}/talks`, {
        method: 'POST',
        admin: true,
        json: { title: '<script>alert(1)</script> & friends', speakers: [{ name: '<img src=x onerror=alert(2)>' }] },
      });
      const talk = (await t.json()) as { id: string; title: string };
      expect(talk.title).to.equal('<script>alert(1)</script> & friends');
      const html = await (await app.request(`/t/${talk.id}`, { headers: { accept: 'text/html' } })).text();
      expect(html).to.not.include('<script>alert(1)</script>');
      expect(html).to.not.include('<img src=x');
      expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends');
      const evPage = await (await app.request(`/e/${ev.id}`, { headers: { accept: 'text/html' } })).text();
      expect(evPage).to.not.include('<script>alert(1)');
    });
  });

  describe('bad input', () => {
    it('invalid JSON body → 400 BAD_JSON', async () => {
      const res = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/json' },
        body: '{"name":',
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('BAD_JSON');
    });
    it('wrong content type → 415', async () => {
      const res = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'text/plain' },
        body: 'name=x',
      });
      expect(res.status).to.equal(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    });
    it('body over the limit → 413', async () => {
      const res = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        json: { name: 'x'.repeat(6 * 1024 * 1024) },
      });
      expect(res.status).to.equal(413);
    });
    it('schema violations → 400 with the field path', async () => {
      const res = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        json: { name: '', startDate: '5 Dec' },
      });
      expect(res.status).to.equal(400);
      const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).to.equal('VALIDATION_FAILED');
      expect(body.error.details.map((d) => d.path)).to.include.members(['name', 'startDate']);
    });
    it('unknown query parameters and bad values → 400', async () => {
      expect((await app.request('/api/talks?limit=-1')).status).to.equal(400);
      expect((await app.request('/api/talks?colour=blue')).status).to.equal(400);
      expect((await app.request('/api/lookup')).status).to.equal(400);
      expect((await app.request('/api/talks?status=lost')).status).to.equal(400);
    });
    it('unknown ids → 404', async () => {
      expect((await app.request('/api/events/nope')).status).to.equal(404);
      expect((await app.request('/api/talks/nope')).status).to.equal(404);
      expect(
        (await app.request('/api/talks/nope', { method: 'PATCH', admin: true, json: { title: 'x' } })).status,
      ).to.equal(404);
    });
  });

  describe('schedule import over HTTP', () => {
    let eventId: string;
    before(async () => {
      const res = await app.request('/api/events', {
        method: 'POST',
        admin: true,
        json: { id: 'oia-import-test', name: 'OIA import test' },
      });
      eventId = ((await res.json()) as { id: string }).id;
    });

    it('imports a frab schedule.xml, and an edited copy updates in place', async () => {
      const first = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/xml' },
        body: fixture('oia-paris-2013.xml'),
      });
      expect(first.status).to.equal(200);
      const r1 = (await first.json()) as { created: string[]; updated: string[] };
      expect(r1.created.length).to.be.greaterThan(3);
      const again = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/xml' },
        body: fixture('oia-paris-2013.xml'),
      });
      const r2 = (await again.json()) as { created: string[]; updated: string[]; unchanged: number };
      expect(r2.created).to.have.length(0);
      expect(r2.updated).to.have.length(0);
      expect(r2.unchanged).to.equal(r1.created.length);
      const edited = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'text/xml' },
        body: fixture('oia-paris-2013-v2.xml'),
      });
      const r3 = (await edited.json()) as { created: string[]; updated: string[]; removed: string[] };
      expect(r3.updated.length).to.be.greaterThan(0);
      expect(r3.removed).to.have.length(1);
      const talks = await app.services.store.talksOfEvent(eventId);
      expect(talks.length).to.equal(r1.created.length + r3.created.length);
    });

    it('imports the same schedule as c3voc/pretalx JSON, matching the XML import by guid', async () => {
      const res = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/json' },
        body: fixture('oia-paris-2013.json'),
      });
      expect(res.status).to.equal(200);
      const report = (await res.json()) as { format: string; created: string[]; talks: number };
      expect(report.format).to.equal('schedule-json');
      expect(report.talks).to.be.greaterThan(3);
      expect(report.created, 'same guids as the XML: nothing duplicated').to.have.length(0);
    });

    it('malformed XML → 422 naming the line, store unchanged', async () => {
      const before = fs.readFileSync(path.join(app.dataDir, 'db.json'), 'utf8');
      const res = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/xml' },
        body: fixture('malformed.xml'),
      });
      expect(res.status).to.equal(422);
      const body = (await res.json()) as { error: { code: string; message: string; details: { line: number } } };
      expect(body.error.code).to.equal('SCHEDULE_INVALID');
      expect(body.error.details.line).to.be.a('number');
      expect(body.error.message).to.match(/line \d+/);
      await app.services.store.flush();
      expect(fs.readFileSync(path.join(app.dataDir, 'db.json'), 'utf8')).to.equal(before);
    });

    it('malformed JSON schedule → 422 naming the line; missing title → 422 naming the field', async () => {
      const bad = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/json' },
        body: fixture('malformed.json'),
      });
      expect(bad.status).to.equal(422);
      expect(((await bad.json()) as { error: { details: { line: number } } }).error.details.line).to.be.a('number');
      const missing = await app.request(`/api/events/${eventId}/schedule`, {
        method: 'POST',
        admin: true,
        headers: { 'content-type': 'application/json' },
        body: fixture('missing-title.json'),
      });
      expect(missing.status).to.equal(422);
      expect(((await missing.json()) as { error: { details: { path: string } } }).error.details.path).to.match(/title/);
    });

    it('create=true imports into a new event of that id (201, Location); a non-slug id is refused', async () => {
      const upload = (id: string) =>
        app.request(`/api/events/${encodeURIComponent(id)}/schedule?create=true`, {
          method: 'POST',
          admin: true,
          headers: { 'content-type': 'application/xml' },
          body: fixture('fosdem-like.xml'),
        });
      const created = await upload('fosdem-14');
      expect(created.status).to.equal(201);
      expect(created.headers.get('location')).to.equal('/api/events/fosdem-14');
      expect((await created.json()) as { eventId: string; eventCreated: boolean }).to.deep.include({
        eventId: 'fosdem-14',
        eventCreated: true,
      });
      expect((await app.services.store.getEvent('fosdem-14'))?.name).to.equal('FOSDEM 2014');
      const again = await upload('fosdem-14');
      expect(again.status).to.equal(200);
      expect(((await again.json()) as { unchanged: number }).unchanged).to.be.greaterThan(0);
      const bad = await upload('Not A/Slug');
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('VALIDATION_FAILED');
    });

    it('schedule upload: 401 without token, 404 unknown event, 415 wrong type, 413 too large', async () => {
      expect(
        (
          await app.request(`/api/events/${eventId}/schedule`, {
            method: 'POST',
            headers: { 'content-type': 'application/xml' },
            body: '<schedule/>',
          })
        ).status,
      ).to.equal(401);
      expect(
        (
          await app.request('/api/events/nope/schedule', {
            method: 'POST',
            admin: true,
            headers: { 'content-type': 'application/xml' },
            body: fixture('oia-paris-2013.xml'),
          })
        ).status,
      ).to.equal(404);
      expect(
        (
          await app.request(`/api/events/${eventId}/schedule`, {
            method: 'POST',
            admin: true,
            headers: { 'content-type': 'image/png' },
            body: 'x',
          })
        ).status,
      ).to.equal(415);
      expect(
        (
          await app.request(`/api/events/${eventId}/schedule`, {
            method: 'POST',
            admin: true,
            headers: { 'content-type': 'application/xml' },
            body: '<a>'.repeat(2 * 1024 * 1024),
          })
        ).status,
      ).to.equal(413);
    });
  });

  describe('pagination', () => {
    it('walks every talk exactly once with cursors, with and without filters; a bad cursor is 400', async () => {
      const total = (await app.services.store.allTalks()).length;
      for (const filter of ['', `&event=${DEMO}`, '&status=pending']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res = await app.request(`/api/talks?limit=2${filter}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).to.equal(200);
          const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
          expect(page.items.length).to.be.at.most(2);
          seen.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(new Set(seen).size, filter).to.equal(seen.length);
        if (filter === '') expect(seen.length).to.equal(total);
        if (filter.includes('event'))
          expect(seen.length).to.equal((await app.services.store.talksOfEvent(DEMO)).length);
      }
      expect((await app.request('/api/talks?cursor=%%%')).status).to.equal(400);
    });
  });

  describe('ops', () => {
    it('GET /health reports ok, store counts, the instance and its change-log position (lowdb: its own)', async () => {
      const res = await app.request('/health');
      expect(res.status).to.equal(200);
      const body = (await res.json()) as {
        status: string;
        instance: string;
        store: { kind: string; lastSeq: number; counts: { talks: number } };
        changeLog: { position: number; head: number; lagSeconds: number };
      };
      expect(body.status).to.equal('ok');
      expect(body.store.kind).to.equal('lowdb');
      expect(body.store.counts.talks).to.be.greaterThan(0);
      expect(body.instance).to.match(/-\d+-[0-9a-f]{6}$/); // <hostname>-<pid>-<random>
      expect(body.changeLog).to.deep.equal({ position: body.store.lastSeq, head: body.store.lastSeq, lagSeconds: 0 });
    });
    it('GET /api/openapi.json describes every route', async () => {
      const doc = (await (await app.request('/api/openapi.json')).json()) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      expect(doc.openapi).to.match(/^3\./);
      for (const [p, m] of [
        ['/api/events', 'post'],
        ['/api/events/{id}/schedule', 'post'],
        ['/api/talks/{id}', 'patch'],
        ['/api/lookup', 'get'],
        ['/t/{id}/watch', 'get'],
        ['/health', 'get'],
      ] as const) {
        expect(doc.paths[p], p).to.have.property(m);
      }
    });
  });
});
