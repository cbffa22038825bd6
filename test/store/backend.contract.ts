/**
 * The behaviour every store adapter shares. `backend.test.ts` runs it against each one; an adapter
 * passes only if it is interchangeable with the memory reference.
 */
import { expect } from 'chai';
import type { Backend, Commit, WriteTx } from '../../src/store/backend.ts';
import type { Talk } from '../../src/catalogue/types.ts';
import { blog, event, post, published, source, talk, unmatched, webmention } from './records.fixtures.ts';

export type OpenBackend = () => Promise<{ backend: Backend; cleanup: () => Promise<void> }>;

const ids = (records: readonly { id: string }[]): string[] => records.map((r) => r.id).sort();
/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
/** What a record is once stored: JSON drops `undefined` fields. */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function describeBackendContract(name: string, open: OpenBackend): void {
  describe(`Backend contract: ${name}`, function () {
    let backend: Backend;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, cleanup } = await open());
      await backend.write(async (tx) => tx.put('events', event()));
    });
    afterEach(async () => {
      await backend?.close();
      await cleanup?.();
    });

    const put = <T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> => backend.write(fn);

    describe('records', () => {
      it('round-trips records byte for byte (nested objects, unicode, optional fields absent)', async () => {
        const full = talk('t1', 'oia-paris-2013', {
          title: 'Café 東京 — “segments” to services 🎤',
          subtitle: undefined,
          abstract: 'NUL \u0000, lone surrogate \ud800, tab\t, quote " and backslash \\',
          recording: {
            status: 'published',
            url: 'https://v.example/1',
            recordingId: 'r1',
            publishedAt: '2013-12-06T08:00:00.000Z',
          },
          recordings: [
            {
              id: 'r1',
              url: 'https://v.example/1',
              provider: 'youtube',
              discoveredAt: '2013-12-06T08:00:00.000Z',
              match: { method: 'guid', confidence: 0.97, evidence: ['guid', 'title 0.93'] },
              key: 'youtube:1',
              primary: true,
            },
          ],
        });
        const bare = talk('t2', 'oia-paris-2013', { speakers: [], start: undefined, durationMinutes: undefined });
        await put(async (tx) => {
          await tx.put('talks', full);
          await tx.put('talks', bare);
        });
        const [a, b] = await backend.read(async (tx) => [await tx.get('talks', 't1'), await tx.get('talks', 't2')]);
        expect(JSON.stringify(a)).to.equal(JSON.stringify(full));
        expect(json(a)).to.deep.equal(json(full));
        expect(JSON.stringify(b)).to.equal(JSON.stringify(bare));
        expect(json(b)).to.not.have.property('start');
        expect(await backend.read((tx) => tx.get('talks', 'missing'))).to.equal(undefined);
        expect(await backend.read((tx) => tx.get('talks', 'constructor'))).to.equal(undefined);
      });

      it('stores every collection', async () => {
        await put(async (tx) => {
          await tx.put('talks', talk('t1'));
          await tx.put('sources', source('src_1'));
          await tx.put('unmatched', unmatched('oia-paris-2013|youtube:x'));
          await tx.put('posts', post('p1', ['t1']));
          await tx.put('blogs', blog('b1'));
          await tx.put('webmentions', webmention('w1', 'pending'));
        });
        const all = await backend.read(async (tx) => ({
          sources: await tx.all('sources'),
          unmatched: await tx.all('unmatched'),
          posts: await tx.all('posts'),
          blogs: await tx.all('blogs'),
          webmentions: await tx.all('webmentions'),
        }));
        expect(json(all)).to.deep.equal(
          json({
            sources: [source('src_1')],
            unmatched: [unmatched('oia-paris-2013|youtube:x')],
            posts: [post('p1', ['t1'])],
            blogs: [blog('b1')],
            webmentions: [webmention('w1', 'pending')],
          }),
        );
      });

      it('deletes records; deleting a missing one is harmless', async () => {
        await put(async (tx) => {
          await tx.put('talks', talk('t1'));
          await tx.put('talks', talk('t2'));
        });
        await put((tx) => tx.delete('talks', 't1'));
        await put((tx) => tx.delete('talks', 'never-there'));
        expect(ids(await backend.read((tx) => tx.all('talks')))).to.deep.equal(['t2']);
        expect(await backend.read((tx) => tx.get('talks', 't1'))).to.equal(undefined);
        expect(await backend.read((tx) => tx.find('talks', 'event', 'oia-paris-2013'))).to.have.length(1);
      });

      it('lists and counts', async () => {
        await put(async (tx) => {
          for (const id of ['t3', 't1', 't2']) await tx.put('talks', talk(id));
        });
        const [all, n, none] = await backend.read(async (tx) => [
          await tx.all('talks'),
          await tx.count('talks'),
          await tx.count('posts'),
        ]);
        expect(ids(all as Talk[])).to.deep.equal(['t1', 't2', 't3']);
        expect(n).to.equal(3);
        expect(none).to.equal(0);
      });
    });

    describe('indexes', () => {
      it('finds by every index kind, including array-valued keys', async () => {
        await put(async (tx) => {
          await tx.put('events', event('other'));
          await tx.put('talks', talk('t1', 'oia-paris-2013', { aliases: ['old-slug', 'An Old Title'] }));
          await tx.put('talks', talk('t2', 'other', { externalIds: { guid: 'G-2', scheduleId: '42' } }));
          await tx.put('sources', source('src_1'));
          await tx.put('unmatched', unmatched('u1', 'other'));
          await tx.put('posts', post('p1', ['t1', 't2', 't1'], { blogId: 'b1' }));
          await tx.put('posts', post('p2', ['t2']));
          await tx.put('blogs', blog('b1', 'https://b.example/feed'));
          await tx.put('webmentions', webmention('w1', 'accepted', 'p1'));
          await tx.put('webmentions', webmention('w2', 'pending'));
        });
        const found = await backend.read(async (tx) => ({
          talksOfEvent: ids(await tx.find('talks', 'event', 'oia-paris-2013')),
          byGuid: ids(await tx.find('talks', 'ref', 'guid-t1')),
          byUpperGuid: ids(await tx.find('talks', 'ref', 'GUID-t1')),
          byScheduleId: ids(await tx.find('talks', 'ref', 'other:42')),
          byAlias: ids(await tx.find('talks', 'ref', 'old-slug')),
          byTitleAlias: ids(await tx.find('talks', 'ref', 'An Old Title')),
          sources: ids(await tx.find('sources', 'event', 'oia-paris-2013')),
          unmatched: ids(await tx.find('unmatched', 'event', 'other')),
          postsOfT1: ids(await tx.find('posts', 'talk', 't1')),
          postsOfT2: ids(await tx.find('posts', 'talk', 't2')),
          postsOfBlog: ids(await tx.find('posts', 'blog', 'b1')),
          blogByFeed: ids(await tx.find('blogs', 'feedUrl', 'https://b.example/feed')),
          pending: ids(await tx.find('webmentions', 'status', 'pending')),
          ofPost: ids(await tx.find('webmentions', 'post', 'p1')),
          nothing: ids(await tx.find('talks', 'event', 'nope')),
        }));
        expect(found).to.deep.equal({
          talksOfEvent: ['t1'],
          byGuid: ['t1'],
          byUpperGuid: [],
          byScheduleId: ['t2'],
          byAlias: ['t1'],
          byTitleAlias: [],
          sources: ['src_1'],
          unmatched: ['u1'],
          postsOfT1: ['p1'],
          postsOfT2: ['p1', 'p2'],
          postsOfBlog: ['p1'],
          blogByFeed: ['b1'],
          pending: ['w2'],
          ofPost: ['w1'],
          nothing: [],
        });
      });

      it('keeps indexes current when an update changes the keys', async () => {
        await put(async (tx) => {
          await tx.put('talks', talk('t1', 'oia-paris-2013', { aliases: ['first'] }));
          await tx.put('posts', post('p1', ['t1']));
          await tx.put('webmentions', webmention('w1', 'pending'));
        });
        await put(async (tx) => {
          await tx.put('talks', talk('t1', 'oia-paris-2013', { aliases: ['second'], externalIds: {} }));
          await tx.put('posts', post('p1', ['t9']));
          await tx.put('webmentions', webmention('w1', 'accepted'));
        });
        const found = await backend.read(async (tx) => ({
          first: ids(await tx.find('talks', 'ref', 'first')),
          guid: ids(await tx.find('talks', 'ref', 'guid-t1')),
          second: ids(await tx.find('talks', 'ref', 'second')),
          t1: ids(await tx.find('posts', 'talk', 't1')),
          t9: ids(await tx.find('posts', 'talk', 't9')),
          pending: ids(await tx.find('webmentions', 'status', 'pending')),
          accepted: ids(await tx.find('webmentions', 'status', 'accepted')),
        }));
        expect(found).to.deep.equal({
          first: [],
          guid: [],
          second: ['t1'],
          t1: [],
          t9: ['p1'],
          pending: [],
          accepted: ['w1'],
        });
      });
    });

    describe('putMany', () => {
      it('puts many records in one call: indexes, previous versions, last wins for a repeated id', async () => {
        await put((tx) => tx.put('talks', talk('t1', 'oia-paris-2013', { aliases: ['old'] })));
        const commits: Commit[] = [];
        const off = backend.onCommit((c) => commits.push(c));
        await put(async (tx) => {
          await tx.putMany('talks', [
            talk('t1', 'oia-paris-2013', { aliases: ['new'], title: 'first' }),
            talk('t2', 'oia-paris-2013'),
            talk('t1', 'oia-paris-2013', { aliases: ['newer'], title: 'Ünïcode “last”' }),
          ]);
          expect((await tx.get('talks', 't1'))?.title).to.equal('Ünïcode “last”');
          await tx.putMany('posts', []);
        });
        off();
        const found = await backend.read(async (tx) => ({
          t1: await tx.get('talks', 't1'),
          old: ids(await tx.find('talks', 'ref', 'old')),
          newer: ids(await tx.find('talks', 'ref', 'newer')),
          event: ids(await tx.find('talks', 'event', 'oia-paris-2013')),
        }));
        expect(found.t1).to.deep.equal(
          json(talk('t1', 'oia-paris-2013', { aliases: ['newer'], title: 'Ünïcode “last”' })),
        );
        expect(found.old).to.deep.equal([]);
        expect(found.newer).to.deep.equal(['t1']);
        expect(found.event).to.deep.equal(['t1', 't2']);
        expect(commits).to.have.length(1);
        expect(ids(commits[0]!.put.talks ?? [])).to.deep.equal(['t1', 't2']);
        expect(commits[0]!.previous.talks?.map((t) => t.aliases)).to.deep.equal([['old']]);
      });
    });

    describe('writes', () => {
      it('sees its own puts and deletes inside the write', async () => {
        await put(async (tx) => {
          await tx.put('talks', talk('t1'));
          await tx.put('talks', talk('t2'));
        });
        const seen = await put(async (tx) => {
          await tx.put('talks', talk('t3', 'oia-paris-2013', { aliases: ['fresh'] }));
          await tx.delete('talks', 't1');
          await tx.put('talks', talk('t2', 'oia-paris-2013', { title: 'Renamed' }));
          return {
            t1: await tx.get('talks', 't1'),
            t2: (await tx.get('talks', 't2'))?.title,
            fresh: ids(await tx.find('talks', 'ref', 'fresh')),
            ofEvent: ids(await tx.find('talks', 'event', 'oia-paris-2013')),
            all: ids(await tx.all('talks')),
            count: await tx.count('talks'),
          };
        });
        expect(seen).to.deep.equal({
          t1: undefined,
          t2: 'Renamed',
          fresh: ['t3'],
          ofEvent: ['t2', 't3'],
          all: ['t2', 't3'],
          count: 2,
        });
      });

      it('is atomic: a write that throws changes nothing and commits nothing', async () => {
        await put((tx) => tx.put('talks', talk('t1')));
        const before = await backend.stats();
        const commits: Commit[] = [];
        backend.onCommit((c) => commits.push(c));
        const failing = put(async (tx) => {
          await tx.put('talks', talk('t2'));
          await tx.delete('talks', 't1');
          await tx.emit(published('e1'));
          throw new Error('boom');
        });
        expect((await rejection(failing)).message).to.equal('boom');
        expect(ids(await backend.read((tx) => tx.all('talks')))).to.deep.equal(['t1']);
        expect(await backend.eventsSince(0, 10)).to.deep.equal([]);
        expect(commits).to.deep.equal([]);
        expect((await backend.stats()).lastSeq).to.equal(before.lastSeq);
        // The event id was not taken by the failed write.
        expect(await put((tx) => tx.emit(published('e1')))).to.equal(true);
      });

      it('a write that changes nothing commits nothing', async () => {
        const before = await backend.stats();
        const commits: Commit[] = [];
        backend.onCommit((c) => commits.push(c));
        expect(await put(async (tx) => (await tx.get('events', 'oia-paris-2013'))?.name)).to.equal(
          'OpenStack in Action Paris 2013',
        );
        const after = await backend.stats();
        expect(commits).to.have.length(0);
        expect(after.lastSeq).to.equal(before.lastSeq);
        expect(after.commits).to.equal(before.commits);
      });

      it('loses no update under 50 concurrent read-modify-writes of one record', async function () {
        this.timeout(20_000);
        await put((tx) => tx.put('talks', talk('counter', 'oia-paris-2013', { durationMinutes: 0 })));
        const increment = () =>
          put(async (tx) => {
            const t = (await tx.get('talks', 'counter'))!;
            await tx.put('talks', { ...t, durationMinutes: (t.durationMinutes ?? 0) + 1 });
            return (t.durationMinutes ?? 0) + 1;
          });
        const results = await Promise.all(Array.from({ length: 50 }, increment));
        expect([...results].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
        expect((await backend.read((tx) => tx.get('talks', 'counter')))!.durationMinutes).to.equal(50);
      });
    });

    describe('change log', () => {
      it('refuses a duplicate event id, in the same write and across writes', async () => {
        const first = await put(async (tx) => [await tx.emit(published('e1')), await tx.emit(published('e1'))]);
        expect(first).to.deep.equal([true, false]);
        expect(await put((tx) => tx.emit(published('e1', 'other-talk')))).to.equal(false);
        const events = await backend.eventsSince(0, 10);
        expect(events.map((e) => e.id)).to.deep.equal(['e1']);
        expect(events[0]!.data.talkId).to.equal('t1');
      });

      it('numbers commits and events with a strictly increasing sequence, and pages through them', async () => {
        const seqs: number[] = [];
        backend.onCommit((c) => seqs.push(c.seq, ...c.events.map((e) => e.seq)));
        for (let i = 0; i < 5; i++)
          await put(async (tx) => {
            await tx.emit(published(`e${i}a`));
            await tx.emit(published(`e${i}b`));
          });
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).to.be.greaterThan(seqs[i - 1]!);

        const all = await backend.eventsSince(0, 100);
        expect(all.map((e) => e.id)).to.deep.equal(
          ['0a', '0b', '1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b'].map((s) => `e${s}`),
        );
        expect(json(all[0])).to.deep.equal(json({ ...published('e0a'), seq: all[0]!.seq }));
        const paged: string[] = [];
        let after = 0;
        for (;;) {
          const page = await backend.eventsSince(after, 3);
          if (page.length === 0) break;
          expect(page.length).to.be.at.most(3);
          paged.push(...page.map((e) => e.id));
          after = page.at(-1)!.seq;
        }
        expect(paged).to.deep.equal(all.map((e) => e.id));
        expect(await backend.eventsSince(all.at(-1)!.seq, 10)).to.deep.equal([]);
        expect((await backend.stats()).lastSeq).to.equal(all.at(-1)!.seq);
      });

      it('tells listeners what changed, in commit order, before the write resolves', async () => {
        await put(async (tx) => {
          await tx.put('talks', talk('t1'));
          await tx.put('talks', talk('t2'));
        });
        const commits: Commit[] = [];
        const stop = backend.onCommit((c) => commits.push(c));
        const t1v2 = talk('t1', 'oia-paris-2013', { title: 'Second' });
        await put(async (tx) => {
          await tx.put('talks', talk('t1', 'oia-paris-2013', { title: 'Draft' }));
          await tx.put('talks', t1v2);
          await tx.put('talks', talk('t3'));
          await tx.delete('talks', 't2');
          await tx.put('talks', talk('t4'));
          await tx.delete('talks', 't4');
          await tx.emit(published('e1'));
        });
        expect(commits).to.have.length(1);
        const [c] = commits;
        expect(json(c!.put)).to.deep.equal(json({ talks: [t1v2, talk('t3')] }));
        expect(json(c!.previous)).to.deep.equal(json({ talks: [talk('t1')] }));
        expect(json(c!.deleted)).to.deep.equal(json({ talks: [talk('t2')] }));
        expect(c!.events.map((e) => e.id)).to.deep.equal(['e1']);
        expect(c!.events[0]!.seq).to.be.greaterThan(c!.seq);

        // Concurrent writes of different records: listeners still see them in sequence order.
        await Promise.all(Array.from({ length: 8 }, (_, i) => put((tx) => tx.put('posts', post(`p${i}`, ['t1'])))));
        const order = commits.slice(1).map((x) => x.seq);
        expect(order).to.have.length(8);
        expect(order).to.deep.equal([...order].sort((a, b) => a - b));

        stop();
        await put((tx) => tx.put('talks', talk('t5')));
        expect(commits).to.have.length(9);
      });
    });

    it('reports counts and writes', async () => {
      const before = await backend.stats();
      await put(async (tx) => {
        await tx.put('talks', talk('t1'));
        await tx.put('talks', talk('t2'));
        await tx.put('blogs', blog('b1'));
      });
      await put((tx) => tx.delete('talks', 't2'));
      await backend.flush();
      const stats = await backend.stats();
      expect(stats.counts).to.deep.equal({
        events: 1,
        talks: 1,
        sources: 0,
        unmatched: 0,
        posts: 0,
        blogs: 1,
        webmentions: 0,
        subscriptions: 0,
        deliveries: 0,
      });
      expect(stats.writes - before.writes).to.equal(2);
      expect(stats.commits - before.commits).to.equal(2);
      expect(stats.lastSeq).to.be.greaterThan(before.lastSeq);
    });
  });
}
