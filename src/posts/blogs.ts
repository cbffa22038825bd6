import pLimit from 'p-limit';
import { isValidCron } from '../recordings/next-run.ts';
import type { BlogStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import { DomainError, notFound } from '../platform/errors.ts';
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
};

const MAX_FEED_ITEMS_PER_RUN = 20;

/** Blogs whose feeds are crawled for recap posts: registration, crawls with health and backoff. */
export class BlogCrawler {
  private readonly crawlLimit = pLimit(4);
  private crawling: Promise<unknown> = Promise.resolve();
  private crawlRunning = false;
  private readonly liveHealth = new Map<string, Partial<FeedHealth>>();
  /** Aborted by `stop()` so crawls end their fetches on shutdown. */
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: BlogCrawlerDeps) {}

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
   * posts. Runs never overlap: a cron tick during a run is skipped, other callers wait.
   */
  crawl(
    opts: { due?: boolean; schedule?: string; skipIfRunning?: boolean } = {},
  ): Promise<
    | { status: 'ok'; blogs: { blogId: string; status: string; items: number; ingested: number; error?: string }[] }
    | { status: 'skipped'; reason: string }
  > {
    if (opts.skipIfRunning && this.crawlRunning)
      return Promise.resolve({ status: 'skipped', reason: 'the previous crawl is still going' });
    const next = this.crawling.then(() => this.crawlNow(opts));
    this.crawling = next.catch((err: unknown) => this.deps.logger.error({ err }, 'crawl failed'));
    return next;
  }

  private async crawlNow(opts: { due?: boolean; schedule?: string }) {
    this.crawlRunning = true;
    try {
      const now = this.deps.clock.now();
      const blogs = (await this.deps.store.listBlogs()).filter((b) => {
        if (opts.schedule && b.schedule !== opts.schedule) return false;
        const nextAt = { ...b.health, ...this.liveHealth.get(b.id) }.nextPollAt;
        return !opts.due || !nextAt || Date.parse(nextAt) <= now.getTime();
      });
      const results = await Promise.all(blogs.map((b) => this.crawlLimit(() => this.crawlBlog(b))));
      return { status: 'ok' as const, blogs: results };
    } finally {
      this.crawlRunning = false;
    }
  }

  private async crawlBlog(
    blog: Blog,
  ): Promise<{ blogId: string; status: string; items: number; ingested: number; error?: string }> {
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
