import { expect } from 'chai';
import { claimAll, LeaseKeeper, type ClaimRequest, type LeaseKind } from '../../../src/platform/lease.ts';

describe('platform/lease', () => {
  it('claimAll claims page after page until a page comes back short', async () => {
    const pool = Array.from({ length: 25 }, (_, i) => i);
    const limits: number[] = [];
    const req: ClaimRequest = { owner: 'a', now: '2030-01-01T00:00:00.000Z', leaseMs: 1000, limit: 10 };
    const all = await claimAll(req, async (r) => {
      limits.push(r.limit);
      return pool.splice(0, r.limit);
    });
    expect(all).to.have.length(25);
    expect(limits).to.deep.equal([10, 10, 10]);
  });

  it('LeaseKeeper renews what it holds every third of the lease, and forgets leases it lost', async () => {
    const calls: { kind: LeaseKind; ids: string[] }[] = [];
    const warnings: unknown[] = [];
    const keeper = new LeaseKeeper(
      'deliveries',
      {
        renewLeases: async (kind, _owner, ids) => {
          calls.push({ kind, ids: [...ids] });
          return ids.filter((id) => id !== 'lost');
        },
      },
      { owner: 'a', leaseMs: 150 },
      { now: () => new Date() },
      { warn: (o: unknown) => void warnings.push(o) },
    );
    keeper.hold(['d1', 'lost']);
    await new Promise((r) => setTimeout(r, 130));
    keeper.drop(['d1']);
    await new Promise((r) => setTimeout(r, 120));
    expect(calls[0]).to.deep.equal({ kind: 'deliveries', ids: ['d1', 'lost'] });
    expect(calls.slice(1).every((c) => c.ids.length === 0 || !c.ids.includes('lost'))).to.equal(true);
    expect(warnings).to.have.length(1);
  });
});
