import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { defineRoute, type RouteDeps } from '../route.ts';
import { DEFAULT_FEED_LIMIT, FEED_CONTENT_TYPES, type FeedFormat } from '../../notify/feeds.ts';
import type { ServedFeed } from '../../notify/feed-service.ts';

const ref = z.string().trim().min(1).max(200);
/** At most one filter (the service says 400 to two); strict, so anything else is 400 too. */
const FeedQuery = z.object({
  event: ref.optional(),
  speaker: ref.optional(),
  talk: ref.optional(),
  post: z.string().trim().min(1).max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(DEFAULT_FEED_LIMIT),
});

/** Public Atom and JSON Feed 1.1 feeds of published recordings, with conditional GET. */
export function feedRoutes(services: Services, deps: RouteDeps, router: Router): void {
  for (const format of ['atom', 'json'] as const satisfies readonly FeedFormat[]) {
    defineRoute(router, deps, {
      method: 'get',
      path: `/feeds/recordings.${format}`,
      summary: `${format === 'atom' ? 'Atom' : 'JSON Feed 1.1'} feed of published recordings, newest first; at most one of event, speaker, talk or post`,
      tags: ['feeds'],
      query: FeedQuery,
      produces: [FEED_CONTENT_TYPES[format].split(';')[0]!],
      responses: {
        200: 'The feed',
        304: 'Not modified (If-None-Match / If-Modified-Since)',
        400: 'Two filters, an unknown parameter or a bad value',
        404: 'Unknown talk or event',
      },
      handler: async (ctx, { query }) => {
        const feed = await services.feeds.get({ format, ...query });
        serveFeed(ctx, feed);
      },
    });
  }
}

/** Headers for discovery (RFC 8288 `Link`, WebSub §4) and caching (RFC 9110 validators), then the body or 304. */
function serveFeed(ctx: Context, feed: ServedFeed): void {
  const links = [`<${feed.selfUrl}>; rel="self"`];
  if (feed.hub) links.push(`<${feed.hub}>; rel="hub"`);
  ctx.set('Link', links.join(', '));
  ctx.set('ETag', feed.etag);
  if (feed.lastModified) ctx.set('Last-Modified', new Date(feed.lastModified).toUTCString());
  ctx.set('Cache-Control', 'public, max-age=60');
  ctx.set('Access-Control-Allow-Origin', '*');
  if (notModified(ctx.get('if-none-match'), ctx.get('if-modified-since'), feed)) {
    ctx.status = 304;
    return;
  }
  ctx.body = feed.body;
  ctx.set('Content-Type', feed.contentType);
}

/**
 * RFC 9110 §13.2.2 as an origin server evaluates it: If-None-Match (weak comparison) decides when
 * present, else If-Modified-Since against the newest item. Not koa's `ctx.fresh`: it ignores the
 * validators whenever the request says `Cache-Control: no-cache`, which fetch() adds to every
 * request with a conditional header (Fetch standard, HTTP-network-or-cache fetch).
 */
export function notModified(
  ifNoneMatch: string,
  ifModifiedSince: string,
  feed: Pick<ServedFeed, 'etag' | 'lastModified'>,
): boolean {
  if (ifNoneMatch) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    const wanted = opaque(feed.etag);
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
  }
  if (!ifModifiedSince || !feed.lastModified) return false;
  const since = Date.parse(ifModifiedSince);
  // HTTP dates have whole seconds.
  return Number.isFinite(since) && Math.floor(Date.parse(feed.lastModified) / 1000) * 1000 <= since;
}
