/**
 * The store port's contract: the same cases against every adapter (memory, lowdb, PostgreSQL).
 * A new adapter is done when it passes.
 */
import { expect } from 'chai';
import type { Store } from '../../src/store/store.ts';
import type { DomainEvent, Event, Talk } from '../../src/catalogue/types.ts';
import type { Source } from '../../src/recordings/types.ts';
import type { Blog, Post, Webmention } from '../../src/posts/types.ts';

export type OpenedStore = { store: Store; /** Called after the store is closed. */ cleanup(): Promise<void> };

const T0 = '2013-12-05T09:00:00.000Z';

export const event = (id: string, extra: Partial<Event> = {}): Event => ({
  id,
  name: `Event ${id}`,
  aliases: [],
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

export const talk = (id: string, eventId: string, extra: Partial<Talk> = {}): Talk => ({
  id,
  eventId,
  title: `Talk ${id} — Ünïcode “quoted”`,
  aliases: [],
  speakers: [{ name: 'Mark McClain', role: 'Neutron PTL' }],
  externalIds: { guid: `GUID-${id}`, scheduleId: `${id.length}${id.charCodeAt(0)}` },
  recording: { status: 'pending' },
  recordings: [],
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

const source = (id: string, eventId: string, url = `https://example.org/${id}.xml`): Source => ({
  id,
  eventId,
  kind: 'feed',
  url,
  schedule: '*/15 * * * *',
  cache: {},
  health: { consecutiveFailures: 0, itemsSeen: 0, itemsMatched: 0 },
  createdAt: T0,
});

const post = (id: string, talkIds: string[]): Post => ({
  id,
  url: `https://blog.example/${id}`,
  text: 'recap',
  links: [],
  contentHash: id,
  origin: 'submitted',
  mentions: talkIds.map((talkId) => ({ talkId, confidence: 0.9, evidence: ['title'], snippet: '', start: 0, end: 1 })),
  createdAt: T0,
  updatedAt: T0,
});

const published = (talkId: string, key: string): DomainEvent => ({
  id: `evt_${talkId}_${key}`,
  type: 'recording.published',
  timestamp: T0,
  data: {
    talkId,
    eventId: 'ev',
    recording: {
      id: 'rec_1',
      url: 'https://youtu.be/x',
      provider: 'youtube',
      key,
      discoveredAt: T0,
      match: { method: 'manual', confidence: 1, evidence: [] },
      primary: true,
    },
  },
});

export function describeStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`store contract: ${name}`, function () {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await store.close();
      await opened.cleanup();
    });

    it('creates events once, updates and lists them', async () => {
      expect(await store.createEvent(event('ev'))).to.equal(true);
      expect(await store.createEvent(event('ev', { name: 'other' }))).to.equal(false);
      expect((await store.getEvent('ev'))?.name).to.equal('Event ev');
      await store.updateEvent('ev', (e) => ({ ...e, city: 'Paris' }));
      expect((await store.getEvent('ev'))?.city).to.equal('Paris');
      expect(await store.updateEvent('nope', (e) => e)).to.equal(undefined);
      expect((await store.listEvents()).map((e) => e.id)).to.deep.equal(['ev']);
    });

    it('finds a talk by id, guid in any case, event:scheduleId and slug-like aliases only', async () => {
      await store.createEvent(event('ev'));
      const t = talk('t1', 'ev', { aliases: ['old-slug', 'An Old Title'] });
      expect(await store.createTalk(t)).to.equal(true);
      expect(await store.createTalk(talk('t1', 'ev'))).to.equal(false);
      expect(await store.createTalk(talk('t2', 'missing-event'))).to.equal(false);
      expect((await store.findTalk('t1'))?.title).to.equal(t.title);
      expect((await store.findTalk('guid-t1'))?.id).to.equal('t1');
      expect((await store.findTalk('GUID-T1'))?.id).to.equal('t1');
      expect((await store.findTalk(`ev:${t.externalIds.scheduleId}`))?.id).to.equal('t1');
      expect((await store.findTalk('old-slug'))?.id).to.equal('t1');
      expect(await store.findTalk('An Old Title')).to.equal(undefined);
      expect(await store.findTalk('constructor')).to.equal(undefined);
      expect(await store.talkIdTaken('old-slug')).to.equal(true);
      expect(await store.findTalk('t1')).to.deep.equal(t);
    });

    it('reads many talks and events in one call, in the order asked, skipping missing ones', async () => {
      await store.createEvent(event('ev'));
      await store.createEvent(event('ev2'));
      for (const id of ['a', 'b', 'c']) await store.createTalk(talk(id, id === 'b' ? 'ev2' : 'ev'));
      expect((await store.getTalks(['c', 'missing', 'a', 'c'])).map((t) => t.id)).to.deep.equal(['c', 'a']);
      expect((await store.getEvents(['ev2', 'ev', 'nope'])).map((e) => e.id)).to.deep.equal(['ev2', 'ev']);
      expect(await store.getTalks([])).to.deep.equal([]);
    });

    it('re-indexes a talk whose references change and forgets a deleted one', async () => {
      await store.createEvent(event('ev'));
      await store.createTalk(talk('t1', 'ev'));
      await store.updateTalk('t1', (c) => ({ ...c, externalIds: { guid: 'NEW' } }));
      expect(await store.findTalk('guid-t1')).to.equal(undefined);
      expect((await store.findTalk('new'))?.id).to.equal('t1');
      expect((await store.deleteTalk('new'))?.id).to.equal('t1');
      expect(await store.findTalk('t1')).to.equal(undefined);
      expect(await store.talksOfEvent('ev')).to.deep.equal([]);
    });

    it('loses no update when read-modify-writes run concurrently', async () => {
      await store.createEvent(event('ev'));
      await store.createTalk(talk('t1', 'ev'));
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.updateTalk('t1', (c) => ({ ...c, aliases: [...c.aliases, `alias-${i}`] })),
        ),
      );
      expect((await store.findTalk('t1'))?.aliases).to.have.length(25);
    });

    it('refuses to delete an event with talks unless cascading, which takes talks, sources and queue along', async () => {
      await store.createEvent(event('ev'));
      await store.createEvent(event('keep'));
      await store.createTalk(talk('t1', 'ev'));
      await store.createTalk(talk('k1', 'keep'));
      await store.addSource(source('s1', 'ev'));
      expect(await store.deleteEvent('ev', false)).to.deep.equal({ status: 'has-talks', talks: 1 });
      expect(await store.getEvent('ev')).to.not.equal(undefined);
      expect(await store.deleteEvent('ev', true)).to.deep.equal({ status: 'deleted', talks: 1, sources: 1 });
      expect(await store.getEvent('ev')).to.equal(undefined);
      expect(await store.findTalk('t1')).to.equal(undefined);
      expect(await store.getSource('s1')).to.equal(undefined);
      expect((await store.findTalk('k1'))?.eventId).to.equal('keep');
      expect(await store.deleteEvent('ev', true)).to.deep.equal({ status: 'not-found' });
    });

    it('writes an import plan atomically: a plan that throws writes nothing', async () => {
      await store.createEvent(event('ev'));
      const report = await store.saveImport(async (view) => {
        expect(await view.getEvent('ev')).to.not.equal(undefined);
        return { events: [], talks: [talk('a', 'ev'), talk('b', 'ev')], domainEvents: [], result: 'ok' };
      });
      expect(report).to.equal('ok');
      expect((await store.talksOfEvent('ev')).map((t) => t.id).sort()).to.deep.equal(['a', 'b']);
      let failed: unknown;
      await store
        .saveImport(async () => {
          throw new Error('bad schedule');
        })
        .catch((err: unknown) => (failed = err));
      expect((failed as Error).message).to.equal('bad schedule');
      // A write that fails after changing one record leaves that record as it was.
      await store.savePost('p1', () => post('p1', []));
      await store.savePost('p2', () => post('p2', []));
      let seen = 0;
      const halfway = await store
        .updatePosts((p) => {
          seen += 1;
          if (seen === 2) throw new Error('half-way');
          return { ...p, title: 'changed' };
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect((halfway as Error).message).to.equal('half-way');
      expect((await store.listPosts()).map((p) => p.title ?? null)).to.deep.equal([null, null]);
    });

    it('appends a domain event once per deterministic id, with increasing sequence numbers', async () => {
      await store.createEvent(event('ev'));
      await store.createTalk(talk('t1', 'ev'));
      await store.createTalk(talk('t2', 'ev'));
      const seen: number[] = [];
      const off = store.onCommit((c) => seen.push(...c.events.map((e) => e.seq)));
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'youtube:a')], result: 1 }));
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'youtube:a')], result: 2 }));
      await store.applyRecordings(() => ({
        domainEvents: [published('t2', 'youtube:b'), published('t2', 'youtube:b')],
        result: 3,
      }));
      off();
      const events = await store.eventsSince(0, 100);
      expect(events.map((e) => e.id)).to.deep.equal(['evt_t1_youtube:a', 'evt_t2_youtube:b']);
      expect(events[1]!.seq).to.be.greaterThan(events[0]!.seq);
      expect(seen).to.deep.equal(events.map((e) => e.seq));
      expect((await store.eventsSince(events[0]!.seq, 100)).map((e) => e.id)).to.deep.equal(['evt_t2_youtube:b']);
      expect((await store.stats()).lastSeq).to.be.at.least(events[1]!.seq);
    });

    it('tells listeners what changed, with the previous version, after the write resolved', async () => {
      await store.createEvent(event('ev'));
      const commits: { put: string[]; previous: string[]; deleted: string[] }[] = [];
      store.onCommit((c) =>
        commits.push({
          put: (c.put.talks ?? []).map((t) => t.title),
          previous: (c.previous.talks ?? []).map((t) => t.title),
          deleted: (c.deleted.talks ?? []).map((t) => t.id),
        }),
      );
      await store.createTalk(talk('t1', 'ev', { title: 'one' }));
      await store.updateTalk('t1', (t) => ({ ...t, title: 'two' }));
      await store.deleteTalk('t1');
      expect(commits).to.deep.equal([
        { put: ['one'], previous: [], deleted: [] },
        { put: ['two'], previous: ['one'], deleted: [] },
        { put: [], previous: [], deleted: ['t1'] },
      ]);
    });

    it('keeps sources unique per event and URL, and never brings back a deleted source', async () => {
      await store.createEvent(event('ev'));
      expect((await store.addSource(source('s1', 'ev', 'https://a.example/feed'))).created).to.equal(true);
      const again = await store.addSource(source('s2', 'ev', 'https://a.example/feed'));
      expect(again).to.deep.include({ created: false });
      expect(again.source.id).to.equal('s1');
      await store.deleteSource('s1');
      await store.applyRecordings(() => ({ sources: [source('s1', 'ev', 'https://a.example/feed')], result: 0 }));
      expect(await store.getSource('s1')).to.equal(undefined);
      expect(await store.listSources({ eventId: 'ev' })).to.deep.equal([]);
    });

    it('finds posts by the talks they mention, following updates', async () => {
      await store.savePost('p1', () => post('p1', ['t1', 't2']));
      await store.savePost('p2', () => post('p2', ['t2']));
      expect((await store.postsMentioningTalk('t2')).map((p) => p.id).sort()).to.deep.equal(['p1', 'p2']);
      await store.savePost('p1', (current) => ({ ...current!, mentions: [] }));
      expect((await store.postsMentioningTalk('t1')).map((p) => p.id)).to.deep.equal([]);
      expect(
        await store.updatePosts((p) => (p.id === 'p2' ? { ...p, mentions: post('x', ['t9']).mentions } : undefined)),
      ).to.equal(1);
      expect((await store.postsMentioningTalk('t9')).map((p) => p.id)).to.deep.equal(['p2']);
      expect(await store.deletePost('p2')).to.equal(true);
      expect(await store.postsMentioningTalk('t9')).to.deep.equal([]);
    });

    it('keeps blogs unique by feed URL', async () => {
      const blog: Blog = {
        id: 'b1',
        feedUrl: 'https://blog.example/feed',
        schedule: '*/30 * * * *',
        cache: {},
        health: { consecutiveFailures: 0, itemsSeen: 0, itemsMatched: 0 },
        createdAt: T0,
      };
      expect((await store.addBlog(blog)).created).to.equal(true);
      expect((await store.addBlog({ ...blog, id: 'b2' })).blog.id).to.equal('b1');
      await store.updateBlog('b1', (b) => ({ ...b, title: 'A blog' }));
      expect((await store.getBlog('b1'))?.title).to.equal('A blog');
      expect(await store.deleteBlog('b1')).to.equal(true);
      expect(await store.listBlogs()).to.deep.equal([]);
    });

    it('settles a webmention and its post in one write', async () => {
      await store.savePost('p1', () => ({ ...post('p1', ['t1']), origin: 'webmention' }));
      const wm: Webmention = {
        id: 'wm1',
        source: 'https://blog.example/p1',
        target: 'https://talkreel.example/t/t1',
        status: 'accepted',
        postId: 'p1',
        receivedAt: T0,
      };
      await store.saveWebmention('wm1', async () => ({ webmention: wm }));
      expect((await store.webmentionsOfPost('p1')).map((w) => w.id)).to.deep.equal(['wm1']);
      expect((await store.webmentionsWithStatus('accepted')).map((w) => w.id)).to.deep.equal(['wm1']);
      await store.saveWebmention('wm1', async (current) => ({
        webmention: { ...current!, status: 'removed', postId: undefined },
        post: null,
      }));
      expect(await store.getPost('p1')).to.equal(undefined);
      expect(await store.webmentionsWithStatus('accepted')).to.deep.equal([]);
      expect((await store.getWebmention('wm1'))?.status).to.equal('removed');
    });

    it('expires old rejected and removed webmentions only', async () => {
      const wm = (id: string, status: Webmention['status'], receivedAt: string): Webmention => ({
        id,
        source: `https://spam.example/${id}`,
        target: 'https://talkreel.example/t/x',
        status,
        receivedAt,
      });
      for (const w of [
        wm('old-rejected', 'rejected', '2013-01-01T00:00:00.000Z'),
        wm('old-removed', 'removed', '2013-01-02T00:00:00.000Z'),
        wm('old-accepted', 'accepted', '2013-01-01T00:00:00.000Z'),
        wm('new-rejected', 'rejected', '2013-12-01T00:00:00.000Z'),
      ])
        await store.saveWebmention(w.id, async () => ({ webmention: w }));
      expect(await store.expireWebmentions(['rejected', 'removed'], '2013-06-01T00:00:00.000Z')).to.equal(2);
      expect((await store.listWebmentions()).map((w) => w.id).sort()).to.deep.equal(['new-rejected', 'old-accepted']);
      expect(await store.expireWebmentions(['rejected', 'removed'], '2013-06-01T00:00:00.000Z')).to.equal(0);
    });

    it('round-trips a snapshot; loading it again changes nothing', async () => {
      await store.createEvent(event('ev'));
      await store.createTalk(talk('t1', 'ev'));
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'youtube:a')], result: 0 }));
      const snap = await store.snapshot();
      expect(snap.talks.map((t) => t.id)).to.deep.equal(['t1']);
      expect(snap.domainEvents.map((e) => e.id)).to.deep.equal(['evt_t1_youtube:a']);
      const before = await store.stats();
      await store.load(snap);
      expect((await store.eventsSince(0, 10)).length).to.equal(1);
      expect((await store.stats()).counts).to.deep.equal(before.counts);
    });
  });
}
