/**
 * The store operations notification needs. Fan-out itself is not here: the store runs
 * `fanOut` (./fan-out.ts) inside every write that appends a domain event, so the outbox is
 * written atomically with the event.
 */
import type { Talk, RecordingStatus } from '../catalogue/types.ts';
import type { Delivery, DeliveryStatus, EmailSubscription, Subscription } from './types.ts';
import type { ClaimRequest, LeaseStore } from '../platform/lease.ts';

/** What `subscribeEmail`'s plan decides, given the address's existing subscriptions. */
export type EmailSubscribeWrite<R> = {
  readonly subscription?: EmailSubscription | undefined;
  /** The confirmation mail to queue, if one is owed. */
  readonly delivery?: Delivery | undefined;
  readonly result: R;
};

/** One attempt's outcome for `recordDeliveries`: the delivery's next state and what it does to its subscription. */
export type DeliveryUpdate = {
  readonly id: string;
  readonly change: (current: Delivery) => Delivery;
  /** A 410 from the receiver: the subscription is disabled and its pending deliveries cancelled. */
  readonly disableSubscription?: { readonly reason: string; readonly at: string } | undefined;
};

export interface NotifyStore extends LeaseStore {
  getSubscription(id: string): Promise<Subscription | undefined>;
  listSubscriptions(): Promise<Subscription[]>;
  /** The email subscription whose confirm or unsubscribe token this is. */
  subscriptionByToken(token: string): Promise<Subscription | undefined>;
  /** Every email subscription of an address, then the plan's decision, in one write. */
  subscribeEmail<R>(email: string, plan: (existing: EmailSubscription[]) => EmailSubscribeWrite<R>): Promise<R>;
  addSubscription(subscription: Subscription): Promise<void>;
  /**
   * Change a subscription. When it stops being active its pending deliveries are cancelled in the
   * same write. Returns the new record, or undefined when there is none (or `change` says so).
   */
  updateSubscription(
    id: string,
    change: (current: Subscription) => Subscription | undefined,
  ): Promise<Subscription | undefined>;
  /** Delete a subscription and its deliveries. */
  deleteSubscription(id: string): Promise<boolean>;

  getDelivery(id: string): Promise<Delivery | undefined>;
  deliveriesOfSubscription(subscriptionId: string): Promise<Delivery[]>;
  deliveriesWithStatus(status: DeliveryStatus): Promise<Delivery[]>;
  /** Pending deliveries due at `now`, oldest due first, at most `limit`. */
  dueDeliveries(now: string, limit: number): Promise<Delivery[]>;
  /**
   * Lease pending deliveries due at `req.now` (oldest due first) to `req.owner`: each is attempted
   * by one instance at a time. Release with `releaseLeases('deliveries', …)` after `recordDeliveries`.
   */
  claimDueDeliveries(req: ClaimRequest): Promise<Delivery[]>;
  /** Record attempt outcomes, in one write. Updates of deliveries that no longer exist are dropped. */
  recordDeliveries(updates: readonly DeliveryUpdate[]): Promise<void>;
  /** Put a delivery back in the queue, due now (a person asked). */
  redeliver(id: string, now: string): Promise<Delivery | undefined>;

  /** Talks whose recording is in this state (the feeds). */
  talksWithRecordingStatus(status: RecordingStatus): Promise<Talk[]>;
}
