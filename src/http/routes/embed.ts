import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { defineRoute, type RouteDeps } from '../route.ts';
import { allowFraming } from '../security.ts';
import { serveAssets } from './assets.ts';
import { notModified } from './feeds.ts';
import { DomainError } from '../../platform/errors.ts';
import { WIDGET_SCRIPT } from '../../embed/widget.ts';
import { oembedXml } from '../../embed/oembed.ts';
import type { ListSelector } from '../../embed/snippets.ts';
import { DEFAULT_LIST_LIMIT, MAX_TALK_REFS, type ListVariant, type ServedEmbed } from '../../embed/embed-service.ts';

const ref = z.string().trim().min(1).max(200);
const theme = z.enum(['light', 'dark', 'auto']).default('auto');
/** `compact`, `compact=1|true` → true; `compact=0|false` → false. */
const flag = z
  .enum(['', '1', 'true', '0', 'false'])
  .optional()
  .transform((v) => v !== undefined && v !== '0' && v !== 'false');

const ListQuery = z.object({
  event: ref.optional(),
  talks: z
    .string()
    .max(MAX_TALK_REFS * 201)
    .optional(),
  post: z.string().trim().min(1).max(2048).optional(),
  speaker: ref.optional(),
  theme,
  compact: flag,
  limit: z.coerce.number().int().min(1).max(500).default(DEFAULT_LIST_LIMIT),
});

const OembedQuery = z.object({
  url: z.string().max(2048).optional(),
  format: z.string().max(20).optional(),
  maxwidth: z.coerce.number().int().min(1).max(100_000).optional(),
  maxheight: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** Exactly one of event, talks, post, speaker. */
function selectorOf(q: z.infer<typeof ListQuery>): ListSelector {
  const given = (['event', 'talks', 'post', 'speaker'] as const).filter((k) => q[k] !== undefined);
  if (given.length !== 1)
    throw new DomainError('VALIDATION_FAILED', 'give exactly one of event, talks, post or speaker', { given });
  const kind = given[0]!;
  if (kind === 'talks') return { kind, value: q.talks!.split(',') };
  return { kind, value: q[kind]! };
}

/** Headers of every embed answer, then the body or a 304 (RFC 9110 §13.1.2, our own comparison: see `notModified`). */
function serveEmbed(ctx: Context, served: ServedEmbed): void {
  allowFraming(ctx);
  ctx.set('Access-Control-Expose-Headers', 'ETag');
  ctx.set('ETag', served.etag);
  ctx.set('Cache-Control', 'public, max-age=60');
  if (notModified(ctx.get('if-none-match'), '', { etag: served.etag, lastModified: undefined })) {
    ctx.status = 304;
    return;
  }
  ctx.type = served.contentType;
  ctx.body = served.body;
}

const LISTS: readonly { path: string; variant: ListVariant; produces: string; summary: string }[] = [
  {
    path: '/embed/list',
    variant: 'document',
    produces: 'text/html',
    summary: 'Framable talk list (iframe): players click-to-load, height posted to the host page',
  },
  {
    path: '/embed/list.html',
    variant: 'fragment',
    produces: 'text/html',
    summary: 'Plain HTML fragment of the talk list (no script, no iframe) for platforms that strip them',
  },
  {
    path: '/embed/list.json',
    variant: 'json',
    produces: 'application/json',
    summary: 'The talk list as the <talkreel-list> widget reads it',
  },
];

/** Embeds (iframe list, fragment, widget JSON and script, single-talk card) and the oEmbed provider. */
export function embedRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const embeds = services.embeds;

  for (const list of LISTS) {
    defineRoute(router, deps, {
      method: 'get',
      path: list.path,
      summary: `${list.summary}; exactly one of event, talks (comma-separated refs), post (recap URL), speaker`,
      tags: ['embeds'],
      query: ListQuery,
      produces: [list.produces],
      responses: {
        200: 'The list',
        304: 'Not modified (If-None-Match)',
        400: 'No or several selectors, a bad option or an unknown parameter',
        404: 'Unknown event or talk',
      },
      handler: async (ctx, { query }) => {
        const { theme: t, compact, limit } = query;
        serveEmbed(ctx, await embeds.list(list.variant, { selector: selectorOf(query), theme: t, compact, limit }));
      },
    });
  }

  defineRoute(router, deps, {
    method: 'get',
    path: '/embed/talk/{id}',
    summary:
      "One talk's 16:9 card: the click-to-load player once published, 'recording pending' before (oEmbed frames it)",
    tags: ['embeds'],
    params: z.object({ id: ref }),
    query: z.object({ theme }),
    produces: ['text/html'],
    responses: { 200: 'The card', 304: 'Not modified (If-None-Match)', 404: 'Unknown talk' },
    handler: async (ctx, { params, query }) => {
      serveEmbed(ctx, await embeds.talkCard(params.id, query.theme));
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/oembed',
    summary: 'oEmbed 1.0 provider for talk (/t/<id>) and event (/e/<id>) pages; format json (default) or xml',
    tags: ['embeds'],
    query: OembedQuery,
    // Consumers add their own parameters (callback, lang, dnt…): ignore them.
    strictQuery: false,
    produces: ['application/json', 'text/xml'],
    responses: {
      200: 'The oEmbed response',
      400: 'Missing or invalid url, bad maxwidth/maxheight',
      404: 'Not a talk or event page of this Talkreel, or unknown id',
      501: 'Unsupported format',
    },
    handler: async (ctx, { query }) => {
      allowFraming(ctx);
      const url = query.url?.trim();
      if (!url) throw new DomainError('VALIDATION_FAILED', 'url is required', { in: 'query', path: 'url' });
      const format = query.format ?? 'json';
      // oEmbed 1.0 §2.3.4: a format the provider does not support is 501.
      if (format !== 'json' && format !== 'xml')
        throw new DomainError('NOT_IMPLEMENTED', `format "${format}" is not supported; use json or xml`, { format });
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
        throw new DomainError('VALIDATION_FAILED', 'url must be an http(s) URL', { in: 'query', path: 'url' });
      const data = await embeds.oembed(url, { maxwidth: query.maxwidth, maxheight: query.maxheight });
      ctx.set('Cache-Control', `public, max-age=${data.cache_age}`);
      if (format === 'xml') {
        ctx.type = 'text/xml; charset=utf-8';
        ctx.body = oembedXml(data);
      } else {
        ctx.type = 'application/json; charset=utf-8';
        ctx.body = JSON.stringify(data);
      }
    },
  });

  // CORS preflight: the widget revalidates with If-None-Match, which is not a CORS-safelisted header.
  for (const path of ['/embed/list', '/embed/list.html', '/embed/list.json', '/embed/talk/:id', '/oembed']) {
    router.options(path, (ctx) => {
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'If-None-Match');
      ctx.set('Access-Control-Max-Age', '86400');
      ctx.status = 204;
    });
  }

  serveAssets([{ path: '/embed.js', body: WIDGET_SCRIPT, summary: 'The <talkreel-list> custom element' }])(
    services,
    deps,
    router,
  );
}
