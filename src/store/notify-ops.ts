/** The notification operations of the store port (subscriptions, the delivery outbox, feeds' reads). */
import type { Backend, WriteTx } from './backend.ts';
import type { NotifyStore } from '../notify/store-port.ts';
import type { LeaseStore } from '../platform/lease.ts';
import type { Delivery, EmailSubscription, Subscription } from '../notify/types.ts';

/** Claiming deliveries is in `claims.ts`. */
export function notifyOperations(backend: Backend): Omit<NotifyStore, 'claimDueDeliveries' | keyof LeaseStore> {
  const read = backend.read.bind(backend);
  const write = backend.write.bind(backend);
  return {
    getSubscription: (id) => read((tx) => tx.get('subscriptions', id)),
    listSubscriptions: () => read((tx) => tx.all('subscriptions')),
    subscriptionByToken: (token) => read(async (tx) => (await tx.find('subscriptions', 'token', token))[0]),

    subscribeEmail: (email, plan) =>
      write(async (tx) => {
        const existing = (await tx.find('subscriptions', 'email', email)).filter(
          (s): s is EmailSubscription => s.channel === 'email',
        );
        const w = plan(existing);
        if (w.subscription) await tx.put('subscriptions', w.subscription);
        if (w.delivery && !(await tx.get('deliveries', w.delivery.id))) await tx.put('deliveries', w.delivery);
        return w.result;
      }),

    addSubscription: (subscription) =>
      write(async (tx) => {
        await tx.put('subscriptions', subscription);
      }),

    updateSubscription: (id, change) =>
      write(async (tx) => {
        const current = await tx.get('subscriptions', id);
        if (!current) return undefined;
        const next = change(current);
        if (!next || next === current) return next;
        await tx.put('subscriptions', next);
        if (next.status !== 'active' && next.status !== 'pending') await cancelPending(tx, id, next.updatedAt);
        return next;
      }),

    deleteSubscription: (id) =>
      write(async (tx) => {
        if (!(await tx.get('subscriptions', id))) return false;
        for (const d of await tx.find('deliveries', 'subscription', id)) await tx.delete('deliveries', d.id);
        await tx.delete('subscriptions', id);
        return true;
      }),

    getDelivery: (id) => read((tx) => tx.get('deliveries', id)),
    deliveriesOfSubscription: (id) => read((tx) => tx.find('deliveries', 'subscription', id)),
    deliveriesWithStatus: (status) => read((tx) => tx.find('deliveries', 'status', status)),

    dueDeliveries: (now, limit) =>
      read(async (tx) =>
        (await tx.find('deliveries', 'status', 'pending'))
          .filter((d) => d.nextAttemptAt <= now)
          .sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : 0))
          .slice(0, limit),
      ),

    recordDeliveries: (updates) =>
      write(async (tx) => {
        // One read and one write for the whole batch (a round trip each on PostgreSQL).
        const byId = new Map(
          (
            await tx.getMany(
              'deliveries',
              updates.map((u) => u.id),
            )
          ).map((d) => [d.id, d]),
        );
        const live = updates.filter((u) => {
          const current = byId.get(u.id);
          // A delivery cancelled (unsubscribed, deleted) while its attempt ran stays cancelled.
          return current !== undefined && current.status !== 'cancelled';
        });
        await tx.putMany(
          'deliveries',
          live.map((u) => u.change(byId.get(u.id)!)),
        );
        for (const u of live) {
          const current = byId.get(u.id)!;
          const subId = current.subscriptionId;
          if (u.disableSubscription && subId) {
            const sub = await tx.get('subscriptions', subId);
            if (sub && sub.status === 'active') {
              await tx.put('subscriptions', {
                ...sub,
                status: 'disabled',
                statusReason: u.disableSubscription.reason,
                updatedAt: u.disableSubscription.at,
              } as Subscription);
              await cancelPending(tx, subId, u.disableSubscription.at, u.id);
            }
          }
        }
      }),

    redeliver: (id, now) =>
      write(async (tx) => {
        const current = await tx.get('deliveries', id);
        if (!current) return undefined;
        const next: Delivery = { ...current, status: 'pending', nextAttemptAt: now, attempts: 0, updatedAt: now };
        await tx.put('deliveries', next);
        return next;
      }),

    talksWithRecordingStatus: (status) => read((tx) => tx.find('talks', 'recording', status)),
  };
}

/** Cancel a subscription's pending deliveries (it was unsubscribed, disabled or deleted). */
async function cancelPending(tx: WriteTx, subscriptionId: string, at: string, except?: string): Promise<void> {
  for (const d of await tx.find('deliveries', 'subscription', subscriptionId)) {
    if (d.status !== 'pending' || d.id === except) continue;
    await tx.put('deliveries', { ...d, status: 'cancelled', updatedAt: at });
  }
}
