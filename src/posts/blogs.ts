import pLimit from 'p-limit';
import { isValidCron, nextCronRun } from '../recordings/next-run.ts';
import type { BlogStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { claimAll, claimRequest, DEFAULT_LEASES, LeaseKeeper, type LeaseSettings } from '../platform/lease.ts';
import { randomId } from '../catalogue/ids.ts';
import { emptyHealth, type FeedHealth } from '../recordings/types.ts';
import { parseRecordingFeed } from '../recordings/feed.ts';
import { SourceParseError } from '../recordings/source.ts';
import { backoffDelayMs } from '../recordings/backoff.ts';
import type { Blog } from './types.ts';
import { postIdOf, type PostService } from './service.ts';

export type BlogCrawlerDeps = {
  readonly store: BlogStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly http: HttpClient;
  readonly posts: PostService;
  readonly defaultCron: string;
  /** This instance's leases on claimed blogs. @default {@link DEFAULT_LEASES} */
  readonly leases?: LeaseSettings;
};

const MAX_FEED_ITEMS_PER_RUN = 20;
/** Blogs claimed per statement (a crawl claims page after page until all due are taken). */
const CLAIM_LIMIT = 1000;

type CrawlResult = { blogId: string; status: string; items: number; ingested: number; error?: string };

/** Blogs whose feeds are crawled for recap posts: registration, crawls with health and backoff. */
export class BlogCrawler {
  private readonly crawlLimit = pLimit(4);
  private crawling: Promise<unknown> = Promise.resolve();
  private crawlRunning = false;
  private readonly liveHealth = new Map<string, Partial<FeedHealth>>();
  /** Aborted by `stop()` so crawls end their fetches on shutdown. */
  private readonly shutdown = new AbortController();
  private readonly leases: LeaseSettings;
  private readonly keeper: LeaseKeeper;

  constructor(private readonly deps: BlogCrawlerDeps) {
    this.leases = deps.leases ?? DEFAULT_LEASES;
    this.keeper = new LeaseKeeper('blogs', deps.store, this.leases, deps.clock, deps.logger);
  }

  async addBlog(input: { feedUrl: string; schedule?: string | undefined }): Promise<Blog> {
    this.deps.posts.checkUrl(input.feedUrl);
    const schedule = input.schedule?.trim() || this.deps.defaultCron;
    if (!isValidCron(schedule))
      throw new DomainError('VALIDATION_FAILED', `invalid cron expression "${schedule}"`, { field: 'schedule' });
    const candidate: Blog = {
      id: randomId('blog'),
      feedUrl: input.feedUrl,
      schedule,
      cache: {},
      health: emptyHealth(),
      createdAt: this.deps.clock.now().toISOString(),
    };
    const { blog, created } = await this.deps.store.addBlog(candidate);
    if (!created)
      throw new DomainError('CONFLICT', `blog feed ${input.feedUrl} is already registered`, { id: blog.id });
    return blog;
  }

  async listBlogs(): Promise<readonly Blog[]> {
    return [...(await this.deps.store.listBlogs())]
      .map((b) => ({ ...b, health: { ...b.health, ...this.liveHealth.get(b.id) } }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async deleteBlog(id: string): Promise<void> {
    if (!(await this.deps.store.deleteBlog(id))) throw notFound('BLOG_NOT_FOUND', 'blog', id);
  }

  /**
   * Crawl blog feeds once (conditional GET, backoff on failure, health), ingesting new and changed
   * posts. Only blogs claimed in the store are crawled (with several instances on PostgreSQL, each
   * due blog by one of them); the lease is released with the next due time (next tick of the
   * blog's schedule). Runs of one instance never overlap: a cron tick during a run is skipped,
   * other callers wait.
   */
  crawl(
    opts: { due?: boolean; schedule?: string; skipIfRunning?: boolean } = {},
  ): Promise<{ status: 'ok'; blogs: CrawlResult[] } | { status: 'skipped'; reason: string }> {
    if (opts.skipIfRunning && this.crawlRunning)
      return Promise.resolve({ status: 'skipped', reason: 'the previous crawl is still going' });
    const next = this.crawling.then(() => this.crawlNow(opts));
    this.crawling = next.catch((err: unknown) => this.deps.logger.error({ err }, 'crawl failed'));
    return next;
  }

  private async crawlNow(opts: { due?: boolean; schedule?: string }) {
    this.crawlRunning = true;
    let blogs: Blog[] = [];
    const crawled = new Set<string>();
    const claimedAt = this.deps.clock.now();
    try {
      const req = claimRequest(this.leases, this.deps.clock, CLAIM_LIMIT);
      let busy: CrawlResult[] = [];
      if (opts.due) blogs = await claimAll(req, (r) => this.deps.store.claimDueBlogs(r, opts.schedule));
      else {
        const ids = (await this.deps.store.listBlogs())
          .filter((b) => !opts.schedule || b.schedule === opts.schedule)
          .map((b) => b.id);
        const named = await this.deps.store.claimBlogs(ids, { ...req, limit: Math.max(ids.length, 1) });
        blogs = named.claimed;
        busy = named.busy.map((blogId) => ({
          blogId,
          status: 'skipped',
          items: 0,
          ingested: 0,
          error: 'another instance is crawling this blog',
        }));
      }
      this.keeper.hold(blogs.map((b) => b.id));
      const results = await Promise.all(
        blogs.map((b) =>
          this.crawlLimit(async () => {
            const r = await this.crawlBlog(b);
            if (r.status !== 'skipped') crawled.add(b.id);
            return r;
          }),
        ),
      );
      return { status: 'ok' as const, blogs: [...busy, ...results] };
    } finally {
      await this.release(blogs, crawled, claimedAt);
      this.crawlRunning = false;
    }
  }

  /** End the leases: crawled blogs are due at their next tick, or after their backoff if later. */
  private async release(blogs: readonly Blog[], crawled: ReadonlySet<string>, claimedAt: Date): Promise<void> {
    if (blogs.length === 0) return;
    const ids = blogs.map((b) => b.id);
    this.keeper.drop(ids);
    const releases = await Promise.all(
      blogs.map(async (b) => {
        if (!crawled.has(b.id)) return { id: b.id };
        const tick = nextCronRun(b.schedule, claimedAt)?.getTime() ?? 0;
        const stored = await this.deps.store.getBlog(b.id).catch(() => undefined);
        const backoff = Date.parse(stored?.health.nextPollAt ?? '') || 0;
        const due = Math.max(tick, backoff);
        return { id: b.id, dueAt: due > 0 ? new Date(due).toISOString() : undefined };
      }),
    );
    await this.deps.store
      .releaseLeases('blogs', this.leases.owner, releases)
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'releasing blog leases failed; they expire'));
  }

  private async crawlBlog(blog: Blog): Promise<CrawlResult> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    try {
      const res = await this.deps.http.get({
        url: blog.feedUrl,
        accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5',
        etag: blog.cache.etag,
        lastModified: blog.cache.lastModified,
        signal: this.shutdown.signal,
      });
      if (res.status === 'not-modified') {
        this.liveHealth.set(blog.id, { lastPollAt: nowIso, lastSuccessAt: nowIso, nextPollAt: undefined });
        if (blog.health.consecutiveFailures > 0)
          await this.deps.store.updateBlog(blog.id, (b) => ({
            ...b,
            health: { ...b.health, consecutiveFailures: 0, lastError: undefined },
          }));
        return { blogId: blog.id, status: 'not-modified', items: 0, ingested: 0 };
      }
      const items = parseRecordingFeed(res.body, res.contentType);
      let ingested = 0;
      for (const item of items.slice(0, MAX_FEED_ITEMS_PER_RUN)) {
        const existing = await this.deps.store.getPost(postIdOf(item.url));
        // New posts and posts whose feed entry changed are fetched; the rest cost nothing.
        const stamp = item.updatedAt ?? item.publishedAt;
        if (existing && stamp && existing.updatedAt >= stamp) continue;
        try {
          const r = await this.deps.posts.submitUrl(item.url, 'feed', {
            signal: this.shutdown.signal,
            blogId: blog.id,
            ...(item.publishedAt ? { publishedAt: item.publishedAt } : {}),
          });
          if (r.status !== 'unchanged') ingested += 1;
        } catch (err) {
          // A page that cannot be fetched falls back to the feed's own text.
          if (item.description && item.description.length > 200) {
            const r = await this.deps.posts.submit(
              { url: item.url, title: item.title, text: [item.description, ...(item.links ?? [])].join('\n') },
              'feed',
              { blogId: blog.id },
            );
            if (r.status !== 'unchanged') ingested += 1;
          } else {
            this.deps.logger.warn({ blogId: blog.id, url: item.url, err: (err as Error).message }, 'post fetch failed');
          }
        }
      }
      const health: FeedHealth = {
        ...blog.health,
        consecutiveFailures: 0,
        lastError: undefined,
        itemsSeen: items.length,
        itemsMatched: blog.health.itemsMatched + ingested,
        lastPollAt: nowIso,
        lastSuccessAt: nowIso,
        nextPollAt: undefined,
      };
      this.liveHealth.delete(blog.id);
      await this.deps.store.updateBlog(blog.id, (b) => ({
        ...b,
        cache: { etag: res.etag, lastModified: res.lastModified },
        health: { ...health, itemsMatched: b.health.itemsMatched + ingested },
      }));
      return { blogId: blog.id, status: 'ok', items: items.length, ingested };
    } catch (err) {
      if (this.shutdown.signal.aborted)
        return { blogId: blog.id, status: 'skipped', items: 0, ingested: 0, error: 'aborted by shutdown' };
      const message =
        err instanceof FetchError || err instanceof SourceParseError || err instanceof DomainError
          ? err.message
          : `unexpected: ${(err as Error).message}`;
      const failures = blog.health.consecutiveFailures + 1;
      const health: FeedHealth = {
        ...blog.health,
        lastPollAt: nowIso,
        lastError: { at: nowIso, message },
        consecutiveFailures: failures,
        nextPollAt: new Date(now.getTime() + backoffDelayMs(failures)).toISOString(),
      };
      this.liveHealth.delete(blog.id);
      await this.deps.store.updateBlog(blog.id, (b) => ({
        ...b,
        health,
      }));
      this.deps.logger.warn({ blogId: blog.id, failures, error: message }, 'blog crawl failed');
      return { blogId: blog.id, status: 'failed', items: 0, ingested: 0, error: message };
    }
  }

  /** Shutdown: abort in-flight fetches, then wait for the running crawl to record what it has. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }

  /** Wait for the running crawl (tests, shutdown). */
  async idle(): Promise<void> {
    await this.crawling;
  }
}
