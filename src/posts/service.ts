import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { validate as validateCron } from 'node-cron';
import type { Store } from '../store/store.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import type { Blog, Mention, Post, PostOrigin, Webmention } from './types.ts';
import { emptyHealth, type FeedHealth } from '../recordings/types.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { randomId, safeDecode } from '../catalogue/ids.ts';
import { addToSetMap } from '../platform/set-map.ts';
import type { MentionIndex } from '../mentions/mention-index.ts';
import { detectMentions } from '../mentions/detect.ts';
import { extractHtml, extractText, type PostDocument } from '../text/extract.ts';
import { canonicalUrl, parseHttpUrl } from '../text/urls.ts';
import { hrefsOf } from '../text/html-text.ts';
import { parseRecordingFeed } from '../recordings/feed.ts';
import { SourceParseError } from '../recordings/source.ts';
import { backoffDelayMs } from '../recordings/backoff.ts';

export type PostServiceDeps = {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly http: HttpClient;
  readonly index: MentionIndex;
  readonly publicUrl: string;
  /** Largest post accepted, characters of HTML/text. @default 1 MiB */
  readonly maxPostChars: number;
  readonly defaultCron: string;
};

export type PostInput = {
  readonly url?: string | undefined;
  readonly title?: string | undefined;
  readonly html?: string | undefined;
  readonly text?: string | undefined;
  readonly eventId?: string | undefined;
};

export type SubmitResult = {
  readonly post: Post;
  readonly status: 'created' | 'updated' | 'unchanged';
  readonly added: readonly string[];
  readonly removed: readonly string[];
};

/** Stored post text is capped: enough to recompute mentions, never a whole site. */
const STORED_TEXT_CHARS = 200_000;
const MAX_FEED_ITEMS_PER_RUN = 20;
/** Webmentions queued for verification before new ones are refused with 429. */
const MAX_PENDING_VERIFICATIONS = 500;

/** Recap posts: submission, fetching, blog crawling, Webmention intake, and their mentions. */
export class PostService {
  private readonly verifyLimit = pLimit(2);
  private readonly crawlLimit = pLimit(4);
  private readonly inflight = new Set<Promise<unknown>>();
  private crawling: Promise<unknown> = Promise.resolve();
  private crawlRunning = false;
  private readonly liveHealth = new Map<string, Partial<FeedHealth>>();
  /** Aborted by `stop()` so crawls and verifications end their fetches on shutdown. */
  private readonly shutdown = new AbortController();

  /** Talk id → ids of the posts mentioning it; built on first use, then kept in step with commits. */
  private byTalk: Map<string, Set<string>> | undefined;

  constructor(private readonly deps: PostServiceDeps) {
    deps.store.onCommit(({ changes, previous }) => {
      const byTalk = this.byTalk;
      if (!byTalk) return;
      for (const old of previous.posts ?? []) for (const m of old.mentions) byTalk.get(m.talkId)?.delete(old.id);
      for (const post of changes.put?.posts ?? [])
        for (const m of post.mentions) addToSetMap(byTalk, m.talkId, post.id);
    });
  }

  // ---- detection ----------------------------------------------------------------------------

  /** Dry run: the mentions of a document, nothing stored. */
  async detect(input: PostInput): Promise<readonly Mention[]> {
    if (input.eventId && !(await this.deps.store.get('events', input.eventId)))
      throw notFound('EVENT_NOT_FOUND', 'event', input.eventId);
    return detectMentions(this.document(input), this.deps.index, { eventId: input.eventId });
  }

  /** Reduce HTML or text to a post document, refusing oversized input with 413. */
  document(input: PostInput): PostDocument {
    const body = input.html ?? input.text;
    if (body === undefined) throw new DomainError('VALIDATION_FAILED', 'give html or text', { field: 'html' });
    if (body.length > this.deps.maxPostChars) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `post is ${body.length} characters; the limit is ${this.deps.maxPostChars}`,
        { limit: this.deps.maxPostChars },
      );
    }
    const doc = input.html !== undefined ? extractHtml(input.html, input.url) : extractText(input.text ?? '');
    return { ...doc, title: input.title ?? doc.title };
  }

  // ---- posts --------------------------------------------------------------------------------

  /** Store a post as given (or as fetched). Re-submitting changed content updates its mentions; unchanged content writes nothing. */
  async submit(
    input: PostInput,
    origin: PostOrigin = 'submitted',
    extra: { blogId?: string; publishedAt?: string; requireTalk?: string } = {},
  ): Promise<SubmitResult> {
    if (input.url) this.checkUrl(input.url);
    if (input.eventId && !(await this.deps.store.get('events', input.eventId)))
      throw notFound('EVENT_NOT_FOUND', 'event', input.eventId);
    const doc = this.document(input);
    let mentions = detectMentions(doc, this.deps.index, { eventId: input.eventId });
    if (extra.requireTalk && !mentions.some((m) => m.talkId === extra.requireTalk)) {
      // A verified Webmention is a link to the talk page by definition.
      mentions = [
        ...mentions,
        { talkId: extra.requireTalk, confidence: 1, evidence: ['link'], snippet: input.url ?? '', start: -1, end: -1 },
      ];
    }
    const links = doc.links.map((l) => l.href);
    const text = doc.text.slice(0, STORED_TEXT_CHARS);
    const contentHash = createHash('sha256')
      .update(JSON.stringify([doc.title ?? '', text, links, input.eventId ?? '']))
      .digest('hex');
    const id = input.url ? postIdOf(input.url) : `post_${contentHash.slice(0, 16)}`;
    const existing = await this.deps.store.get('posts', id);
    const before = new Set(existing?.mentions.map((m) => m.talkId) ?? []);
    const after = new Set(mentions.map((m) => m.talkId));
    if (
      existing &&
      existing.contentHash === contentHash &&
      JSON.stringify(existing.mentions) === JSON.stringify(mentions)
    ) {
      return { post: existing, status: 'unchanged', added: [], removed: [] };
    }
    const now = this.deps.clock.now().toISOString();
    const post: Post = {
      id,
      url: input.url,
      title: doc.title,
      text,
      links,
      contentHash,
      origin: existing?.origin ?? origin,
      blogId: extra.blogId ?? existing?.blogId,
      eventId: input.eventId ?? existing?.eventId,
      mentions,
      publishedAt: extra.publishedAt ?? existing?.publishedAt,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.deps.store.commit({ put: { posts: [post] } });
    return {
      post,
      status: existing ? 'updated' : 'created',
      added: [...after].filter((t) => !before.has(t)),
      removed: [...before].filter((t) => !after.has(t)),
    };
  }

  /** Fetch a page (size, time and address limits) and submit it. */
  async submitUrl(
    url: string,
    origin: PostOrigin = 'submitted',
    extra: { blogId?: string; publishedAt?: string; eventId?: string } = {},
  ): Promise<SubmitResult> {
    const page = await this.fetchPage(url);
    return this.submit({ url, ...page, eventId: extra.eventId }, origin, extra);
  }

  /**
   * Re-detect the mentions of every stored post against the current catalogue (talks imported after
   * a post arrived). Only posts whose mentions change are written, in one commit.
   */
  async rescanAll(): Promise<{ posts: number; changed: number }> {
    const posts = await this.deps.store.list('posts');
    const changed: Post[] = [];
    const now = this.deps.clock.now().toISOString();
    for (const post of posts) {
      const doc: PostDocument = {
        title: post.title,
        text: post.text,
        links: post.links.map((href) => ({ href, start: -1, end: -1 })),
      };
      const fresh = detectMentions(doc, this.deps.index, {
        eventId: post.eventId && this.deps.index.events.has(post.eventId) ? post.eventId : undefined,
      });
      // Links verified by a Webmention stay even if the text alone would not find them.
      const kept = post.mentions.filter(
        (m) => m.start < 0 && m.evidence.includes('link') && !fresh.some((f) => f.talkId === m.talkId),
      );
      const mentions = [...fresh, ...kept];
      if (JSON.stringify(mentions) !== JSON.stringify(post.mentions))
        changed.push({ ...post, mentions, updatedAt: now });
    }
    if (changed.length > 0) await this.deps.store.commit({ put: { posts: changed } });
    return { posts: posts.length, changed: changed.length };
  }

  async listPosts(): Promise<readonly Post[]> {
    return [...(await this.deps.store.list('posts'))].sort(
      (a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id),
    );
  }

  async getPost(id: string): Promise<Post> {
    const post = await this.deps.store.get('posts', id);
    if (!post) throw notFound('POST_NOT_FOUND', 'post', id);
    return post;
  }

  async deletePost(id: string): Promise<void> {
    await this.getPost(id);
    await this.deps.store.commit({ delete: { posts: [id] } });
  }

  /** Recaps that mention a talk, most confident first. */
  async postsForTalk(talkRef: string): Promise<{ post: Post; mention: Mention }[]> {
    const talk = await this.deps.store.resolveTalk(talkRef);
    if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', talkRef);
    if (!this.byTalk) {
      const byTalk = new Map<string, Set<string>>();
      for (const post of await this.deps.store.list('posts'))
        for (const m of post.mentions) addToSetMap(byTalk, m.talkId, post.id);
      this.byTalk = byTalk;
    }
    const out: { post: Post; mention: Mention }[] = [];
    for (const id of this.byTalk.get(talk.id) ?? []) {
      const post = await this.deps.store.get('posts', id);
      const mention = post?.mentions.find((m) => m.talkId === talk.id);
      if (post && mention) out.push({ post, mention });
    }
    return out.sort((a, b) => b.mention.confidence - a.mention.confidence || a.post.id.localeCompare(b.post.id));
  }

  // ---- blogs --------------------------------------------------------------------------------

  async addBlog(input: { feedUrl: string; schedule?: string | undefined }): Promise<Blog> {
    this.checkUrl(input.feedUrl);
    const schedule = input.schedule?.trim() || this.deps.defaultCron;
    if (!validateCron(schedule))
      throw new DomainError('VALIDATION_FAILED', `invalid cron expression "${schedule}"`, { field: 'schedule' });
    const existing = (await this.deps.store.list('blogs')).find((b) => b.feedUrl === input.feedUrl);
    if (existing)
      throw new DomainError('CONFLICT', `blog feed ${input.feedUrl} is already registered`, { id: existing.id });
    const blog: Blog = {
      id: randomId('blog'),
      feedUrl: input.feedUrl,
      schedule,
      cache: {},
      health: emptyHealth(),
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.commit({ put: { blogs: [blog] } });
    return blog;
  }

  async listBlogs(): Promise<readonly Blog[]> {
    return [...(await this.deps.store.list('blogs'))]
      .map((b) => ({ ...b, health: { ...b.health, ...this.liveHealth.get(b.id) } }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async deleteBlog(id: string): Promise<void> {
    if (!(await this.deps.store.get('blogs', id))) throw notFound('BLOG_NOT_FOUND', 'blog', id);
    await this.deps.store.commit({ delete: { blogs: [id] } });
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
      const blogs = (await this.deps.store.list('blogs')).filter((b) => {
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
          await this.deps.store.commit({
            put: { blogs: [{ ...blog, health: { ...blog.health, consecutiveFailures: 0, lastError: undefined } }] },
          });
        return { blogId: blog.id, status: 'not-modified', items: 0, ingested: 0 };
      }
      const items = parseRecordingFeed(res.body, res.contentType);
      let ingested = 0;
      for (const item of items.slice(0, MAX_FEED_ITEMS_PER_RUN)) {
        const existing = await this.deps.store.get('posts', postIdOf(item.url));
        // New posts and posts whose feed entry changed are fetched; the rest cost nothing.
        const stamp = item.updatedAt ?? item.publishedAt;
        if (existing && stamp && existing.updatedAt >= stamp) continue;
        try {
          const r = await this.submitUrl(item.url, 'feed', {
            blogId: blog.id,
            ...(item.publishedAt ? { publishedAt: item.publishedAt } : {}),
          });
          if (r.status !== 'unchanged') ingested += 1;
        } catch (err) {
          // A page that cannot be fetched falls back to the feed's own text.
          if (item.description && item.description.length > 200) {
            const r = await this.submit(
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
      await this.commitBlog({ ...blog, cache: { etag: res.etag, lastModified: res.lastModified }, health });
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
      await this.commitBlog({ ...blog, health });
      this.deps.logger.warn({ blogId: blog.id, failures, error: message }, 'blog crawl failed');
      return { blogId: blog.id, status: 'failed', items: 0, ingested: 0, error: message };
    }
  }

  /** Write a blog's new state unless it was deleted meanwhile. */
  private async commitBlog(blog: Blog): Promise<void> {
    if (await this.deps.store.get('blogs', blog.id)) await this.deps.store.commit({ put: { blogs: [blog] } });
  }

  // ---- webmention ---------------------------------------------------------------------------

  /**
   * Accept a Webmention (W3C): validate synchronously, record it as pending, verify asynchronously.
   * The same source+target again is an update of the same record.
   */
  async receiveWebmention(source: string, target: string): Promise<Webmention> {
    const bad = (message: string, field: string) => new DomainError('VALIDATION_FAILED', message, { field });
    const src = parseHttpUrl(source);
    const tgt = parseHttpUrl(target);
    if (!src) throw bad('source must be an http(s) URL', 'source');
    if (!tgt) throw bad('target must be an http(s) URL', 'target');
    if (canonicalUrl(source) === canonicalUrl(target)) throw bad('source and target are the same URL', 'source');
    if (!this.targetOf(target)) throw bad('target is not a Talkreel talk or event page', 'target');
    this.checkUrl(source);
    // The endpoint is public: bound the verification backlog instead of queueing without end.
    if (this.verifyLimit.pendingCount >= MAX_PENDING_VERIFICATIONS) {
      throw new DomainError('RATE_LIMITED', 'too many Webmentions are waiting for verification; try again later', {
        pending: this.verifyLimit.pendingCount,
      });
    }
    const id = `wm_${createHash('sha256').update(`${source}\n${target}`).digest('hex').slice(0, 20)}`;
    const existing = await this.deps.store.get('webmentions', id);
    const wm: Webmention = {
      id,
      source,
      target,
      status: 'pending',
      postId: existing?.postId,
      receivedAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.commit({ put: { webmentions: [wm] } });
    this.scheduleVerify(id);
    return wm;
  }

  async getWebmention(id: string): Promise<Webmention> {
    const wm = await this.deps.store.get('webmentions', id);
    if (!wm) throw notFound('NOT_FOUND', 'webmention', id);
    return wm;
  }

  /** Re-queue Webmentions left pending by a restart. */
  async resumePending(): Promise<number> {
    const pending = (await this.deps.store.list('webmentions')).filter((w) => w.status === 'pending');
    for (const w of pending) this.scheduleVerify(w.id);
    return pending.length;
  }

  /** Shutdown: abort in-flight fetches, then wait for what is running to record its outcome. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }

  /** Wait for queued verifications (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.crawling;
  }

  private scheduleVerify(id: string): void {
    const p = this.verifyLimit(() => this.verify(id)).catch((err: unknown) =>
      this.deps.logger.error({ err, webmentionId: id }, 'webmention verification crashed'),
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Fetch the source, check it links to the target (exact href), then ingest, update or remove. */
  private async verify(id: string): Promise<void> {
    const wm = await this.deps.store.get('webmentions', id);
    if (!wm || wm.status !== 'pending') return;
    const target = this.targetOf(wm.target);
    const now = this.deps.clock.now().toISOString();
    const finish = async (
      status: Webmention['status'],
      reason: string | undefined,
      postId: string | undefined,
      extra: { deletePost?: string; post?: boolean } = {},
    ) => {
      const current = await this.deps.store.get('webmentions', id);
      if (!current || current.receivedAt !== wm.receivedAt) return; // superseded by a newer request
      await this.deps.store.commit({
        put: { webmentions: [{ ...current, status, reason, postId, verifiedAt: now }] },
        delete: { posts: extra.deletePost ? [extra.deletePost] : [] },
      });
    };
    let page: { html?: string; text?: string; title?: string };
    try {
      page = await this.fetchPage(wm.source);
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
      result = await this.submit(
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
      e?: { deletePost?: string },
    ) => Promise<void>,
  ): Promise<void> {
    if (!wm.postId) return finish('rejected', reason, undefined);
    const post = await this.deps.store.get('posts', wm.postId);
    if (!post) return finish('removed', reason, undefined);
    const others = (await this.deps.store.list('webmentions')).filter(
      (w) => w.id !== wm.id && w.postId === post.id && w.status === 'accepted',
    );
    if (post.origin === 'webmention' && others.length === 0)
      return finish('removed', reason, undefined, { deletePost: post.id });
    const target = this.targetOf(wm.target);
    if (target?.talkId) {
      const mentions = post.mentions.filter(
        (m) => !(m.talkId === target.talkId && m.evidence.includes('link') && m.start < 0),
      );
      await this.deps.store.commit({ put: { posts: [{ ...post, mentions }] } });
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

  private async fetchPage(url: string): Promise<{ html?: string; text?: string }> {
    let res;
    try {
      res = await this.deps.http.get({
        url,
        accept: 'text/html, application/xhtml+xml, text/plain;q=0.8, text/markdown;q=0.8',
        signal: this.shutdown.signal,
      });
    } catch (err) {
      if (err instanceof FetchError) {
        if (err.kind === 'too-large') throw new DomainError('PAYLOAD_TOO_LARGE', err.message, { url });
        if (err.kind === 'blocked' || err.kind === 'invalid-url')
          throw new DomainError('URL_NOT_ALLOWED', err.message, { url });
        if (err.kind === 'gone') throw err;
        throw new DomainError('UNPROCESSABLE', err.message, { url, kind: err.kind }, { cause: err });
      }
      throw err;
    }
    if (res.status === 'not-modified') throw new DomainError('UNPROCESSABLE', `GET ${url}: unexpected 304`, { url });
    const type = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'text/html' || type === 'application/xhtml+xml') return { html: res.body };
    if (type === 'text/plain' || type === 'text/markdown' || type === 'text/x-markdown') return { text: res.body };
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `GET ${url}: expected an HTML or text page, got ${type || 'no content type'}`,
      { url, contentType: type || null },
    );
  }

  private checkUrl(url: string): void {
    try {
      this.deps.http.checkUrl(url);
    } catch (err) {
      if (err instanceof FetchError)
        throw new DomainError(err.kind === 'blocked' ? 'URL_NOT_ALLOWED' : 'VALIDATION_FAILED', err.message, {
          field: 'url',
        });
      throw err;
    }
  }
}

/** Stable post id from its URL, so a re-submission or a repeated Webmention updates the same post. */
export function postIdOf(url: string): string {
  return `post_${createHash('sha256').update(canonicalUrl(url)).digest('hex').slice(0, 16)}`;
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
