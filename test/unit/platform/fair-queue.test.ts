import { expect } from 'chai';
import { FairQueue } from '../../../src/platform/fair-queue.ts';

describe('FairQueue', () => {
  it('takes tasks from each key in turn, so a flood does not delay a single task behind it', async () => {
    const q = new FairQueue(1, 100, 1000);
    const order: string[] = [];
    const done: Promise<void>[] = [];
    for (let i = 0; i < 5; i += 1) done.push(q.add('flood', async () => void order.push(`flood${i}`)));
    done.push(q.add('other', async () => void order.push('other')));
    await Promise.all(done);
    expect(order.indexOf('other')).to.be.at.most(2);
    expect(order.filter((o) => o.startsWith('flood'))).to.deep.equal([
      'flood0',
      'flood1',
      'flood2',
      'flood3',
      'flood4',
    ]);
  });

  it('refuses beyond the per-key and the total bound, and passes results and errors through', async () => {
    const q = new FairQueue(1, 2, 3);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = q.add('a', () => gate.then(() => 1)); // running
    const waiting = [q.add('a', async () => 2), q.add('a', async () => 3)];
    expect(q.isFull('a')).to.equal(true);
    expect(() => q.add('a', async () => 4)).to.throw(RangeError);
    const b = q.add('b', async () => {
      throw new Error('boom');
    });
    expect(() => q.add('c', async () => 5)).to.throw(RangeError); // total bound
    release();
    expect(await first).to.equal(1);
    expect(await Promise.all(waiting)).to.deep.equal([2, 3]);
    expect(await b.catch((e: Error) => e.message)).to.equal('boom');
  });
});
