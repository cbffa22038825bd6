import { createHash } from 'node:crypto';
import type { WebmentionStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { FetchError } from '../platform/http-client.ts';
import { FairQueue } from '../platform/fair-queue.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { claimRequest, DEFAULT_LEASES, LeaseKeeper, type LeaseSettings } from '../platform/lease.ts';
import { safeDecode } from '../catalogue/ids.ts';
import type { MentionIndex } from '../mentions/mention-index.ts';
import { extractHtml, extractText } from '../text/extract.ts';
import { canonicalUrl, parseHttpUrl } from '../text/urls.ts';
import { hrefsOf } from '../text/html-text.ts';
import type { Post, Webmention } from '../posts/types.ts';
import type { PostService, SubmitResult } from '../posts/service.ts';

export type WebmentionServiceDeps = {
  readonly store: WebmentionStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly posts: PostService;
  readonly index: MentionIndex;
  readonly publicUrl: string;
  /** This instance's leases on claimed verifications. @default {@link DEFAULT_LEASES} */
  readonly leases?: LeaseSettings;
};

/** Webmentions queued for verification before new ones are refused with 429, overall and per source host. */
const MAX_PENDING_VERIFICATIONS = 500;
const MAX_PENDING_PER_HOST = 20;

/**
 * W3C Webmention receiver: intake, asynchronous verification, and the post each mention made.
 *
 * The queue is the store's pending Webmentions: an instance claims them (`claimPendingWebmentions`)
 * into its local fair queue, keeps their leases while they wait and run, and releases each once
 * its outcome is saved. With several instances on one PostgreSQL each is verified by one of them;
 * one that dies leaves its claims to expire, and the periodic `resumePending` of another takes
 * them. The intake bounds (per source host, overall) count this instance's local queue.
 */
export class WebmentionService {
  /** Two verifications at a time, taken from each source host in turn: one flooding host cannot starve the others. */
  private readonly queue = new FairQueue(2, MAX_PENDING_PER_HOST, MAX_PENDING_VERIFICATIONS);
  private readonly inflight = new Set<Promise<unknown>>();
  /** Aborted by `stop()` so verifications end their fetches on shutdown. */
  private readonly shutdown = new AbortController();
  private readonly leases: LeaseSettings;
  private readonly keeper: LeaseKeeper;

  constructor(private readonly deps: WebmentionServiceDeps) {
    this.leases = deps.leases ?? DEFAULT_LEASES;
    this.keeper = new LeaseKeeper('webmentions', deps.store, this.leases, deps.clock, deps.logger);
  }

  /**
   * Accept a Webmention (W3C): validate synchronously, record it as pending, verify asynchronously.
   * The same source+target again is an update of the same record.
   */
  async receive(source: string, target: string): Promise<Webmention> {
    const bad = (message: string, field: string) => new DomainError('VALIDATION_FAILED', message, { field });
    const src = parseHttpUrl(source);
    const tgt = parseHttpUrl(target);
    if (!src) throw bad('source must be an http(s) URL', 'source');
    if (!tgt) throw bad('target must be an http(s) URL', 'target');
    if (canonicalUrl(source) === canonicalUrl(target)) throw bad('source and target are the same URL', 'source');
    if (!this.targetOf(target)) throw bad('target is not a Talkreel talk or event page', 'target');
    this.deps.posts.checkUrl(source);
    // The endpoint is public: bound the verification backlog, per sending host and overall.
    const host = src.host.toLowerCase();
    if (this.queue.isFull(host)) {
      throw new DomainError('RATE_LIMITED', 'too many Webmentions from this source host are waiting for verification', {
        pendingFromHost: this.queue.sizeOf(host),
        pending: this.queue.size,
        retryAfterSeconds: 60,
      });
    }
    const id = `wm_${createHash('sha256').update(`${source}\n${target}`).digest('hex').slice(0, 20)}`;
    const receivedAt = this.deps.clock.now().toISOString();
    const wm = (await this.deps.store.saveWebmention(id, async (existing) => ({
      webmention: { id, source, target, status: 'pending', postId: existing?.postId, receivedAt },
    })))!;
    // Stays pending if the claim fails: the periodic `resumePending` of some instance takes it.
    await this.track(this.drain()).catch((err: unknown) =>
      this.deps.logger.warn({ err, webmentionId: id }, 'claiming webmentions for verification failed'),
    );
    return wm;
  }

  async get(id: string): Promise<Webmention> {
    const wm = await this.deps.store.getWebmention(id);
    if (!wm) throw notFound('NOT_FOUND', 'webmention', id);
    return wm;
  }

  /**
   * Delete rejected and removed Webmention records older than `retentionDays` (accepted ones
   * stay: they back a post's link). The store would otherwise keep every spam attempt forever.
   */
  async expire(retentionDays: number): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - retentionDays * 86_400_000).toISOString();
    const n = await this.deps.store.expireWebmentions(['rejected', 'removed'], before);
    if (n > 0) this.deps.logger.info({ expired: n, retentionDays }, 'expired old webmention records');
    return n;
  }

  /**
   * Claim pending Webmentions nobody verifies (left by a restart, by an instance that died, or
   * received by one whose queue was full) into the local queue. Answers how many were queued.
   */
  resumePending(): Promise<number> {
    return this.track(this.drain());
  }

  /** Shutdown: abort in-flight fetches, then wait for what is running to record its outcome. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }

  /** Wait for queued verifications (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Claim as many pending Webmentions as the local queue takes; release those it refuses. */
  private async drain(): Promise<number> {
    if (this.shutdown.signal.aborted) return 0;
    const room = MAX_PENDING_VERIFICATIONS - this.queue.size;
    if (room <= 0) return 0;
    const claimed = await this.deps.store.claimPendingWebmentions(claimRequest(this.leases, this.deps.clock, room));
    const refused = claimed.filter((w) => !this.scheduleVerify(w.id, w.source)).map((w) => ({ id: w.id }));
    if (refused.length > 0) await this.deps.store.releaseLeases('webmentions', this.leases.owner, refused);
    return claimed.length - refused.length;
  }

  /** Remember work in progress, so `idle` and `stop` wait for it. */
  private track<T>(work: Promise<T>): Promise<T> {
    const p = work.catch(() => undefined);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return work;
  }

  /** Queue a claimed Webmention's verification; false when the local queue is full for its host. */
  private scheduleVerify(id: string, source: string): boolean {
    let host = 'unknown';
    try {
      host = new URL(source).host.toLowerCase();
    } catch {
      // keep 'unknown'
    }
    let task: Promise<void>;
    try {
      task = this.queue.add(host, () => this.verify(id));
    } catch {
      return false;
    }
    this.keeper.hold([id]);
    const done = task
      .catch((err: unknown) => this.deps.logger.error({ err, webmentionId: id }, 'webmention verification crashed'))
      .finally(async () => {
        this.keeper.drop([id]);
        await this.deps.store
          .releaseLeases('webmentions', this.leases.owner, [{ id }])
          .catch((err: unknown) => this.deps.logger.warn({ err, webmentionId: id }, 'releasing a lease failed'));
        // A newer request for the same source and target came in meanwhile: it is pending again.
        if (!this.shutdown.signal.aborted)
          await this.drain().catch((err: unknown) => this.deps.logger.warn({ err }, 'claiming webmentions failed'));
      });
    void this.track(done);
    return true;
  }

  /** Fetch the source, check it links to the target (exact href), then ingest, update or remove. */
  private async verify(id: string): Promise<void> {
    const wm = await this.deps.store.getWebmention(id);
    if (!wm || wm.status !== 'pending') return;
    const target = this.targetOf(wm.target);
    const now = this.deps.clock.now().toISOString();
    const finish = async (
      status: Webmention['status'],
      reason: string | undefined,
      postId: string | undefined,
      extra: { deletePost?: boolean; post?: Post } = {},
    ) => {
      await this.deps.store.saveWebmention(id, async (current) => {
        if (!current || current.receivedAt !== wm.receivedAt) return undefined; // superseded by a newer request
        return {
          webmention: { ...current, status, reason, postId, verifiedAt: now },
          post: extra.deletePost ? null : extra.post,
        };
      });
    };
    let page: { html?: string; text?: string; title?: string };
    try {
      page = await this.deps.posts.fetchPage(wm.source, this.shutdown.signal);
    } catch (err) {
      if (this.shutdown.signal.aborted) return; // stays pending; resumePending picks it up at the next start
      if (err instanceof FetchError && err.kind === 'gone') return this.unlink(wm, 'source answered 410 Gone', finish);
      return finish(
        wm.postId ? 'accepted' : 'rejected',
        `source could not be fetched: ${(err as Error).message}`,
        wm.postId,
      );
    }
    const doc = page.html !== undefined ? extractHtml(page.html, wm.source) : extractText(page.text ?? '');
    const linksToTarget =
      page.html !== undefined
        ? rawHrefs(page.html, wm.source).has(wm.target)
        : doc.links.some((l) => l.href === wm.target);
    if (!linksToTarget) return this.unlink(wm, 'source does not link to target', finish);
    let result: SubmitResult;
    try {
      result = await this.deps.posts.submit(
        { url: wm.source, ...page, eventId: target?.eventId },
        'webmention',
        target?.talkId ? { requireTalk: target.talkId } : {},
      );
    } catch (err) {
      // Too large, unreadable…: a final answer, never a record left pending forever.
      return finish('rejected', err instanceof Error ? err.message : String(err), wm.postId);
    }
    await finish('accepted', undefined, result.post.id);
  }

  /**
   * The source no longer links to the target (or is gone): drop the link this Webmention made.
   * The post itself goes only when no other accepted Webmention still relies on it.
   */
  private async unlink(
    wm: Webmention,
    reason: string,
    finish: (
      s: Webmention['status'],
      r: string | undefined,
      p: string | undefined,
      e?: { deletePost?: boolean; post?: Post },
    ) => Promise<void>,
  ): Promise<void> {
    if (!wm.postId) return finish('rejected', reason, undefined);
    const post = await this.deps.store.getPost(wm.postId);
    if (!post) return finish('removed', reason, undefined);
    const others = (await this.deps.store.webmentionsOfPost(post.id)).filter(
      (w) => w.id !== wm.id && w.status === 'accepted',
    );
    if (post.origin === 'webmention' && others.length === 0)
      return finish('removed', reason, undefined, { deletePost: true });
    const target = this.targetOf(wm.target);
    if (target?.talkId) {
      const mentions = post.mentions.filter(
        (m) => !(m.talkId === target.talkId && m.evidence.includes('link') && m.start < 0),
      );
      return finish('removed', reason, undefined, { post: { ...post, mentions } });
    }
    return finish('removed', reason, undefined);
  }

  /** Which talk or event page a target URL names, if any. */
  private targetOf(target: string): { talkId?: string; eventId?: string } | undefined {
    const talkId = this.deps.index.talkOfOwnUrl(target);
    if (talkId) return { talkId, eventId: this.deps.index.talks.get(talkId)?.eventId };
    const base = `${canonicalUrl(this.deps.publicUrl)}/e/`;
    const c = canonicalUrl(target);
    if (c.startsWith(base)) {
      const eventId = safeDecode(c.slice(base.length).split(/[/?#]/)[0] ?? '') ?? '';
      if (this.deps.index.events.has(eventId)) return { eventId };
    }
    return undefined;
  }
}

/** Every `<a href>`/`<link href>` in the page, as written and resolved against the page URL. */
function rawHrefs(html: string, base: string): Set<string> {
  const out = new Set<string>();
  for (const raw of hrefsOf(html)) {
    out.add(raw);
    try {
      out.add(new URL(raw, base).toString());
    } catch {
      // not a URL
    }
  }
  return out;
}
