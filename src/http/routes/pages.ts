import { safeUrl } from '../../embed/html.ts';
import { StoreUnavailableError } from '../../store/errors.ts';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { defineRoute, openApiDocument, parse, type RouteDeps } from '../route.ts';
import { FormatQuery, IdParams } from '../schemas.ts';
import { eventDto, talkDto } from '../dto.ts';
import { esc } from '../../embed/html.ts';
import { toErrorResponse } from '../errors.ts';
import { DomainError } from '../../platform/errors.ts';
import { lookupTalks } from '../../search/lookup.ts';
import { PageCache } from '../page-cache.ts';
import { healthWarnings } from '../health-warnings.ts';
import { renderTalkPage } from '../../embed/page-talk.ts';
import { renderEventPage } from '../../embed/page-event.ts';
import { renderHomeLists, renderHomePage } from '../../embed/page-home.ts';
import { renderNoticePage } from '../../embed/page-error.ts';

export { feedAlternates } from '../../embed/page-layout.ts';

/** Does the client want JSON rather than a page? `?format=` wins, then the Accept header. */
function wantsJson(ctx: Context, format: string | undefined): boolean {
  if (format) return format === 'json';
  return ctx.accepts('html', 'json') === 'json';
}

const HomeQuery = FormatQuery.extend({ q: z.string().max(200).optional() });
const NotifyForm = z.object({
  email: z.email({ message: 'that is not a valid email address' }).max(254),
  talk: z.string().trim().min(1).max(200),
});

/** Permanent talk pages, the watch redirect, health and the OpenAPI document. */
export function pageRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const { catalogue, config } = services;
  const base = config.publicUrl;
  // Pages change only with the store: rendered once per commit, not once per request.
  const pages = new PageCache((listener) => services.store.onCommit(listener));

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
      if (wantsJson(ctx, query.format)) {
        ctx.body = talkDto(await catalogue.getTalk(params.id), base);
      } else {
        // A hit answers from memory; a miss (or an unknown id: thrown, never cached) reads the store.
        const html = await pages.get(`t:${params.id}`, async () => {
          const talk = await catalogue.getTalk(params.id);
          const [event, recaps] = await Promise.all([
            catalogue.findEvent(talk.eventId),
            services.store.postsMentioningTalk(talk.id),
          ]);
          return renderTalkPage(talk, event, base, recaps);
        });
        ctx.type = 'html';
        ctx.body = html;
      }
      ctx.set('Link', `<${base}/webmention>; rel="webmention"`);
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
        // Only a well-formed http(s) URL is redirected to (a stored URL may predate validation).
        const target = safeUrl(state.url);
        if (!target)
          throw new DomainError(
            'UNPROCESSABLE',
            `the stored recording URL of "${talk.title}" is not a valid http(s) URL`,
            {
              talkId: talk.id,
            },
          );
        ctx.set('Cache-Control', 'no-cache');
        ctx.redirect(target);
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
      ctx.body = renderNoticePage({
        title: talk.title,
        paragraphs: [`${esc(error.message)}.`],
        back: { href: `/t/${encodeURIComponent(talk.id)}`, label: 'About this talk' },
      });
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
      if (wantsJson(ctx, query.format)) {
        const event = await catalogue.getEvent(params.id);
        const talks = await catalogue.talksOfEvent(event.id);
        ctx.body = { ...eventDto(event, base), talks: talks.map((t) => talkDto(t, base)) };
      } else {
        const html = await pages.get(`e:${params.id}`, async () => {
          const event = await catalogue.getEvent(params.id);
          return renderEventPage(event, await catalogue.talksOfEvent(event.id), base);
        });
        ctx.type = 'html';
        ctx.body = html;
      }
      ctx.set('Link', `<${base}/webmention>; rel="webmention"`);
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/',
    summary: 'Home page: what Talkreel is, talk search (`?q=`, no JavaScript needed), events, latest recordings',
    tags: ['pages'],
    query: HomeQuery,
    strictQuery: false,
    produces: ['text/html', 'application/json'],
    responses: { 200: 'The home page (JSON clients get links to the API)', 400: 'Query too long' },
    handler: async (ctx, { query }) => {
      ctx.vary('Accept');
      if (wantsJson(ctx, query.format)) {
        ctx.body = {
          name: 'Talkreel',
          links: {
            openapi: `${base}/api/openapi.json`,
            events: `${base}/api/events`,
            lookup: `${base}/api/lookup?q=`,
            feed: `${base}/feeds/recordings.atom`,
          },
        };
        return;
      }
      const q = query.q?.trim() ?? '';
      const [lists, hits] = await Promise.all([
        pages.get('home-lists', async () => {
          const [events, published] = await Promise.all([
            services.store.listEvents(),
            services.store.talksWithRecordingStatus('published'),
          ]);
          return renderHomeLists(events, published, base);
        }),
        q ? lookupTalks(services, q, { limit: 20 }) : Promise.resolve([]),
      ]);
      ctx.type = 'html';
      ctx.body = renderHomePage({ publicUrl: base, lists, query: q, hits });
    },
  });

  defineRoute(router, deps, {
    method: 'post',
    path: '/subscriptions',
    summary:
      'The "notify me" form of a talk page (form-urlencoded `email`, `talk`): asks for a confirmation mail, answers an HTML page',
    tags: ['pages', 'notifications'],
    consumes: ['application/x-www-form-urlencoded'],
    produces: ['text/html'],
    responses: {
      202: 'Confirmation mail on its way (the same page whatever the address’s state)',
      400: 'Not a valid email address',
      404: 'Unknown talk',
      429: 'Too many requests for this address or from this client',
    },
    handler: async (ctx) => {
      const form = parse(NotifyForm, ctx.request.body ?? {}, 'body');
      const talk = await catalogue.getTalk(form.talk);
      const result = await services.subscriptions.subscribeEmail({
        email: form.email,
        filter: { talk: talk.id },
        types: ['recording.published'],
        clientIp: ctx.ip,
      });
      ctx.status = 202;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      // The same answer whether the address was new, pending or confirmed: nobody learns what
      // someone else subscribed to.
      ctx.body = renderNoticePage({
        title: 'Check your inbox',
        paragraphs: [
          `If <strong>${esc(result.subscription.email)}</strong> is not subscribed to “${esc(talk.title)}” yet, a confirmation mail is on its way.`,
          'Nothing else is sent before you confirm; every mail has a one-click unsubscribe link.',
        ],
        back: { href: `/t/${encodeURIComponent(talk.id)}`, label: `Back to “${talk.title}”` },
      });
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
          // `starting` while the indexes build in the background: store reads are served, lookups get 503.
          status: services.indexes.ready ? 'ok' : 'starting',
          instance: services.config.instanceId,
          indexes: services.indexes.ready ? 'ready' : 'building',
          store: {
            kind: stats.kind,
            writes: stats.writes,
            counts: stats.counts,
            lastSeq: stats.lastSeq,
            quarantined: stats.quarantined,
          },
          changeLog: stats.changeLog,
          warnings: healthWarnings(stats),
          // Detection down does not make the service degraded: only that route answers 503 meanwhile.
          detection: services.detector
            ? {
                runsIn: 'worker',
                state: services.detector.status().state,
                restarts: services.detector.status().restarts,
              }
            : { runsIn: 'main thread' },
        };
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        ctx.status = 503;
        ctx.body = {
          status: 'degraded',
          instance: services.config.instanceId,
          store: { kind: services.store.kind, error: err.message },
        };
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
