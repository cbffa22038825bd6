/**
 * Subscriptions: email (public, double opt-in, one-click unsubscribe) and webhooks (admin, signed
 * with a secret shown once). The use-cases behind `/api/subscriptions` and the confirm and
 * unsubscribe links.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { LocalRateCounter, RateLimiter, type RateCounter } from '../platform/rate-limit.ts';
import { randomId, stableId } from '../catalogue/ids.ts';
import type { NotifyStore } from './store-port.ts';
import { filterKey, resolveFilter, type FilterDeps, type FilterInput } from './filters.ts';
import { newDelivery } from './fan-out.ts';
import { newWebhookSecret } from './webhook.ts';
import type { Delivery, EmailSubscription, NotificationType, Subscription, WebhookSubscription } from './types.ts';

/** A confirmation link works this long. */
const CONFIRM_TTL_MS = 7 * 24 * 3600e3;
/** A pending subscription's confirmation mail is sent again at most this often, and at most 3 times. */
const RESEND_AFTER_MS = 3600e3;
const MAX_CONFIRMATIONS = 3;

export type SubscriptionDeps = {
  readonly store: NotifyStore;
  readonly filters: FilterDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Throws when an outbound URL may not be used (scheme, private address). */
  readonly checkUrl: (url: string) => void;
  /** Where the rate limits count (the store: shared by instances on PostgreSQL). @default in-process */
  readonly rates?: RateCounter;
};

export type EmailSubscribeResult = {
  /** `pending` (a confirmation mail is on its way or was sent recently) or `active` (already confirmed). */
  readonly status: 'pending' | 'active';
  readonly subscription: EmailSubscription;
  /** Whether this request queued a confirmation mail. */
  readonly mailQueued: boolean;
};

export class SubscriptionService {
  /**
   * Subscribe requests per address and per client per hour. Mails are bounded further by the store
   * rule: one pending confirmation per address and filter, re-sent at most hourly and 3 times.
   */
  private readonly perAddress: RateLimiter;
  private readonly perClient: RateLimiter;

  constructor(private readonly deps: SubscriptionDeps) {
    const rates = deps.rates ?? new LocalRateCounter();
    this.perAddress = new RateLimiter(rates, 'subscribe-address', 10, 3600e3);
    this.perClient = new RateLimiter(rates, 'subscribe-client', 30, 3600e3);
  }

  async subscribeEmail(input: {
    email: string;
    filter: FilterInput;
    types: readonly NotificationType[];
    clientIp: string;
  }): Promise<EmailSubscribeResult> {
    const now = this.deps.clock.now();
    const email = input.email.trim().toLowerCase();
    await this.limit(this.perClient, input.clientIp, now, 'too many subscription requests from this client');
    await this.limit(this.perAddress, email, now, 'too many subscription requests for this address');
    const filter = await resolveFilter(this.deps.filters, input.filter);
    const types = [...new Set(input.types)].sort();
    const at = now.toISOString();
    const result = await this.deps.store.subscribeEmail<EmailSubscribeResult>(email, (existing) => {
      const same = existing.find(
        (s) => filterKey(s.filter) === filterKey(filter) && s.types.join() === types.join() && s.status !== 'disabled',
      );
      if (same?.status === 'active') return { result: { status: 'active', subscription: same, mailQueued: false } };
      const resend =
        same?.status === 'pending' &&
        now.getTime() - Date.parse(same.confirmationSentAt) >= RESEND_AFTER_MS &&
        same.confirmationsSent < MAX_CONFIRMATIONS;
      if (same?.status === 'pending' && !resend)
        return { result: { status: 'pending', subscription: same, mailQueued: false } };
      const base: EmailSubscription = same ?? {
        id: randomId('sub'),
        channel: 'email',
        email,
        filter,
        types,
        status: 'pending',
        unsubscribeToken: token(),
        confirmationSentAt: at,
        confirmationsSent: 0,
        createdAt: at,
        updatedAt: at,
      };
      const sub: EmailSubscription = {
        ...base,
        status: 'pending',
        statusReason: undefined,
        confirmToken: same?.status === 'pending' && same.confirmToken ? same.confirmToken : token(),
        confirmationSentAt: at,
        confirmationsSent: base.confirmationsSent + 1,
        updatedAt: at,
      };
      const delivery: Delivery = newDelivery(
        stableId('msg', sub.id, 'subscription.confirm', String(sub.confirmationsSent), at),
        undefined,
        { type: 'subscription.confirm', timestamp: at },
        { channel: 'email', subscriptionId: sub.id, target: email },
      );
      return { subscription: sub, delivery, result: { status: 'pending', subscription: sub, mailQueued: true } };
    });
    this.deps.logger.info(
      { subscriptionId: result.subscription.id, status: result.status, mailQueued: result.mailQueued },
      'email subscription requested',
    );
    return result;
  }

  /** Follow a confirmation link. Unknown or expired tokens are 404. */
  async confirm(tokenValue: string): Promise<EmailSubscription> {
    const sub = await this.deps.store.subscriptionByToken(tokenValue);
    if (!sub || sub.channel !== 'email' || sub.confirmToken !== tokenValue)
      throw notFound('NOT_FOUND', 'confirmation link', 'token');
    // Followed again (mail scanners fetch links before the person clicks): still confirmed.
    if (sub.status === 'active') return sub;
    const now = this.deps.clock.now();
    if (now.getTime() - Date.parse(sub.confirmationSentAt) > CONFIRM_TTL_MS)
      throw new DomainError('NOT_FOUND', 'this confirmation link has expired; subscribe again', null);
    const at = now.toISOString();
    const next = await this.deps.store.updateSubscription(sub.id, (current) =>
      current.channel === 'email' && current.status === 'pending'
        ? { ...current, status: 'active', confirmedAt: at, updatedAt: at }
        : current,
    );
    if (!next || next.channel !== 'email' || next.status !== 'active')
      throw notFound('NOT_FOUND', 'confirmation link', 'token');
    return next;
  }

  /** Follow an unsubscribe link (GET or RFC 8058 one-click POST). Idempotent. */
  async unsubscribe(tokenValue: string): Promise<EmailSubscription> {
    const sub = await this.deps.store.subscriptionByToken(tokenValue);
    if (!sub || sub.channel !== 'email' || sub.unsubscribeToken !== tokenValue)
      throw notFound('NOT_FOUND', 'unsubscribe link', 'token');
    const at = this.deps.clock.now().toISOString();
    const next = await this.deps.store.updateSubscription(sub.id, (current) =>
      current.status === 'unsubscribed'
        ? current
        : {
            ...current,
            status: 'unsubscribed',
            statusReason: 'unsubscribed by link',
            confirmToken: undefined,
            updatedAt: at,
          },
    );
    return (next ?? sub) as EmailSubscription;
  }

  /** A webhook subscription, active at once; the answer carries its secret (shown only here). */
  async createWebhook(input: {
    url: string;
    filter: FilterInput;
    types: readonly NotificationType[];
  }): Promise<WebhookSubscription> {
    try {
      this.deps.checkUrl(input.url);
    } catch (err) {
      throw new DomainError('URL_NOT_ALLOWED', (err as Error).message, { webhook: input.url });
    }
    const filter = await resolveFilter(this.deps.filters, input.filter);
    const at = this.deps.clock.now().toISOString();
    const sub: WebhookSubscription = {
      id: randomId('sub'),
      channel: 'webhook',
      url: input.url,
      secret: newWebhookSecret(),
      filter,
      types: [...new Set(input.types)].sort(),
      status: 'active',
      createdAt: at,
      updatedAt: at,
    };
    await this.deps.store.addSubscription(sub);
    this.deps.logger.info({ subscriptionId: sub.id, filter: filterKey(filter) }, 'webhook subscription created');
    return sub;
  }

  list(): Promise<Subscription[]> {
    return this.deps.store.listSubscriptions();
  }

  async get(id: string): Promise<Subscription> {
    const sub = await this.deps.store.getSubscription(id);
    if (!sub) throw notFound('NOT_FOUND', 'subscription', id);
    return sub;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.store.deleteSubscription(id))) throw notFound('NOT_FOUND', 'subscription', id);
  }

  async deliveries(id: string): Promise<Delivery[]> {
    await this.get(id);
    const list = await this.deps.store.deliveriesOfSubscription(id);
    return list.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  async redeliver(id: string): Promise<Delivery> {
    const d = await this.deps.store.redeliver(id, this.deps.clock.now().toISOString());
    if (!d) throw notFound('NOT_FOUND', 'delivery', id);
    return d;
  }

  private async limit(limiter: RateLimiter, key: string, now: Date, message: string): Promise<void> {
    const waitMs = await limiter.hit(key, now.getTime());
    if (waitMs > 0) throw new DomainError('RATE_LIMITED', message, { retryAfterSeconds: Math.ceil(waitMs / 1000) });
  }
}

/** An unguessable link secret (32 random bytes, base64url). */
function token(): string {
  return randomBytes(32).toString('base64url');
}
