import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { defineRoute, isAdmin, type RouteDeps } from '../route.ts';
import { DomainError } from '../../platform/errors.ts';
import { RateLimiter, type RateCounter } from '../../platform/rate-limit.ts';
import { mentionDtos } from '../dto.ts';
import { IdParams, idParam } from '../schemas.ts';
import type { Post } from '../../posts/types.ts';

const url = z.string().min(1).max(2048);
const PostSubmit = z
  .strictObject({
    url: url.optional(),
    title: z.string().trim().min(1).max(500).optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    event: idParam.optional(),
  })
  .refine((b) => b.url !== undefined || b.html !== undefined || b.text !== undefined, {
    message: 'give url, or html or text',
    path: ['url'],
  })
  .refine((b) => !(b.html !== undefined && b.text !== undefined), {
    message: 'give html or text, not both',
    path: ['html'],
  });
const Detect = z
  .strictObject({
    html: z.string().optional(),
    text: z.string().optional(),
    title: z.string().max(500).optional(),
    event: idParam.optional(),
  })
  .refine((b) => (b.html === undefined) !== (b.text === undefined), {
    message: 'give exactly one of html or text',
    path: ['text'],
  });
const BlogCreate = z.strictObject({ feedUrl: url, schedule: z.string().min(1).max(200).optional() });
const WebmentionForm = z.object({ source: z.string().max(2048).optional(), target: z.string().max(2048).optional() });

/** Summary of a post for lists (no text). */
function postSummary(p: Post) {
  return {
    id: p.id,
    url: p.url ?? null,
    title: p.title ?? null,
    origin: p.origin,
    blogId: p.blogId ?? null,
    mentions: p.mentions.length,
    publishedAt: p.publishedAt ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** Anonymous detection: posts up to this size (a long recap is ~30 KB of text), this often. */
const ANON_DETECT_BYTES = 64 * 1024;
const ANON_DETECT_PER_MINUTE = 30;
const tooLargeForAnonymous = () =>
  new DomainError(
    'PAYLOAD_TOO_LARGE',
    `anonymous detection takes posts up to ${ANON_DETECT_BYTES / 1024} KiB (the admin token lifts this)`,
    { limit: ANON_DETECT_BYTES },
  );

/**
 * Admission to `POST /api/mentions/detect` for anonymous callers, run before the body is read
 * or parsed (a refused flood costs no JSON parsing): at most {@link ANON_DETECT_BYTES} declared
 * and {@link ANON_DETECT_PER_MINUTE} requests a minute per client. The admin token passes.
 */
export function detectAdmission(adminToken: string | undefined, rates: RateCounter): (ctx: Context) => Promise<void> {
  const limiter = new RateLimiter(rates, 'detect', ANON_DETECT_PER_MINUTE, 60_000);
  return async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/api/mentions/detect' || isAdmin(ctx, adminToken)) return;
    const length = Number(ctx.get('content-length') || 0);
    if (length > ANON_DETECT_BYTES) throw tooLargeForAnonymous();
    const waitMs = await limiter.hit(ctx.ip, Date.now());
    if (waitMs > 0)
      throw new DomainError('RATE_LIMITED', 'too many detection requests from this client', {
        retryAfterSeconds: Math.ceil(waitMs / 1000),
      });
  };
}

/** Recap posts, blogs, mention detection and the Webmention endpoint. */
export function postRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const posts = services.posts;
  const base = services.config.publicUrl;

  defineRoute(router, deps, {
    method: 'post',
    path: '/api/posts',
    summary:
      'Submit a recap post: {url} is fetched; {url?, title?, html|text} is taken as given. Re-submitting updates its mentions',
    tags: ['posts'],
    admin: true,
    body: PostSubmit,
    responses: {
      200: 'Unchanged or updated',
      201: 'Created',
      400: 'Invalid body or URL',
      401: 'Missing or wrong token',
      413: 'Post too large',
      415: 'Not JSON, or the fetched page is not HTML or text',
      422: 'The page could not be fetched',
    },
    handler: async (ctx, { body }) => {
      const result =
        body.html === undefined && body.text === undefined && body.url
          ? await posts.submitUrl(body.url, 'submitted', { eventId: body.event })
          : await posts.submit({
              url: body.url,
              title: body.title,
              html: body.html,
              text: body.text,
              eventId: body.event,
            });
      ctx.status = result.status === 'created' ? 201 : 200;
      ctx.set('Location', `/api/posts/${result.post.id}`);
      ctx.body = { status: result.status, added: result.added, removed: result.removed, post: result.post };
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/posts/rescan',
    summary: 'Re-detect the mentions of every post against the current catalogue',
    tags: ['posts'],
    admin: true,
    responses: { 200: 'How many posts changed', 401: 'Missing or wrong token' },
    handler: async (ctx) => {
      ctx.body = await posts.rescanAll();
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/posts',
    summary: 'List recap posts',
    tags: ['posts'],
    query: z.object({ blog: z.string().max(100).optional() }),
    responses: { 200: 'Posts' },
    handler: async (ctx, { query }) => {
      const all = await posts.listPosts();
      ctx.body = { items: all.filter((p) => !query.blog || p.blogId === query.blog).map(postSummary) };
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/posts/{id}',
    summary: 'A post with its mentions',
    tags: ['posts'],
    params: IdParams,
    responses: { 200: 'The post', 404: 'Unknown post' },
    handler: async (ctx, { params }) => {
      ctx.body = await posts.getPost(params.id);
    },
  });
  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/posts/{id}',
    summary: 'Delete a post and its mentions',
    tags: ['posts'],
    admin: true,
    params: IdParams,
    responses: { 204: 'Deleted', 401: 'Missing or wrong token', 404: 'Unknown post' },
    handler: async (ctx, { params }) => {
      await posts.deletePost(params.id);
      ctx.status = 204;
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/talks/{id}/posts',
    summary: 'Recap posts that mention the talk',
    tags: ['posts'],
    params: IdParams,
    responses: { 200: 'Posts with the mention', 404: 'Unknown talk' },
    handler: async (ctx, { params }) => {
      const found = await posts.postsForTalk(params.id);
      ctx.body = { items: found.map(({ post, mention }) => ({ ...postSummary(post), mention })) };
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/mentions/detect',
    summary: `Dry run: the talks a post mentions, nothing stored. Public: anonymous callers send at most ${ANON_DETECT_BYTES / 1024} KiB and ${ANON_DETECT_PER_MINUTE} requests a minute; with the admin token, the post size limit applies`,
    tags: ['posts'],
    body: Detect,
    // An anonymous caller's size and rate are checked before the body is even read: see
    // `detectAdmission`, mounted ahead of the body parser in app.ts.
    responses: {
      200: 'Mentions',
      400: 'Invalid body',
      404: 'Unknown event',
      413: 'Post too large',
      415: 'Not JSON',
      429: 'Too many requests from this client',
      503: 'Detection is starting, restarting or busy (Retry-After)',
    },
    handler: async (ctx, { body }) => {
      // A chunked body has no Content-Length: its size is checked once read.
      if (!isAdmin(ctx, deps.adminToken) && (body.html ?? body.text ?? '').length > ANON_DETECT_BYTES)
        throw tooLargeForAnonymous();
      // Posts from anyone never run on the event loop: the detection worker, or 503 while it cannot take them.
      const mentions = await posts.detect(
        { html: body.html, text: body.text, title: body.title, eventId: body.event },
        { offThreadOnly: true },
      );
      ctx.body = { mentions: await mentionDtos(mentions, services.catalogue, base) };
    },
  });

  defineRoute(router, deps, {
    method: 'post',
    path: '/api/blogs',
    summary: "Register a blog's RSS/Atom feed to crawl for recap posts",
    tags: ['blogs'],
    admin: true,
    body: BlogCreate,
    responses: {
      201: 'Created',
      400: 'Invalid URL or cron expression',
      401: 'Missing or wrong token',
      409: 'Already registered',
      415: 'Not JSON',
    },
    handler: async (ctx, { body }) => {
      const blog = await services.blogs.addBlog(body);
      ctx.status = 201;
      ctx.body = blog;
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/blogs/crawl',
    summary: 'Crawl every blog feed now (waits for a crawl in progress) and ingest new posts',
    tags: ['blogs'],
    admin: true,
    responses: { 200: 'What each crawl found', 401: 'Missing or wrong token' },
    handler: async (ctx) => {
      ctx.body = await services.blogs.crawl({});
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/blogs',
    summary: 'Blogs with their crawl health',
    tags: ['blogs'],
    responses: { 200: 'Blogs' },
    handler: async (ctx) => {
      ctx.body = { items: await services.blogs.listBlogs() };
    },
  });
  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/blogs/{id}',
    summary: 'Stop crawling a blog (its posts stay)',
    tags: ['blogs'],
    admin: true,
    params: IdParams,
    responses: { 204: 'Deleted', 401: 'Missing or wrong token', 404: 'Unknown blog' },
    handler: async (ctx, { params }) => {
      await services.blogs.deleteBlog(params.id);
      ctx.status = 204;
    },
  });

  defineRoute(router, deps, {
    method: 'post',
    path: '/webmention',
    summary:
      'W3C Webmention endpoint: form fields source and target (a Talkreel talk or event page); verified asynchronously',
    tags: ['webmention'],
    consumes: ['application/x-www-form-urlencoded'],
    responses: {
      202: 'Accepted; Location is the status URL',
      400: 'Missing/invalid URLs, source equals target, or unknown target',
      415: 'Not a form',
      429: 'Verification backlog full',
    },
    handler: async (ctx) => {
      const form = WebmentionForm.safeParse(ctx.request.body);
      const source = form.success ? form.data.source?.trim() : undefined;
      const target = form.success ? form.data.target?.trim() : undefined;
      const wm = await services.webmentions.receive(source ?? '', target ?? '');
      const status = `${base}/webmention/${wm.id}`;
      ctx.status = 202;
      ctx.set('Location', status);
      ctx.body = { id: wm.id, status: wm.status, statusUrl: status };
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/webmention/{id}',
    summary: 'Status of a received Webmention (pending | accepted | rejected | removed)',
    tags: ['webmention'],
    params: IdParams,
    responses: { 200: 'Status', 404: 'Unknown' },
    handler: async (ctx, { params }) => {
      ctx.body = await services.webmentions.get(params.id);
    },
  });
}
