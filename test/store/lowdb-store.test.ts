import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openLowdbStore } from '../../src/store/open.ts';
import { StoreCorruptError, StoreLockedError } from '../../src/store/errors.ts';
import type { Talk } from '../../src/catalogue/types.ts';
import { tempDir } from '../helpers/start-app.ts';

const talk = (id: string, eventId = 'ev', extra: Partial<Talk> = {}): Talk => ({
  id,
  eventId,
  title: `Talk ${id}`,
  aliases: [],
  speakers: [],
  externalIds: { guid: `guid-${id}`, scheduleId: id.replace(/\D/g, '') || undefined },
  recording: { status: 'pending' },
  recordings: [],
  createdAt: '2013-12-05T00:00:00.000Z',
  updatedAt: '2013-12-05T00:00:00.000Z',
  ...extra,
});

/** The reason a promise rejects, or undefined when it fulfils. */
const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('lowdb store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'db.json');
  });
  afterEach(() => tmp.cleanup());

  it('persists commits to the file with a schema version and reloads them', async () => {
    const store = await openLowdbStore({ file });
    await store.load({ talks: [talk('t1'), talk('t2', 'other')] });
    await store.close();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(doc.schemaVersion).to.equal(2);
    expect(Object.keys(doc.talks)).to.have.members(['t1', 't2']);

    const again = await openLowdbStore({ file });
    expect((await again.findTalk('t1'))?.title).to.equal('Talk t1');
    expect((await again.talksOfEvent('other')).map((t: Talk) => t.id)).to.deep.equal(['t2']);
    await again.close();
  });

  it('with fsync on (TALKREEL_FSYNC), every acknowledged write is on disk when it resolves', async () => {
    const store = await openLowdbStore({ file, fsync: true });
    await store.createEvent({ id: 'ev', name: 'Event', aliases: [], createdAt: 'x', updatedAt: 'x' });
    // Read the file while the store is still open: the write resolved only after the file was synced.
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).events.ev.name).to.equal('Event');
    await store.close();
    const again = await openLowdbStore({ file });
    expect((await again.getEvent('ev'))?.name).to.equal('Event');
    await again.close();
  });

  it('sets aside records of the wrong shape (keeping them in the file) instead of serving them', async () => {
    const good = { id: 'ev', name: 'Event', aliases: [], createdAt: 'x', updatedAt: 'x' };
    const talk = (id: string, extra: object) => ({
      id,
      eventId: 'ev',
      title: `Talk ${id}`,
      aliases: [],
      speakers: [{ name: 'Ana' }],
      externalIds: {},
      recording: { status: 'pending' },
      recordings: [],
      createdAt: 'x',
      updatedAt: 'x',
      ...extra,
    });
    fs.writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 2,
        seq: 1,
        domainEvents: {},
        events: { ev: good },
        talks: { ok: talk('ok', {}), bad: talk('bad', { speakers: 'Ana' }), odd: talk('other-id', {}) },
      }),
    );
    const store = await openLowdbStore({ file });
    expect((await store.allTalks()).map((t) => t.id)).to.deep.equal(['ok']);
    expect((await store.stats()).quarantined).to.equal(2);
    await store.updateTalk('ok', (t) => ({ ...t, room: 'A' }));
    await store.close();
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(onDisk.quarantine).sort()).to.deep.equal(['talks/bad', 'talks/odd']);
    expect(onDisk.quarantine['talks/bad'].problem).to.match(/speakers/);
    expect(onDisk.quarantine['talks/bad'].record.speakers).to.equal('Ana');
  });

  it('resolves talks by guid, event:scheduleId and slug-like aliases, and forgets them on delete', async () => {
    const store = await openLowdbStore({ file });
    await store.load({ talks: [talk('t7', 'ev', { aliases: ['old-slug', 'An Old Title'] })] });
    expect((await store.findTalk('GUID-T7'))?.id).to.equal('t7');
    expect((await store.findTalk('ev:7'))?.id).to.equal('t7');
    expect((await store.findTalk('old-slug'))?.id).to.equal('t7');
    expect(await store.findTalk('An Old Title')).to.equal(undefined);
    await store.deleteTalk('t7');
    expect(await store.findTalk('guid-t7')).to.equal(undefined);
    expect(await store.talksOfEvent('ev')).to.have.length(0);
    await store.close();
  });

  it('coalesces 10,000 concurrent updates into a handful of file writes', async () => {
    const store = await openLowdbStore({ file });
    await store.load({ talks: [talk('seed')] });
    const before = (await store.stats()).writes;
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => store.load({ talks: [talk(`t${i}`)] })));
    const writes = (await store.stats()).writes - before;
    expect(writes).to.be.at.least(1).and.at.most(3);
    expect((await store.stats()).counts.talks).to.equal(10_001);
    await store.close();
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).talks)).to.have.length(10_001);
  });

  it('refuses to open a file that does not parse, names it, and leaves it untouched', async () => {
    fs.writeFileSync(file, '{"schemaVersion":1,"talks":{');
    const before = fs.readFileSync(file);
    let error: unknown;
    try {
      await openLowdbStore({ file });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(StoreCorruptError);
    expect((error as Error).message).to.include(file);
    expect(fs.readFileSync(file).equals(before)).to.equal(true);
    expect(fs.existsSync(path.join(tmp.dir, '.lock'))).to.equal(false);
  });

  it('refuses a schema version newer than it understands', async () => {
    fs.writeFileSync(file, JSON.stringify({ schemaVersion: 99, talks: {} }));
    try {
      await openLowdbStore({ file });
      expect.fail('should not open');
    } catch (err) {
      expect(err).to.be.instanceOf(StoreCorruptError);
      expect((err as Error).message).to.match(/newer/);
    }
  });

  it('takes a lock so a second writer cannot open the same directory', async () => {
    fs.writeFileSync(path.join(tmp.dir, '.lock'), String(process.ppid));
    expect(await rejection(openLowdbStore({ file })), 'a second writer opened').to.be.instanceOf(StoreLockedError);
    const reader = await openLowdbStore({ file, readOnly: true });
    // The rejection is captured outside any try, so an accepted write cannot pass for a refused one.
    const refused = await rejection(reader.load({ talks: [talk('x')] }));
    expect(refused, 'read-only store accepted a write').to.be.instanceOf(Error);
    expect((refused as Error).message).to.equal('store is open read-only');
    expect(await reader.findTalk('x')).to.equal(undefined);
    await reader.close();
  });

  it('upgrades a version 1 file in place: every record kept, events numbered in time order', async () => {
    const v1 = {
      schemaVersion: 1,
      events: {
        ev: {
          id: 'ev',
          name: 'Ev',
          aliases: [],
          createdAt: '2013-12-05T00:00:00.000Z',
          updatedAt: '2013-12-05T00:00:00.000Z',
        },
      },
      talks: { t1: talk('t1') },
      domainEvents: {
        evt_b: {
          id: 'evt_b',
          type: 'recording.withdrawn',
          timestamp: '2014-02-01T00:00:00.000Z',
          data: { talkId: 't1', eventId: 'ev', url: 'https://v.example/1', reason: 'gone' },
        },
        evt_a: {
          id: 'evt_a',
          type: 'recording.withdrawn',
          timestamp: '2014-01-01T00:00:00.000Z',
          data: { talkId: 't1', eventId: 'ev', url: 'https://v.example/1', reason: 'gone' },
        },
      },
    };
    fs.writeFileSync(file, JSON.stringify(v1));
    const store = await openLowdbStore({ file });
    expect((await store.findTalk('guid-t1'))?.id).to.equal('t1');
    expect((await store.eventsSince(0, 10)).map((e) => [e.id, e.seq])).to.deep.equal([
      ['evt_a', 1],
      ['evt_b', 2],
    ]);
    // Nothing is written until something changes; then the file is version 2 with everything in it.
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).schemaVersion).to.equal(1);
    await store.updateEvent('ev', (e) => ({ ...e, city: 'Paris' }));
    await store.close();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(doc.schemaVersion).to.equal(2);
    expect(Object.keys(doc.talks)).to.deep.equal(['t1']);
    expect(Object.keys(doc.domainEvents).sort()).to.deep.equal(['evt_a', 'evt_b']);
    expect(doc.seq).to.be.at.least(3);
  });

  it('refuses a file holding null or a wrong shape and leaves it untouched', async () => {
    for (const body of ['null', '[]', '{"talks": []}']) {
      fs.writeFileSync(file, body);
      expect(await rejection(openLowdbStore({ file }))).to.be.instanceOf(StoreCorruptError);
      expect(fs.readFileSync(file, 'utf8')).to.equal(body);
    }
  });

  it('calls commit listeners only once the write is on disk', async () => {
    const store = await openLowdbStore({ file });
    const seenOnDisk: boolean[] = [];
    store.onCommit((c) => {
      const id = c.put.talks?.[0]?.id;
      if (id) seenOnDisk.push(id in JSON.parse(fs.readFileSync(file, 'utf8')).talks);
    });
    await Promise.all([store.load({ talks: [talk('d1')] }), store.load({ talks: [talk('d2')] })]);
    await store.close();
    expect(seenOnDisk).to.deep.equal([true, true]);
  });

  it('takes over a lock left by a dead process', async () => {
    fs.writeFileSync(path.join(tmp.dir, '.lock'), '999999');
    const store = await openLowdbStore({ file });
    expect(fs.readFileSync(path.join(tmp.dir, '.lock'), 'utf8')).to.equal(String(process.pid));
    await store.close();
    expect(fs.existsSync(path.join(tmp.dir, '.lock'))).to.equal(false);
  });
});
