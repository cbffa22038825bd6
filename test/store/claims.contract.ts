/**
 * The claims part of the store contract: two "instances" (two store objects over one database, or
 * one backend for the single-process adapters) claim sources, blogs, deliveries and Webmentions,
 * and count rate-limit hits. Same cases against every adapter.
 */
import { expect } from 'chai';
import type { Store } from '../../src/store/store.ts';
import type { ClaimRequest } from '../../src/platform/lease.ts';
import type { Delivery } from '../../src/notify/types.ts';
import type { Source } from '../../src/recordings/types.ts';
import { blog, event, source, webmention } from './records.fixtures.ts';

/** Two store objects on one database, like two instances. */
export type OpenedPair = { a: Store; b: Store; cleanup(): Promise<void> };

const T = Date.parse('2030-01-01T00:00:00.000Z');
const at = (offsetMs: number) => new Date(T + offsetMs).toISOString();
const MIN = 60_000;
const req = (owner: string, offsetMs: number, limit = 100, leaseMs = MIN): ClaimRequest => ({
  owner,
  now: at(offsetMs),
  leaseMs,
  limit,
});
const ids = (records: readonly { id: string }[]) => records.map((r) => r.id).sort();

const src = (id: string, extra: Partial<Source> = {}): Source => ({
  ...source(id),
  schedule: '*/15 * * * *',
  ...extra,
});

const delivery = (id: string, nextAttemptAt: string, status: Delivery['status'] = 'pending'): Delivery => ({
  id,
  channel: 'websub',
  target: 'https://hub.example/',
  content: { type: 'websub.publish', timestamp: at(0), eventId: 'oia-paris-2013' },
  status,
  attempts: 0,
  nextAttemptAt,
  log: [],
  createdAt: at(-3_600_000),
  updatedAt: at(-3_600_000),
});

export function describeClaimsContract(name: string, open: () => Promise<OpenedPair>): void {
  describe(`store contract (claims): ${name}`, function () {
    this.timeout(20_000);
    let opened: OpenedPair;
    let a: Store;
    let b: Store;
    beforeEach(async () => {
      opened = await open();
      ({ a, b } = opened);
      await a.load({ events: [event()] });
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await opened.cleanup();
    });

    it('two instances claiming due sources at once get disjoint sets that cover them all', async () => {
      const all = Array.from({ length: 30 }, (_, i) => src(`s${String(i).padStart(2, '0')}`));
      await a.load({ sources: all });
      const rounds = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? b : a).claimDueSources(req(i % 2 ? 'b' : 'a', 0, 7))),
      );
      const taken = rounds.flatMap(ids);
      expect(new Set(taken).size, 'no source claimed twice').to.equal(taken.length);
      expect(taken.sort()).to.deep.equal(ids(all));
      expect(await a.claimDueSources(req('a', 1000))).to.deep.equal([]);
    });

    it('a lease keeps a source from others until it expires; the release sets when it is due again', async () => {
      await a.load({ sources: [src('s1')] });
      expect(ids(await a.claimDueSources(req('a', 0)))).to.deep.equal(['s1']);
      expect(await b.claimDueSources(req('b', 30_000))).to.deep.equal([], 'held by a');
      // a stalls past its lease: b takes the source over, and a's late release changes nothing.
      expect(ids(await b.claimDueSources(req('b', 61_000)))).to.deep.equal(['s1']);
      await a.releaseLeases('sources', 'a', [{ id: 's1', dueAt: at(5 * MIN) }]);
      expect(await a.claimDueSources(req('a', 62_000))).to.deep.equal([], 'still held by b');
      await b.releaseLeases('sources', 'b', [{ id: 's1', dueAt: at(15 * MIN) }]);
      expect(await a.claimDueSources(req('a', 70_000))).to.deep.equal([], 'polled: not due before its next tick');
      expect(ids(await a.claimDueSources(req('a', 15 * MIN)))).to.deep.equal(['s1']);
    });

    it('backoff and schedule narrow what is due; named claims skip the due rules but not others leases', async () => {
      await a.load({
        sources: [
          src('s1', { health: { consecutiveFailures: 2, itemsSeen: 0, itemsMatched: 0, nextPollAt: at(3_600_000) } }),
          src('s2', { schedule: '0 * * * *' }),
          src('s3'),
        ],
      });
      expect(ids(await a.claimDueSources(req('a', 0), '*/15 * * * *'))).to.deep.equal(['s3']);
      await a.releaseLeases('sources', 'a', [{ id: 's3', dueAt: at(15 * MIN) }]);
      const named = await b.claimSources(['s1', 's2', 's3', 'missing'], req('b', 0));
      expect(ids(named.claimed)).to.deep.equal(['s1', 's2', 's3']);
      expect(named.busy).to.deep.equal([]);
      const again = await a.claimSources(['s1', 's3'], req('a', 1000));
      expect(again.claimed).to.deep.equal([]);
      expect(again.busy.sort()).to.deep.equal(['s1', 's3']);
      await b.releaseLeases('sources', 'b', [{ id: 's1' }, { id: 's2' }, { id: 's3' }]);
      // Released without a due time: as due as before (s3 waits for its tick, s1 for its backoff).
      expect(ids(await a.claimDueSources(req('a', 2000)))).to.deep.equal(['s2']);
    });

    it('renewing keeps a lease past its first expiry; a lease lost to another instance is not renewed', async () => {
      await a.load({ sources: [src('s1')] });
      await a.claimDueSources(req('a', 0));
      expect(await a.renewLeases('sources', 'a', ['s1', 'nope'], at(120_000))).to.deep.equal(['s1']);
      expect(await b.claimDueSources(req('b', 90_000))).to.deep.equal([]);
      expect(ids(await b.claimDueSources(req('b', 121_000)))).to.deep.equal(['s1']);
      expect(await a.renewLeases('sources', 'a', ['s1'], at(240_000))).to.deep.equal([]);
    });

    it('blogs are claimed like sources', async () => {
      await a.load({ blogs: [blog('b1'), blog('b2'), { ...blog('b3'), schedule: '*/5 * * * *' }] });
      const [x, y] = await Promise.all([
        a.claimDueBlogs(req('a', 0, 1), '0 * * * *'),
        b.claimDueBlogs(req('b', 0, 1), '0 * * * *'),
      ]);
      expect([...ids(x!), ...ids(y!)].sort()).to.deep.equal(['b1', 'b2']);
      await a.releaseLeases('blogs', 'a', [{ id: x![0]!.id, dueAt: at(3_600_000) }]);
      expect(ids(await a.claimDueBlogs(req('a', 1000)))).to.deep.equal(['b3']);
      expect((await b.claimBlogs(['b1', 'b2', 'b3'], req('b', 2000))).busy).to.deep.equal(['b3']);
    });

    it('hands out pending deliveries due now, oldest first, each to one instance; recorded ones only when due again', async () => {
      await a.load({
        deliveries: [
          delivery('d2', at(-MIN)),
          delivery('d1', at(-2 * MIN)),
          delivery('d3', at(3_600_000)),
          delivery('d4', at(-3 * MIN), 'delivered'),
        ],
      });
      expect(ids(await a.claimDueDeliveries(req('a', 0, 1)))).to.deep.equal(['d1']);
      expect(ids(await b.claimDueDeliveries(req('b', 0, 5)))).to.deep.equal(['d2']);
      expect(await a.claimDueDeliveries(req('a', 0, 5))).to.deep.equal([]);
      await a.recordDeliveries([{ id: 'd1', change: (d) => ({ ...d, status: 'delivered', attempts: 1 }) }]);
      await a.releaseLeases('deliveries', 'a', [{ id: 'd1' }]);
      await b.recordDeliveries([{ id: 'd2', change: (d) => ({ ...d, attempts: 1, nextAttemptAt: at(5 * MIN) }) }]);
      await b.releaseLeases('deliveries', 'b', [{ id: 'd2' }]);
      expect(await a.claimDueDeliveries(req('a', MIN))).to.deep.equal([], 'delivered, or due later');
      const retry = await a.claimDueDeliveries(req('a', 5 * MIN));
      expect(ids(retry)).to.deep.equal(['d2']);
      expect(retry[0]!.attempts).to.equal(1);
      expect(ids(await b.claimDueDeliveries(req('b', 2 * 3_600_000)))).to.deep.equal(['d2', 'd3'], 'd2: lease expired');
    });

    it('many deliveries claimed by both instances at once: each exactly once', async () => {
      const all = Array.from({ length: 40 }, (_, i) => delivery(`d${String(i).padStart(2, '0')}`, at(-i * 1000)));
      await a.load({ deliveries: all });
      const rounds = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).claimDueDeliveries(req(i % 2 ? 'b' : 'a', 0, 6))),
      );
      const taken = rounds.flatMap(ids);
      expect(new Set(taken).size).to.equal(taken.length);
      expect(taken.sort()).to.deep.equal(ids(all));
    });

    it('pending Webmentions are claimed oldest first; an expired claim is taken over; verified ones are not claimed', async () => {
      await a.load({
        webmentions: [
          { ...webmention('w2', 'pending'), receivedAt: at(-MIN) },
          { ...webmention('w1', 'pending'), receivedAt: at(-2 * MIN) },
          webmention('w3', 'accepted'),
        ],
      });
      expect(ids(await a.claimPendingWebmentions(req('a', 0, 1)))).to.deep.equal(['w1']);
      expect(ids(await b.claimPendingWebmentions(req('b', 0)))).to.deep.equal(['w2']);
      await b.saveWebmention('w2', async (current) => ({ webmention: { ...current!, status: 'rejected' } }));
      await b.releaseLeases('webmentions', 'b', [{ id: 'w2' }]);
      expect(await b.claimPendingWebmentions(req('b', 30_000))).to.deep.equal([]);
      expect(ids(await b.claimPendingWebmentions(req('b', 61_000)))).to.deep.equal(['w1'], 'a died holding w1');
    });

    it('counts rate-limit hits per key across instances, in windows that open at the first hit', async () => {
      expect(await a.countHit('k', MIN, T)).to.deep.equal({ count: 1, resetAt: T + MIN });
      expect(await b.countHit('k', MIN, T + 1000)).to.deep.equal({ count: 2, resetAt: T + MIN });
      expect((await a.countHit('other', MIN, T + 1000)).count).to.equal(1);
      expect(await b.countHit('k', MIN, T + MIN - 1)).to.deep.equal({ count: 3, resetAt: T + MIN });
      expect(await a.countHit('k', MIN, T + MIN + 5)).to.deep.equal({ count: 1, resetAt: T + 2 * MIN + 5 });
    });
  });
}
