import { StoreUnavailableError } from '../../store/errors.ts';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Post } from '../../posts/types.ts';
import type { Services } from '../../app/services.ts';
import { defineRoute, openApiDocument, type RouteDeps } from '../route.ts';
import { FormatQuery, IdParams } from '../schemas.ts';
import { eventDto, talkDto, talkPageUrl } from '../dto.ts';
import { escapeHtml, page, safeHref } from '../html.ts';
import type { Event, Talk } from '../../catalogue/types.ts';
import { toErrorResponse } from '../errors.ts';
import { DomainError } from '../../platform/errors.ts';
import { feedUrl } from '../../notify/feeds.ts';
import type { SubscriptionFilter } from '../../notify/types.ts';

/** `<link rel="alternate">` to the Atom and JSON recording feeds of a talk or an event. */
export function feedAlternates(base: string, filter: SubscriptionFilter): string {
  const title = `Recordings: ${filter.label}`;
  return [
    ['application/atom+xml', feedUrl(base, 'atom', filter)],
    ['application/feed+json', feedUrl(base, 'json', filter)],
  ]
    .map(
      ([type, href]) =>
        `<link rel="alternate" type="${escapeHtml(type)}" title="${escapeHtml(title)}" href="${escapeHtml(href)}">\n`,
    )
    .join('');
}

/** Does the client want JSON rather than a page? `?format=` wins, then the Accept header. */
function wantsJson(ctx: Context, format: string | undefined): boolean {
  if (format) return format === 'json';
  return ctx.accepts('html', 'json') === 'json';
}

/** Permanent talk pages, the watch redirect, health and the OpenAPI document. */
export function pageRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const { catalogue, config } = services;
  const base = config.publicUrl;

  defineRoute(router, deps, {
    method: 'get',
    path: '/t/{id}',
    summary: "A talk's permanent page (HTML, or JSON when asked for)",
    tags: ['pages'],
    params: IdParams,
    query: FormatQuery,
    strictQuery: false,
    produces: ['text/html', 'application/json'],
    responses: { 200: 'The talk page', 404: 'Unknown talk' },
    handler: async (ctx, { params, query }) => {
      ctx.vary('Accept');
      const talk = await catalogue.getTalk(params.id);
      ctx.set('Link', `<${base}/webmention>; rel="webmention"`);
      if (wantsJson(ctx, query.format)) {
        ctx.body = talkDto(talk, base);
        return;
      }
      const [event, recaps] = await Promise.all([
        catalogue.findEvent(talk.eventId),
        services.store.postsMentioningTalk(talk.id),
      ]);
      ctx.type = 'html';
      ctx.body = renderTalkPage(talk, event, base, recaps);
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/t/{id}/watch',
    summary: 'Permanent watch link: 302 to the recording once published, 404 while pending',
    tags: ['pages'],
    params: IdParams,
    query: FormatQuery,
    strictQuery: false,
    produces: ['text/html', 'application/json'],
    responses: { 302: 'Redirect to the recording', 404: 'Unknown talk, or recording not (yet) available' },
    handler: async (ctx, { params, query }) => {
      ctx.vary('Accept');
      const talk = await catalogue.getTalk(params.id);
      const state = talk.recording;
      if (state.status === 'published') {
        ctx.set('Cache-Control', 'no-cache');
        ctx.redirect(state.url);
        return;
      }
      const error =
        state.status === 'pending'
          ? new DomainError(
              'RECORDING_PENDING',
              `the recording of "${talk.title}" is not published yet; this link will redirect to it once it is`,
              { talkId: talk.id, status: state.status },
            )
          : state.status === 'withdrawn'
            ? new DomainError('RECORDING_WITHDRAWN', `the recording of "${talk.title}" was withdrawn`, {
                talkId: talk.id,
                status: state.status,
              })
            : new DomainError('NOT_RECORDED', `"${talk.title}" was not recorded`, {
                talkId: talk.id,
                status: state.status,
              });
      const { status, body } = toErrorResponse(error);
      ctx.status = status;
      ctx.set('Cache-Control', 'no-cache');
      if (wantsJson(ctx, query.format)) {
        ctx.body = body;
        return;
      }
      ctx.type = 'html';
      ctx.body = page(
        `${talk.title}: recording ${state.status}`,
        `<h1>${escapeHtml(talk.title)}</h1>\n<p>${escapeHtml(error.message)}.</p>\n<p><a href="/t/${encodeURIComponent(talk.id)}">About this talk</a></p>`,
      );
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/e/{id}',
    summary: "An event's page (HTML, or JSON when asked for)",
    tags: ['pages'],
    params: IdParams,
    query: FormatQuery,
    strictQuery: false,
    produces: ['text/html', 'application/json'],
    responses: { 200: 'The event page', 404: 'Unknown event' },
    handler: async (ctx, { params, query }) => {
      ctx.vary('Accept');
      const event = await catalogue.getEvent(params.id);
      ctx.set('Link', `<${base}/webmention>; rel="webmention"`);
      const talks = await catalogue.talksOfEvent(event.id);
      if (wantsJson(ctx, query.format)) {
        ctx.body = { ...eventDto(event, base), talks: talks.map((t) => talkDto(t, base)) };
        return;
      }
      ctx.type = 'html';
      ctx.body = page(
        event.name,
        `<h1>${escapeHtml(event.name)}</h1>\n<p class="meta">${escapeHtml([event.city, event.startDate].filter(Boolean).join(', '))}</p>\n<ul>\n${talks
          .map(
            (t) =>
              `<li><a href="/t/${encodeURIComponent(t.id)}">${escapeHtml(t.title)}</a> — ${escapeHtml(t.speakers.map((s) => s.name).join(', '))} <span class="status">${escapeHtml(t.recording.status)}</span></li>`,
          )
          .join('\n')}\n</ul>`,
        `<link rel="webmention" href="${escapeHtml(`${base}/webmention`)}">\n${feedAlternates(base, { kind: 'event', key: event.id, label: event.name })}`,
      );
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/health',
    summary: 'Liveness and store status',
    tags: ['ops'],
    responses: { 200: 'ok', 503: 'degraded' },
    handler: async (ctx) => {
      try {
        const stats = await services.store.stats();
        ctx.body = {
          status: 'ok',
          store: { kind: stats.kind, writes: stats.writes, counts: stats.counts, lastSeq: stats.lastSeq },
        };
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        ctx.status = 503;
        ctx.body = { status: 'degraded', store: { kind: services.store.kind, error: err.message } };
      }
    },
  });

  let openapi: unknown;
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    tags: ['ops'],
    responses: { 200: 'OpenAPI 3 document' },
    handler: (ctx) => {
      openapi ??= openApiDocument(deps.registry, base);
      ctx.body = openapi;
    },
  });
}

/** The talk's permanent page: title, speakers, event, recording status and link. Every value escaped. */
export function renderTalkPage(
  talk: Talk,
  event: Event | undefined,
  base: string,
  recaps: readonly Pick<Post, 'url' | 'title' | 'publishedAt' | 'createdAt'>[] = [],
): string {
  const speakers = talk.speakers
    .map((s) => escapeHtml(s.name) + (s.affiliation ? ` <span class="meta">(${escapeHtml(s.affiliation)})</span>` : ''))
    .join(', ');
  const state = talk.recording;
  const href = state.status === 'published' ? safeHref(state.url) : undefined;
  const recording =
    state.status === 'published'
      ? href
        ? `<p>Recording: <a href="${escapeHtml(href)}">${escapeHtml(href)}</a></p>`
        : `<p>Recording: ${escapeHtml(state.url)}</p>`
      : `<p>Recording: <span class="status">${escapeHtml(state.status)}</span></p>`;
  const when = [talk.start ? talk.start.replace('T', ' ').slice(0, 16) : undefined, talk.room]
    .filter(Boolean)
    .join(' · ');
  const self = talkPageUrl(base, talk.id);
  // Recap posts that mention the talk, linked: a post's author who receives our Webmention finds
  // the link back to their post here when they verify it.
  const recapItems = [...recaps]
    .sort((a, b) => ((b.publishedAt ?? b.createdAt) < (a.publishedAt ?? a.createdAt) ? -1 : 1))
    .flatMap((p) => {
      const url = safeHref(p.url);
      return url ? [`<li><a href="${escapeHtml(url)}">${escapeHtml(p.title ?? url)}</a></li>`] : [];
    });
  const recapSection =
    recapItems.length > 0 ? `<section><h2>Recap posts</h2>\n<ul>\n${recapItems.join('\n')}\n</ul></section>\n` : '';
  return page(
    `${talk.title}${event ? ` — ${event.name}` : ''}`,
    `<article>
<h1>${escapeHtml(talk.title)}</h1>
${talk.subtitle ? `<p><em>${escapeHtml(talk.subtitle)}</em></p>\n` : ''}<p class="speakers">${speakers}</p>
<p class="meta">${event ? `<a href="/e/${encodeURIComponent(event.id)}">${escapeHtml(event.name)}</a>` : escapeHtml(talk.eventId)}${when ? ` · ${escapeHtml(when)}` : ''}</p>
${recording}
<p><a href="/t/${encodeURIComponent(talk.id)}/watch">Permanent watch link</a></p>
${talk.abstract ? `<section><h2>Abstract</h2><p>${escapeHtml(talk.abstract)}</p></section>\n` : ''}${recapSection}</article>`,
    `<link rel="canonical" href="${escapeHtml(self)}">\n<link rel="webmention" href="${escapeHtml(`${base}/webmention`)}">\n${feedAlternates(base, { kind: 'talk', key: talk.id, label: talk.title })}`,
  );
}
