/**
 * The delivery worker: takes due deliveries from the outbox, sends them (signed webhook POST,
 * mail, or Webmention) with bounded concurrency overall and per host, and records each outcome.
 *
 * - Woken in-process after any commit that queues a new delivery, so the first attempt follows
 *   the event within moments; the `deliver-notifications` job runs it again every minute for
 *   retries and for anything queued while no worker ran.
 * - At-least-once: an attempt is recorded after it was made, so a crash in between sends again,
 *   with the same `webhook-id`.
 * - Claimed, not just read: a run leases the due deliveries it takes (`claimDueDeliveries`), so
 *   with several instances on one PostgreSQL each delivery is attempted by one of them at a time;
 *   the lease is renewed while attempts run and released once their outcomes are recorded. An
 *   instance that dies mid-attempt loses its leases when they expire; another sends again.
 * - Outcomes: 2xx delivered; 410 disables the subscription; 408/429/5xx/timeouts/connection
 *   errors retry on the schedule of `retry.ts` (honouring `Retry-After`); redirects and other
 *   4xx fail for good (visible, and an admin can redeliver).
 */
import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { claimRequest, DEFAULT_LEASES, LeaseKeeper, type LeaseSettings } from '../platform/lease.ts';
import { FetchError, type HttpClient } from '../platform/http-client.ts';
import type { NotifyStore, DeliveryUpdate } from './store-port.ts';
import type { Delivery, DeliveryAttempt, Subscription } from './types.ts';
import { signWebhook, talkPageUrl, webhookPayload, type Links } from './webhook.ts';
import { confirmationMail, notificationMail } from './mail.ts';
import { MailError, type Mailer } from './mailer.ts';
import { nextRetryDelay, parseRetryAfter } from './retry.ts';
import type { WebmentionSendResult } from './webmention-send.ts';
import { FEED_FORMATS, feedUrl } from './feeds.ts';

export type DelivererDeps = {
  readonly store: NotifyStore & {
    onCommit(listener: (c: { put: { deliveries?: readonly Delivery[] } }) => void): () => void;
  };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly http: HttpClient;
  readonly mailer: Mailer;
  readonly links: Links;
  readonly sendWebmention: (
    source: string,
    target: string,
    opts: { signal?: AbortSignal; timeoutMs?: number },
  ) => Promise<WebmentionSendResult>;
  /** Send Webmentions to recap posts (TALKREEL_SEND_WEBMENTIONS). */
  readonly webmentions: boolean;
  readonly concurrency: number;
  readonly perHost: number;
  readonly timeoutMs: number;
  readonly random?: () => number;
  /** This instance's leases on claimed deliveries. @default {@link DEFAULT_LEASES} */
  readonly leases?: LeaseSettings;
};

export type DeliveryRunCounts = { attempted: number; delivered: number; retrying: number; failed: number };

/** What one attempt came to, before it becomes a delivery update. */
type Outcome = {
  readonly outcome: DeliveryAttempt['outcome'];
  readonly httpStatus?: number | undefined;
  readonly error?: string | undefined;
  readonly retryAfterMs?: number | undefined;
};

const BATCH = 500;
const LOG_KEEP = 10;

export class Deliverer {
  private readonly limit: LimitFunction;
  private readonly hostLimits = new Map<string, LimitFunction>();
  private running: Promise<DeliveryRunCounts> | undefined;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly leases: LeaseSettings;
  private readonly keeper: LeaseKeeper;

  constructor(private readonly deps: DelivererDeps) {
    this.limit = pLimit(deps.concurrency);
    this.leases = deps.leases ?? DEFAULT_LEASES;
    this.keeper = new LeaseKeeper('deliveries', deps.store, this.leases, deps.clock, deps.logger);
    // Every attempt in flight listens on the shutdown signal: as many as the concurrency allows.
    setMaxListeners(deps.concurrency + 16, this.abort.signal);
  }

  /** Listen for new deliveries and send what is already due (deliveries survive restarts). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.store.onCommit((commit) => {
      if (commit.put.deliveries?.some((d) => d.status === 'pending' && d.attempts === 0)) this.wake();
    });
    this.wake();
  }

  /** Run soon; a run already going runs once more afterwards. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.runOnce().catch((err: unknown) => this.deps.logger.error({ err }, 'delivery run failed'));
  }

  /** Send everything due now; resolves with counts. Concurrent calls share the run in progress. */
  runOnce(): Promise<DeliveryRunCounts> {
    if (this.running) return this.running;
    const run = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
    this.running = run;
    return run;
  }

  /** Resolve once no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /** Stop waking, abort attempts in flight (they count as not made: sent again later), wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    this.abort.abort(new Error('shutting down'));
    await this.idle();
  }

  private async drain(): Promise<DeliveryRunCounts> {
    const counts: DeliveryRunCounts = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    for (;;) {
      if (this.stopped) break;
      const due = await this.deps.store.claimDueDeliveries(claimRequest(this.leases, this.deps.clock, BATCH));
      if (due.length === 0) break;
      const ids = due.map((d) => d.id);
      this.keeper.hold(ids);
      try {
        const subs = await this.subscriptionsOf(due);
        const updates = await Promise.all(due.map((d) => this.attempt(d, subs.get(d.subscriptionId ?? ''), counts)));
        await this.deps.store.recordDeliveries(updates.filter((u): u is DeliveryUpdate => u !== undefined));
      } finally {
        // Recorded ones are no longer due (or due later); unrecorded ones (shutdown) are due again at once.
        this.keeper.drop(ids);
        await this.deps.store
          .releaseLeases(
            'deliveries',
            this.leases.owner,
            ids.map((id) => ({ id })),
          )
          .catch((err: unknown) => this.deps.logger.warn({ err }, 'releasing delivery leases failed; they expire'));
      }
      if (due.length < BATCH) break;
    }
    await this.armRetryTimer();
    return counts;
  }

  private async subscriptionsOf(due: readonly Delivery[]): Promise<Map<string, Subscription>> {
    const ids = [...new Set(due.flatMap((d) => (d.subscriptionId ? [d.subscriptionId] : [])))];
    const subs = await Promise.all(ids.map((id) => this.deps.store.getSubscription(id)));
    return new Map(subs.flatMap((s) => (s ? [[s.id, s] as const] : [])));
  }

  private attempt(d: Delivery, sub: Subscription | undefined, counts: DeliveryRunCounts) {
    const host = hostOf(d);
    let hostLimit = this.hostLimits.get(host);
    if (!hostLimit) this.hostLimits.set(host, (hostLimit = pLimit(this.deps.perHost)));
    return this.limit(() =>
      hostLimit(async (): Promise<DeliveryUpdate | undefined> => {
        if (this.stopped) return undefined;
        const started = this.deps.clock.now();
        const t0 = performance.now();
        let result: Outcome;
        try {
          result = await this.send(d, sub);
        } catch (err) {
          result = { outcome: 'retry', error: (err as Error).message };
        }
        // Aborted by shutdown: not recorded, so the next start sends it again.
        if (this.stopped && result.outcome === 'retry') return undefined;
        counts.attempted += 1;
        const update = this.toUpdate(d, result, started, Math.round(performance.now() - t0));
        const level = result.outcome === 'delivered' || result.outcome === 'skipped' ? 'debug' : 'warn';
        this.deps.logger[level](
          {
            deliveryId: d.id,
            channel: d.channel,
            outcome: result.outcome,
            httpStatus: result.httpStatus,
            error: result.error,
          },
          'delivery attempt',
        );
        if (result.outcome === 'delivered' || result.outcome === 'skipped') counts.delivered += 1;
        else if (result.outcome === 'retry' && update.change(d).status === 'pending') counts.retrying += 1;
        else counts.failed += 1;
        return update;
      }),
    );
  }

  private toUpdate(d: Delivery, r: Outcome, at: Date, ms: number): DeliveryUpdate {
    const iso = at.toISOString();
    const attempts = d.attempts + 1;
    const entry: DeliveryAttempt = { at: iso, outcome: r.outcome, httpStatus: r.httpStatus, error: r.error, ms };
    const log = [...d.log, entry].slice(-LOG_KEEP);
    let next: Delivery;
    if (r.outcome === 'delivered' || r.outcome === 'skipped') {
      next = { ...d, status: 'delivered', attempts, log, updatedAt: iso, deliveredAt: iso };
    } else if (r.outcome === 'retry') {
      const delay = nextRetryDelay(attempts, r.retryAfterMs, this.deps.random);
      next =
        delay === undefined
          ? { ...d, status: 'failed', attempts, log, updatedAt: iso }
          : { ...d, attempts, log, updatedAt: iso, nextAttemptAt: new Date(at.getTime() + delay).toISOString() };
    } else {
      next = { ...d, status: 'failed', attempts, log, updatedAt: iso };
    }
    return {
      id: d.id,
      change: () => next,
      disableSubscription:
        r.outcome === 'gone' ? { reason: `receiver answered 410 Gone at ${iso}`, at: iso } : undefined,
    };
  }

  private async send(d: Delivery, sub: Subscription | undefined): Promise<Outcome> {
    const signal = this.abort.signal;
    switch (d.channel) {
      case 'webhook':
        if (!sub || sub.channel !== 'webhook' || sub.status !== 'active')
          return { outcome: 'failed', error: 'subscription no longer active' };
        return this.sendWebhook(d, sub.secret, sub.url, signal);
      case 'email': {
        if (!sub || sub.channel !== 'email') return { outcome: 'failed', error: 'subscription no longer exists' };
        const confirming = d.content.type === 'subscription.confirm';
        if (confirming ? sub.status !== 'pending' : sub.status !== 'active')
          return { outcome: 'skipped', error: `subscription is ${sub.status}` };
        const mail = confirming
          ? confirmationMail(this.deps.links, sub)
          : notificationMail(this.deps.links, sub, d.content);
        try {
          await this.deps.mailer.send(mail);
          return { outcome: 'delivered' };
        } catch (err) {
          if (err instanceof MailError && err.permanent) return { outcome: 'failed', error: err.message };
          return { outcome: 'retry', error: (err as Error).message };
        }
      }
      case 'websub':
        if (d.content.type !== 'websub.publish') return { outcome: 'failed', error: 'not a WebSub ping' };
        return this.pingHub(d.target, d.content.eventId, signal);
      case 'webmention': {
        if (!this.deps.webmentions) return { outcome: 'skipped', error: 'TALKREEL_SEND_WEBMENTIONS is off' };
        if (d.content.type !== 'webmention') return { outcome: 'failed', error: 'not a Webmention' };
        const source = talkPageUrl(this.deps.links, d.content.talk.id);
        const r = await this.deps.sendWebmention(source, d.target, { signal, timeoutMs: this.deps.timeoutMs });
        switch (r.outcome) {
          case 'sent':
            return { outcome: 'delivered', httpStatus: r.httpStatus };
          case 'no-endpoint':
            return { outcome: 'skipped', error: 'the post advertises no Webmention endpoint' };
          case 'retry':
            return {
              outcome: 'retry',
              httpStatus: r.httpStatus,
              error: r.error,
              retryAfterMs: parseRetryAfter(r.retryAfter, this.deps.clock.now()),
            };
          case 'failed':
            return { outcome: 'failed', httpStatus: r.httpStatus, error: r.error };
        }
      }
    }
  }

  private async sendWebhook(d: Delivery, secret: string, url: string, signal: AbortSignal): Promise<Outcome> {
    const body = JSON.stringify(webhookPayload(this.deps.links, d.content));
    // Wall-clock time, not the injected clock: receivers compare it with their own clock to refuse
    // replays (Standard Webhooks allows five minutes), so it must be when the request really left.
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await this.deps.http.post({
        url,
        body,
        contentType: 'application/json',
        headers: signWebhook(secret, d.id, timestamp, body),
        timeoutMs: this.deps.timeoutMs,
        signal,
      });
      const s = res.httpStatus;
      if (s >= 200 && s < 300) return { outcome: 'delivered', httpStatus: s };
      if (s === 410) return { outcome: 'gone', httpStatus: s, error: 'receiver answered 410 Gone' };
      if (s >= 300 && s < 400)
        return { outcome: 'failed', httpStatus: s, error: `redirect to ${res.location ?? '?'} is not followed` };
      if (s === 408 || s === 429 || s >= 500)
        return {
          outcome: 'retry',
          httpStatus: s,
          error: `HTTP ${s}`,
          retryAfterMs: parseRetryAfter(res.retryAfter, this.deps.clock.now()),
        };
      return { outcome: 'failed', httpStatus: s, error: `HTTP ${s}` };
    } catch (err) {
      if (err instanceof FetchError && (err.kind === 'blocked' || err.kind === 'invalid-url'))
        return { outcome: 'failed', error: err.message };
      return { outcome: 'retry', error: (err as Error).message };
    }
  }

  /**
   * WebSub publish pings (`hub.mode=publish`, one POST per topic): the unfiltered recording feeds
   * and the feeds of the event whose talk was published. Delivered when the hub took them all.
   */
  private async pingHub(hub: string, eventId: string, signal: AbortSignal): Promise<Outcome> {
    const base = this.deps.links.publicUrl;
    const topics = FEED_FORMATS.flatMap((format) => [
      feedUrl(base, format),
      feedUrl(base, format, { kind: 'event', key: eventId, label: eventId }),
    ]);
    for (const topic of topics) {
      try {
        const res = await this.deps.http.post({
          url: hub,
          body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString(),
          contentType: 'application/x-www-form-urlencoded',
          timeoutMs: this.deps.timeoutMs,
          signal,
        });
        const s = res.httpStatus;
        if (s >= 200 && s < 300) continue;
        const retry = s === 408 || s === 429 || s >= 500;
        return {
          outcome: retry ? 'retry' : 'failed',
          httpStatus: s,
          error: `hub answered HTTP ${s} for ${topic}`,
          retryAfterMs: retry ? parseRetryAfter(res.retryAfter, this.deps.clock.now()) : undefined,
        };
      } catch (err) {
        if (err instanceof FetchError && (err.kind === 'blocked' || err.kind === 'invalid-url'))
          return { outcome: 'failed', error: err.message };
        return { outcome: 'retry', error: (err as Error).message };
      }
    }
    return { outcome: 'delivered' };
  }

  /** When a retry falls due before the next cron tick, wake for it. */
  private async armRetryTimer(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const soon = this.deps.clock.now().getTime() + 60_000;
    const pending = await this.deps.store.dueDeliveries(new Date(soon).toISOString(), 1);
    const first = pending[0];
    if (!first) return;
    const wait = Math.max(0, Date.parse(first.nextAttemptAt) - this.deps.clock.now().getTime());
    this.retryTimer = setTimeout(() => this.wake(), wait + 50);
    this.retryTimer.unref();
  }
}

function hostOf(d: Delivery): string {
  if (d.channel === 'email') return `mail:${d.target.split('@')[1] ?? ''}`;
  try {
    return new URL(d.target).host;
  } catch {
    return d.target;
  }
}
