import { expect } from 'chai';
import type { Commit } from '../../../src/store/backend.ts';
import { ChangeFeed, type ChangeRow } from '../../../src/store/postgres/change-feed.ts';

const commit = (seq: number, eventSeqs: number[] = []): Commit =>
  ({
    seq,
    put: {},
    deleted: {},
    previous: {},
    events: eventSeqs.map((s) => ({ id: `e${s}`, type: 'recording.published', timestamp: '', data: {}, seq: s })),
  }) as unknown as Commit;

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A change log in memory: rows become visible when `commitRow` is called; reads can be made to fail. */
function harness(start = 0, pageSize = 100) {
  const table: ChangeRow[] = [];
  const emitted: { seq: number; own: boolean }[] = [];
  const errors: unknown[] = [];
  let reads = 0;
  let failing = false;
  const feed = new ChangeFeed({
    start,
    pageSize,
    read: async (after, limit) => {
      reads += 1;
      await settle();
      if (failing) throw new Error('database away');
      return table
        .filter((r) => r.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
    },
    emit: (c, own) => void emitted.push({ seq: c.seq, own }),
    onReadError: (err) => void errors.push(err),
  });
  return {
    feed,
    emitted,
    errors,
    reads: () => reads,
    fail: (on: boolean) => (failing = on),
    commitRow: (c: Commit) => void table.push({ seq: c.seq, commit: c }),
  };
}

describe('ChangeFeed (the order listeners see commits in)', () => {
  it('hands contiguous own commits over at once, without reading the log', async () => {
    const h = harness(10);
    for (const seq of [11, 12, 14]) {
      const events = seq === 12 ? [13] : [];
      const local = h.feed.reserve(seq, events.at(-1) ?? seq);
      h.commitRow(commit(seq, events));
      h.feed.settle(local, commit(seq, events));
      await local.notified;
    }
    expect(h.emitted).to.deep.equal([11, 12, 14].map((seq) => ({ seq, own: true })));
    expect(h.reads()).to.equal(0);
    expect(h.feed.position).to.equal(14);
  });

  it("fills a gap below an own commit with the other instances' commits first, in order", async () => {
    const h = harness(10);
    h.commitRow(commit(11));
    h.commitRow(commit(12, [13]));
    const local = h.feed.reserve(14, 14);
    h.commitRow(commit(14));
    h.feed.settle(local, commit(14));
    await local.notified;
    expect(h.emitted).to.deep.equal([
      { seq: 11, own: false },
      { seq: 12, own: false },
      { seq: 14, own: true },
    ]);
    expect(h.feed.position).to.equal(14);
  });

  it('waits for an own write read from the log before its COMMIT is acknowledged, then keeps the order', async () => {
    const h = harness(0);
    const local = h.feed.reserve(1, 1);
    h.commitRow(commit(1)); // committed on the server; the acknowledgement is still on its way
    h.commitRow(commit(2)); // another instance, right after
    h.feed.wake(2);
    await settle();
    await settle();
    expect(h.emitted).to.deep.equal([]);
    h.feed.settle(local, commit(1));
    await local.notified;
    await settle();
    await settle();
    expect(h.emitted).to.deep.equal([
      { seq: 1, own: true },
      { seq: 2, own: false },
    ]);
  });

  it('passes over numbers that were never committed (rolled back here or elsewhere) without stalling', async () => {
    const h = harness(0);
    const rolledBack = h.feed.reserve(1, 1);
    h.feed.settle(rolledBack, undefined);
    await rolledBack.notified;
    // 2 was drawn by another instance that rolled back; 3 is ours.
    const local = h.feed.reserve(3, 3);
    h.commitRow(commit(3));
    h.feed.settle(local, commit(3));
    await local.notified;
    expect(h.emitted).to.deep.equal([{ seq: 3, own: true }]);
    expect(h.feed.position).to.equal(3);
  });

  it('a write whose COMMIT failed but did commit on the server is read like a remote one', async () => {
    const h = harness(0);
    const ambiguous = h.feed.reserve(1, 1);
    h.commitRow(commit(1));
    h.feed.settle(ambiguous, undefined); // the connection died before the acknowledgement
    await ambiguous.notified;
    h.feed.wake(1);
    await settle();
    await settle();
    expect(h.emitted).to.deep.equal([{ seq: 1, own: false }]);
  });

  it('while the log cannot be read, own commits go out ahead; the gap follows later, nothing twice', async () => {
    const h = harness(0);
    h.commitRow(commit(1)); // another instance
    h.fail(true);
    const local = h.feed.reserve(2, 2);
    h.commitRow(commit(2));
    h.feed.settle(local, commit(2));
    await local.notified;
    expect(h.emitted).to.deep.equal([{ seq: 2, own: true }]);
    expect(h.errors).to.have.length(1);
    expect(h.feed.position).to.equal(0);
    h.fail(false);
    h.feed.wake();
    await settle();
    await settle();
    expect(h.emitted).to.deep.equal([
      { seq: 2, own: true },
      { seq: 1, own: false },
    ]);
    expect(h.errors).to.deep.equal([h.errors[0], undefined]);
    expect(h.feed.position).to.equal(2);
  });

  it('ignores notifications of its own commits and of what it has read, and pages through a backlog', async () => {
    const h = harness(0, 3);
    for (let seq = 1; seq <= 10; seq++) h.commitRow(commit(seq));
    h.feed.wake(10);
    for (let i = 0; i < 20 && h.feed.position < 10; i++) await settle();
    expect(h.emitted.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const reads = h.reads();
    h.feed.wake(7);
    const local = h.feed.reserve(11, 11);
    h.feed.wake(11);
    await settle();
    expect(h.reads()).to.equal(reads);
    h.commitRow(commit(11));
    h.feed.settle(local, commit(11));
    await local.notified;
    expect(h.reads()).to.equal(reads);
  });
});
