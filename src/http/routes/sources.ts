import type Router from '@koa/router';
import coBody from 'co-body';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { defineRoute, type RouteDeps } from '../route.ts';
import { secureEqual } from '../../platform/secure-compare.ts';
import { IdParams, idParam } from '../schemas.ts';
import { talkDto } from '../dto.ts';
import { DomainError } from '../../platform/errors.ts';

const SourceCreate = z.strictObject({
  kind: z.string().min(1).max(50),
  url: z.string().min(1).max(2048),
  schedule: z.string().min(1).max(200).optional(),
});
const ManualLink = z.strictObject({
  url: z.string().min(1).max(2048),
  provider: z.string().trim().min(1).max(50).optional(),
  language: z.string().trim().min(1).max(20).optional(),
  title: z.string().trim().min(1).max(500).optional(),
  primary: z.boolean().optional(),
});
const Release = z.looseObject({
  fahrplan: z.looseObject({
    conference: z.string().max(200).optional(),
    guid: z.string().min(1).max(200),
    id: z.union([z.string().max(50), z.number()]).optional(),
    slug: z.string().max(500).optional(),
    title: z.string().max(1000).optional(),
  }),
  voctoweb: z
    .looseObject({ frontend_url: z.string().max(2048).optional(), enabled: z.boolean().optional() })
    .optional(),
  youtube: z
    .looseObject({
      urls: z.array(z.string().max(2048)).max(20).optional(),
      privacy: z.string().max(50).optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
});
const WebSubQuery = z.object({
  'hub.mode': z.enum(['subscribe', 'unsubscribe', 'denied']),
  'hub.topic': z.string().max(2048),
  'hub.challenge': z.string().max(1000).optional(),
  'hub.lease_seconds': z.string().max(20).optional(),
  'hub.reason': z.string().max(1000).optional(),
});

/** Recording sources, the unmatched queue, manual links and push intake (voctopublish, WebSub). */
export function sourceRoutes(services: Services, deps: RouteDeps, router: Router): void {
  registryRoutes(services, deps, router);
  decisionRoutes(services, deps, router);
  pushRoutes(services, deps, router);
}

/** Adding, listing, reading and removing sources. */
function registryRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const svc = services.sources;
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/events/{id}/sources',
    summary: 'Add a recording source (youtube | mediaccc | feed) to an event',
    tags: ['sources'],
    admin: true,
    params: IdParams,
    body: SourceCreate,
    responses: {
      201: 'Created',
      400: 'Unknown kind, invalid cron expression or URL',
      401: 'Missing or wrong token',
      404: 'Unknown event',
      409: 'Already registered',
      415: 'Not JSON',
    },
    handler: async (ctx, { params, body }) => {
      const source = await svc.addSource(params.id, body);
      ctx.status = 201;
      ctx.set('Location', `/api/sources/${source.id}`);
      ctx.body = source;
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/sources',
    summary: 'List recording sources with their health',
    tags: ['sources'],
    query: z.object({ event: idParam.optional() }),
    responses: { 200: 'Sources' },
    handler: async (ctx, { query }) => {
      const all = await svc.listSources();
      ctx.body = { items: query.event ? all.filter((s) => s.eventId === query.event) : all };
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/sources/{id}',
    summary: 'A recording source with its health',
    tags: ['sources'],
    params: IdParams,
    responses: { 200: 'The source', 404: 'Unknown source' },
    handler: async (ctx, { params }) => {
      ctx.body = await svc.getSource(params.id);
    },
  });
  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/sources/{id}',
    summary: 'Remove a recording source (recordings it found stay)',
    tags: ['sources'],
    admin: true,
    params: IdParams,
    responses: { 204: 'Deleted', 401: 'Missing or wrong token', 404: 'Unknown source' },
    handler: async (ctx, { params }) => {
      await svc.deleteSource(params.id);
      ctx.status = 204;
    },
  });
}

/** Polling a source now, the unmatched queue, and a person's link and unlink decisions. */
function decisionRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const svc = services.sources;
  const base = services.config.publicUrl;
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/sources/{id}/poll',
    summary: 'Poll a source now (waits for a run in progress)',
    tags: ['sources'],
    admin: true,
    params: IdParams,
    responses: { 200: 'What the poll found', 401: 'Missing or wrong token', 404: 'Unknown source' },
    handler: async (ctx, { params }) => {
      await svc.getSource(params.id);
      const run = await services.poller.run({ kind: 'ids', ids: [params.id] });
      ctx.body = run.status === 'ok' ? { ...run.results[0], source: await svc.getSource(params.id) } : run;
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/sources/poll',
    summary: 'Poll every source now (waits for a run in progress); a summary per source',
    tags: ['sources'],
    admin: true,
    responses: { 200: 'What each poll found', 401: 'Missing or wrong token' },
    handler: async (ctx) => {
      const run = await services.poller.run({ kind: 'all' });
      ctx.body = run.status === 'ok' ? { status: 'ok', results: run.results, storeCommits: run.storeCommits } : run;
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/events/{id}/unmatched',
    summary: "The event's unmatched recordings with their best candidates",
    tags: ['sources'],
    params: IdParams,
    responses: { 200: 'Unmatched queue', 404: 'Unknown event' },
    handler: async (ctx, { params }) => {
      ctx.body = { items: await svc.listUnmatched(params.id) };
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/talks/{id}/recordings',
    summary: 'Link (or re-link) a recording to a talk by hand; survives every later poll',
    tags: ['sources'],
    admin: true,
    params: IdParams,
    body: ManualLink,
    responses: {
      200: 'The talk',
      400: 'Invalid URL',
      401: 'Missing or wrong token',
      404: 'Unknown talk',
      415: 'Not JSON',
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = talkDto(await svc.linkRecording(params.id, body), base);
    },
  });
  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/talks/{id}/recordings/{recordingId}',
    summary: 'Unlink a recording by hand; polls will not link it to this talk again',
    tags: ['sources'],
    admin: true,
    params: z.object({ id: idParam, recordingId: z.string().min(1).max(300) }),
    responses: { 200: 'The talk', 401: 'Missing or wrong token', 404: 'Unknown talk or recording' },
    handler: async (ctx, { params }) => {
      ctx.body = talkDto(await svc.unlinkRecording(params.id, params.recordingId), base);
    },
  });
}

/** Push intake: voctopublish release notifications and WebSub (verification and content). */
function pushRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const svc = services.sources;
  const websub = services.websub;
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/webhooks/voctopublish',
    summary: 'Release notification from the c3voc publishing pipeline (Bearer TALKREEL_WEBHOOK_TOKEN)',
    tags: ['push'],
    body: Release,
    responses: {
      202: 'Recorded; the event sources are polled now',
      400: 'Invalid body',
      401: 'Missing or wrong token',
      415: 'Not JSON',
    },
    authorize: (ctx) => {
      const token = services.config.webhookToken ?? services.config.adminToken;
      const given = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim();
      if (!token || !given || !secureEqual(given, token)) {
        throw new DomainError(
          'UNAUTHORIZED',
          token ? 'missing or wrong webhook token' : 'webhooks are disabled: set TALKREEL_WEBHOOK_TOKEN',
        );
      }
    },
    handler: async (ctx, { body }) => {
      ctx.status = 202;
      ctx.body = await svc.intakeVoctopublish(body);
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/websub/{id}',
    summary: "WebSub hub verification for a YouTube source: echoes hub.challenge when the topic is the source's feed",
    tags: ['push'],
    params: IdParams,
    query: WebSubQuery,
    produces: ['text/plain'],
    responses: { 200: 'The challenge', 404: 'Unknown source or topic' },
    handler: async (ctx, { params, query }) => {
      const answer = websub.verifySubscription(await svc.getSource(params.id), {
        mode: query['hub.mode'],
        topic: query['hub.topic'],
        challenge: query['hub.challenge'],
      });
      if (answer.kind === 'denied') {
        ctx.status = 200;
        ctx.body = '';
        return;
      }
      ctx.type = 'text/plain';
      ctx.body = answer.challenge;
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/websub/{id}',
    summary:
      'WebSub content notification (Atom) for a YouTube source: signed pushes (TALKREEL_WEBSUB_SECRET) are matched now; every push triggers a poll',
    tags: ['push'],
    params: IdParams,
    consumes: ['application/atom+xml', 'application/xml', 'text/xml'],
    responses: { 202: 'Accepted', 404: 'Unknown source', 413: 'Too large', 415: 'Not Atom', 422: 'Not a feed' },
    handler: async (ctx, { params }) => {
      const source = await svc.getSource(params.id);
      const text = await coBody.text(ctx, { limit: services.config.maxBodyBytes, encoding: 'utf8' });
      const receipt = await websub.receivePush(source, text, ctx.get('x-hub-signature'), ctx.get('content-type'));
      ctx.status = 202;
      ctx.body = receipt;
    },
  });
}
