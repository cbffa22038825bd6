/**
 * The named use-case operations, written once over any `Backend`. Each operation is one
 * `backend.read` or one `backend.write` (a transaction), so it is atomic on every adapter.
 */
import type { Backend, ReadTx, SequencedEvent, WriteTx } from './backend.ts';
import { COLLECTION_NAMES } from './records.ts';
import { emitAll, putPost, type OutboxOptions } from './outbox.ts';
import { notifyOperations } from './notify-ops.ts';
import { claimOperations } from './claims.ts';
import { localClaims } from './local-claims.ts';
import type { DomainEvent } from './records.ts';
import type {
  CatalogueReader,
  DeleteEventResult,
  RecordingReader,
  Store,
  StoreStats,
  Snapshot,
  ImportWrite,
  RecordingWrite,
} from './store.ts';
import type { Event, Talk } from '../catalogue/types.ts';
import type { Source } from '../recordings/types.ts';
import type { Blog, Post, Webmention, WebmentionStatus } from '../posts/types.ts';

/** `outbox`: deployment settings the fan-out of domain events needs (the WebSub hub). */
export function createStore(backend: Backend, outbox: OutboxOptions = {}): Store {
  const read = <T>(fn: (tx: ReadTx) => Promise<T>) => backend.read(fn);
  const write = <T>(fn: (tx: WriteTx) => Promise<T>) => backend.write(fn);

  return {
    kind: backend.kind,

    // ---- catalogue ----
    getEvent: (id) => read((tx) => tx.get('events', id)),
    listEvents: () => read((tx) => tx.all('events')),
    findTalk: (ref) => read((tx) => findTalk(tx, ref)),
    talksOfEvent: (eventId) => read((tx) => tx.find('talks', 'event', eventId)),
    getTalks: (ids) => read((tx) => getInOrder(tx, 'talks', ids)),
    getEvents: (ids) => read((tx) => getInOrder(tx, 'events', ids)),
    talkIdTaken: (id) => read(async (tx) => (await findTalk(tx, id)) !== undefined),
    allTalks: () => read((tx) => tx.all('talks')),

    createEvent: (event) =>
      write(async (tx) => {
        if (await tx.get('events', event.id)) return false;
        await tx.put('events', event);
        return true;
      }),

    updateEvent: (id, change) =>
      write(async (tx) => {
        const current = await tx.get('events', id);
        if (!current) return undefined;
        const next = change(current);
        await tx.put('events', next);
        return next;
      }),

    deleteEvent: (id, cascade) =>
      write(async (tx): Promise<DeleteEventResult> => {
        if (!(await tx.get('events', id))) return { status: 'not-found' };
        const talks = await tx.find('talks', 'event', id);
        if (talks.length > 0 && !cascade) return { status: 'has-talks', talks: talks.length };
        const sources = await tx.find('sources', 'event', id);
        for (const t of talks) await tx.delete('talks', t.id);
        for (const s of sources) await tx.delete('sources', s.id);
        for (const u of await tx.find('unmatched', 'event', id)) await tx.delete('unmatched', u.id);
        await tx.delete('events', id);
        return { status: 'deleted', talks: talks.length, sources: sources.length };
      }),

    createTalk: (talk) =>
      write(async (tx) => {
        if (!(await tx.get('events', talk.eventId))) return false;
        if (await findTalk(tx, talk.id)) return false;
        await tx.put('talks', talk);
        return true;
      }),

    updateTalk: (ref, change) =>
      write(async (tx) => {
        const current = await findTalk(tx, ref);
        if (!current) return undefined;
        const next = change(current);
        await tx.put('talks', next);
        return next;
      }),

    deleteTalk: (ref) =>
      write(async (tx) => {
        const current = await findTalk(tx, ref);
        if (current) await tx.delete('talks', current.id);
        return current;
      }),

    // ---- schedules ----
    saveImport: <R>(plan: (view: CatalogueReader) => Promise<ImportWrite<R>>) =>
      write(async (tx) => {
        const w = await plan(catalogueView(tx));
        await tx.putMany('events', w.events);
        await tx.putMany('talks', w.talks);
        await emitAll(tx, w.domainEvents, outbox);
        return w.result;
      }),

    // ---- recordings ----
    getSource: (id) => read((tx) => tx.get('sources', id)),
    listSources: (filter) =>
      read((tx) => (filter?.eventId !== undefined ? tx.find('sources', 'event', filter.eventId) : tx.all('sources'))),
    listUnmatched: (eventId) => read((tx) => tx.find('unmatched', 'event', eventId)),

    addSource: (source) =>
      write(async (tx) => {
        const existing = (await tx.find('sources', 'event', source.eventId)).find((s) => s.url === source.url);
        if (existing) return { source: existing, created: false };
        await tx.put('sources', source);
        return { source, created: true };
      }),

    deleteSource: (id) =>
      write(async (tx) => {
        if (!(await tx.get('sources', id))) return false;
        await tx.delete('sources', id);
        return true;
      }),

    applyRecordings: <R>(
      plan: (view: CatalogueReader & RecordingReader) => Promise<RecordingWrite<R>> | RecordingWrite<R>,
    ) =>
      write(async (tx) => {
        const w = await plan({ ...catalogueView(tx), ...recordingView(tx) });
        await tx.putMany('talks', w.talks ?? []);
        for (const s of w.sources ?? []) if (await tx.get('sources', s.id)) await tx.put('sources', s);
        for (const u of w.unmatched ?? []) await tx.put('unmatched', u);
        for (const id of w.unmatchedDeletes ?? []) await tx.delete('unmatched', id);
        await emitAll(tx, w.domainEvents ?? [], outbox);
        return w.result;
      }),

    // ---- posts ----
    getPost: (id) => read((tx) => tx.get('posts', id)),
    listPosts: () => read((tx) => tx.all('posts')),
    postsMentioningTalk: (talkId) => read((tx) => tx.find('posts', 'talk', talkId)),

    savePost: (id, change) =>
      write(async (tx) => {
        const current = await tx.get('posts', id);
        const next = change(current);
        if (next && next !== current) await putPost(tx, next, current, outbox);
        return next;
      }),

    updatePosts: (change) =>
      write(async (tx) => {
        let changed = 0;
        for (const post of await tx.all('posts')) {
          const next = change(post);
          if (next && next !== post) {
            await putPost(tx, next, post, outbox);
            changed += 1;
          }
        }
        return changed;
      }),

    deletePost: (id) =>
      write(async (tx) => {
        if (!(await tx.get('posts', id))) return false;
        await tx.delete('posts', id);
        return true;
      }),

    getBlog: (id) => read((tx) => tx.get('blogs', id)),
    listBlogs: () => read((tx) => tx.all('blogs')),

    addBlog: (blog) =>
      write(async (tx) => {
        const [existing] = await tx.find('blogs', 'feedUrl', blog.feedUrl);
        if (existing) return { blog: existing, created: false };
        await tx.put('blogs', blog);
        return { blog, created: true };
      }),

    updateBlog: (id, change) =>
      write(async (tx) => {
        const current = await tx.get('blogs', id);
        if (!current) return undefined;
        const next: Blog = change(current);
        await tx.put('blogs', next);
        return next;
      }),

    deleteBlog: (id) =>
      write(async (tx) => {
        if (!(await tx.get('blogs', id))) return false;
        await tx.delete('blogs', id);
        return true;
      }),

    getWebmention: (id) => read((tx) => tx.get('webmentions', id)),
    listWebmentions: () => read((tx) => tx.all('webmentions')),
    webmentionsWithStatus: (status: WebmentionStatus) => read((tx) => tx.find('webmentions', 'status', status)),
    webmentionsOfPost: (postId) => read((tx) => tx.find('webmentions', 'post', postId)),

    expireWebmentions: (statuses, before) =>
      write(async (tx) => {
        let n = 0;
        for (const status of statuses)
          for (const w of await tx.find('webmentions', 'status', status)) {
            if (w.receivedAt >= before) continue;
            await tx.delete('webmentions', w.id);
            n += 1;
          }
        return n;
      }),

    saveWebmention: (id, change) =>
      write(async (tx) => {
        const current = await tx.get('webmentions', id);
        const out = await change(current, {
          getPost: (postId) => tx.get('posts', postId),
          webmentionsOfPost: (postId) => tx.find('webmentions', 'post', postId),
        });
        if (!out) return undefined;
        await tx.put('webmentions', out.webmention);
        // `null`: the post this webmention made goes with it.
        if (out.post === null && current?.postId) await tx.delete('posts', current.postId);
        else if (out.post) await putPost(tx, out.post, await tx.get('posts', out.post.id), outbox);
        return out.webmention;
      }),

    ...notifyOperations(backend),

    // ---- claims (jobs shared by instances), rate limits ----
    ...claimOperations(backend.claims ?? localClaims(backend)),

    // ---- whole store ----
    snapshot: async () => {
      const records = await read(async (tx) => {
        const out: Record<string, unknown[]> = {};
        for (const name of COLLECTION_NAMES) out[name] = (await tx.all(name)).sort((a, b) => cmp(a.id, b.id));
        return out;
      });
      const domainEvents: SequencedEvent[] = [];
      for (let after = 0; ;) {
        const page = await backend.eventsSince(after, 1000);
        if (page.length === 0) break;
        domainEvents.push(...page);
        after = page[page.length - 1]!.seq;
      }
      return { ...(records as Omit<Snapshot, 'domainEvents'>), domainEvents };
    },
    load: (snapshot) =>
      write(async (tx) => {
        for (const name of COLLECTION_NAMES) await tx.putMany(name, (snapshot[name] ?? []) as never[]);
        for (const e of snapshot.domainEvents ?? []) {
          const { seq: _seq, ...event } = e;
          await tx.emit(event as DomainEvent);
        }
      }),

    // ---- change log ----
    eventsSince: (seq, limit) => backend.eventsSince(seq, limit),
    onCommit: (listener) => backend.onCommit(listener),
    async stats(): Promise<StoreStats> {
      const stats = await backend.stats();
      // Without a shared log, an instance's position is its own last commit.
      const changeLog = stats.changeLog ?? { position: stats.lastSeq, head: stats.lastSeq, lagSeconds: 0 };
      return { kind: backend.kind, ...stats, changeLog };
    },
    trimChangeLog: async (before) => (backend.trimChangeLog ? backend.trimChangeLog(before) : 0),
    flush: () => backend.flush(),
    close: () => backend.close(),
  };
}

/** A talk by id first, then by any reference (guid in any case, `<event>:<scheduleId>`, alias). */
async function findTalk(tx: ReadTx, ref: string): Promise<Talk | undefined> {
  const direct = await tx.get('talks', ref);
  if (direct) return direct;
  const [byRef] = await tx.find('talks', 'ref', ref);
  if (byRef) return byRef;
  const lower = ref.toLowerCase();
  if (lower === ref) return undefined;
  const [byLower] = await tx.find('talks', 'ref', lower);
  return byLower;
}

/** `getMany` in the order asked (duplicates once). */
async function getInOrder<K extends 'talks' | 'events'>(tx: ReadTx, collection: K, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  const byId = new Map((await tx.getMany(collection, unique)).map((r) => [r.id, r]));
  return unique.flatMap((id) => {
    const r = byId.get(id);
    return r ? [r] : [];
  });
}

function catalogueView(tx: ReadTx): CatalogueReader {
  return {
    getTalks: (ids) => getInOrder(tx, 'talks', ids),
    getEvents: (ids) => getInOrder(tx, 'events', ids),
    getEvent: (id) => tx.get('events', id),
    listEvents: () => tx.all('events'),
    findTalk: (ref) => findTalk(tx, ref),
    talksOfEvent: (eventId) => tx.find('talks', 'event', eventId),
    talkIdTaken: async (id) => (await findTalk(tx, id)) !== undefined,
  };
}

function recordingView(tx: ReadTx): RecordingReader {
  return {
    getSource: (id) => tx.get('sources', id),
    listSources: (filter) =>
      filter?.eventId !== undefined ? tx.find('sources', 'event', filter.eventId) : tx.all('sources'),
    listUnmatched: (eventId) => tx.find('unmatched', 'event', eventId),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
