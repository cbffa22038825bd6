import type { Context } from 'koa';
import type Router from '@koa/router';
import coBody from 'co-body';
import type { Services } from '../../app/services.ts';
import { defineRoute, parse, type RouteDeps } from '../route.ts';
import {
  DeleteEventQuery,
  EventCreateSchema,
  EventScheduleQuery,
  EventUpdateSchema,
  IdParams,
  ListEventsQuery,
  ListTalksQuery,
  LookupQuery,
  NewEventParams,
  ScheduleQuery,
  TalkCreateSchema,
  TalkUpdateSchema,
} from '../schemas.ts';
import { eventDto, lookupResultDto, talkDto } from '../dto.ts';
import { paginate } from '../../catalogue/catalogue.ts';
import { DomainError } from '../../platform/errors.ts';
import { lookupTalks } from '../../search/lookup.ts';
import { sendTalkAnswer } from '../talk-answer-cache.ts';
import { indexBuilding } from '../readiness.ts';

/** Events, talks, schedule import and lookup under `/api`. */
export function catalogueRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const { catalogue, config } = services;
  const base = config.publicUrl;

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/events',
    summary: 'List events',
    tags: ['events'],
    query: ListEventsQuery,
    responses: { 200: 'A page of events', 400: 'Bad query' },
    handler: async (ctx, { query }) => {
      const page = paginate(await catalogue.listEvents(), (e) => e.id, query.cursor, query.limit);
      ctx.body = { items: page.items.map((e) => eventDto(e, base)), nextCursor: page.nextCursor };
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/events/{id}',
    summary: 'Get an event',
    tags: ['events'],
    params: IdParams,
    responses: { 200: 'The event', 404: 'Unknown event' },
    handler: async (ctx, { params }) => {
      ctx.body = eventDto(await catalogue.getEvent(params.id), base);
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/events',
    summary: 'Create an event',
    tags: ['events'],
    admin: true,
    body: EventCreateSchema,
    responses: {
      201: 'Created',
      400: 'Invalid body',
      401: 'Missing or wrong token',
      409: 'Id taken',
      413: 'Body too large',
      415: 'Not JSON',
    },
    handler: async (ctx, { body }) => {
      const event = await catalogue.createEvent(body);
      ctx.status = 201;
      ctx.set('Location', `/api/events/${encodeURIComponent(event.id)}`);
      ctx.body = eventDto(event, base);
    },
  });
  defineRoute(router, deps, {
    method: 'patch',
    path: '/api/events/{id}',
    summary: 'Update an event',
    tags: ['events'],
    admin: true,
    params: IdParams,
    body: EventUpdateSchema,
    responses: {
      200: 'Updated',
      400: 'Invalid body',
      401: 'Missing or wrong token',
      404: 'Unknown event',
      415: 'Not JSON',
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = eventDto(await catalogue.updateEvent(params.id, body), base);
    },
  });
  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/events/{id}',
    summary: 'Delete an event (cascade=true also deletes its talks)',
    tags: ['events'],
    admin: true,
    params: IdParams,
    query: DeleteEventQuery,
    responses: { 204: 'Deleted', 401: 'Missing or wrong token', 404: 'Unknown event', 409: 'Event still has talks' },
    handler: async (ctx, { params, query }) => {
      await catalogue.deleteEvent(params.id, query.cascade ?? false);
      ctx.status = 204;
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/schedules',
    summary:
      'Import a frab schedule.xml or c3voc/pretalx schedule.json into the event it names (its conference block: acronym, then title), creating the event when it is new',
    tags: ['events'],
    admin: true,
    query: ScheduleQuery,
    consumes: ['application/xml', 'text/xml', 'application/json', 'text/plain', 'application/octet-stream'],
    responses: {
      200: 'Import report (existing event)',
      201: 'Import report (event created)',
      401: 'Missing or wrong token',
      409: 'Guid owned by another event',
      413: 'File too large',
      415: 'Unsupported type',
      422: 'Schedule does not parse',
    },
    handler: async (ctx, { query }) => {
      const text = await coBody.text(ctx, { limit: config.maxBodyBytes, encoding: 'utf8' });
      if (!text.trim()) throw new DomainError('SCHEDULE_INVALID', 'the schedule file is empty', {});
      const report = await services.importSchedule(text, { format: query.format ?? formatHint(ctx) });
      ctx.status = report.eventCreated ? 201 : 200;
      if (report.eventCreated) ctx.set('Location', `/api/events/${report.eventId}`);
      ctx.body = report;
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/events/{id}/schedule',
    summary:
      'Import a frab schedule.xml or c3voc/pretalx schedule.json into the event; with create=true, an id the catalogue lacks becomes a new event made from the file (201)',
    tags: ['events'],
    admin: true,
    params: IdParams,
    query: EventScheduleQuery,
    consumes: ['application/xml', 'text/xml', 'application/json', 'text/plain', 'application/octet-stream'],
    responses: {
      200: 'Import report',
      201: 'Import report (event created, create=true)',
      400: 'create=true with an id that is not a slug',
      401: 'Missing or wrong token',
      404: 'Unknown event',
      409: 'Guid owned by another event',
      413: 'File too large',
      415: 'Unsupported type',
      422: 'Schedule does not parse',
    },
    handler: async (ctx, { params, query }) => {
      // The path first: an unknown event is 404 whatever the body holds (and its body is not read),
      // unless create=true asks for it, under an id fit for a permanent URL.
      const exists = query.create ? await services.store.getEvent(params.id) : await catalogue.getEvent(params.id);
      if (!exists) parse(NewEventParams, params, 'path');
      const text = await coBody.text(ctx, { limit: config.maxBodyBytes, encoding: 'utf8' });
      const hint = query.format ?? formatHint(ctx);
      if (!text.trim()) throw new DomainError('SCHEDULE_INVALID', 'the schedule file is empty', {});
      const report = await services.importSchedule(text, {
        eventId: params.id,
        createMissingEvent: query.create,
        format: hint,
      });
      ctx.status = report.eventCreated ? 201 : 200;
      if (report.eventCreated) ctx.set('Location', `/api/events/${report.eventId}`);
      ctx.body = report;
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/talks',
    summary: 'List talks (filters: event, speaker, status, q)',
    tags: ['talks'],
    query: ListTalksQuery,
    responses: { 200: 'A page of talks', 400: 'Bad query', 404: 'Unknown event' },
    handler: async (ctx, { query }) => {
      const page = await catalogue.listTalks(
        { eventId: query.event, speaker: query.speaker, status: query.status as never, text: query.q },
        query.cursor,
        query.limit,
      );
      ctx.body = { items: page.items.map((t) => talkDto(t, base)), nextCursor: page.nextCursor };
    },
  });
  defineRoute(router, deps, {
    method: 'get',
    path: '/api/talks/{id}',
    summary:
      'Get a talk by id, earlier id, guid, <event>:<schedule id>, schedule slug or URL (schedule page, recording)',
    tags: ['talks'],
    params: IdParams,
    responses: {
      200: 'The talk',
      304: 'Not modified (If-None-Match)',
      404: 'Unknown talk',
      503: 'Indexes still building (a reference other than the id)',
    },
    handler: async (ctx, { params }) => {
      // Any reference: id, earlier id, guid, <event>:<schedule id>, schedule slug, or a URL
      // (schedule page, recording in any provider shape) passed URL-encoded.
      const version = deps.talkAnswers.version;
      const direct = await services.store.findTalk(params.id);
      // Other references (URLs, schedule slugs) resolve through the mention index.
      if (!direct && !services.indexes.ready) throw indexBuilding();
      const ref = direct ? params.id : (services.mentions.talkOfRef(params.id) ?? params.id);
      const talk = await catalogue.getTalk(ref);
      // Kept only under the talk's own id: other references may resolve elsewhere after a commit.
      if (talk.id !== params.id) ctx.body = talkDto(talk, base);
      else
        sendTalkAnswer(
          ctx,
          deps.talkAnswers.get(talk.id) ?? deps.talkAnswers.put(talk.id, talkDto(talk, base), version),
        );
    },
  });
  defineRoute(router, deps, {
    method: 'post',
    path: '/api/events/{id}/talks',
    summary: 'Create a talk in an event',
    tags: ['talks'],
    admin: true,
    params: IdParams,
    body: TalkCreateSchema,
    responses: {
      201: 'Created',
      400: 'Invalid body',
      401: 'Missing or wrong token',
      404: 'Unknown event',
      409: 'Id taken',
      413: 'Body too large',
      415: 'Not JSON',
    },
    handler: async (ctx, { params, body }) => {
      const talk = await catalogue.createTalk(params.id, body);
      ctx.status = 201;
      ctx.set('Location', `/api/talks/${encodeURIComponent(talk.id)}`);
      ctx.body = talkDto(talk, base);
    },
  });
  defineRoute(router, deps, {
    method: 'patch',
    path: '/api/talks/{id}',
    summary: 'Update a talk (a changed title is kept as an alias)',
    tags: ['talks'],
    admin: true,
    params: IdParams,
    body: TalkUpdateSchema,
    responses: {
      200: 'Updated',
      400: 'Invalid body',
      401: 'Missing or wrong token',
      404: 'Unknown talk',
      415: 'Not JSON',
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = talkDto(await catalogue.updateTalk(params.id, body), base);
    },
  });
  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/talks/{id}',
    summary: 'Delete a talk',
    tags: ['talks'],
    admin: true,
    params: IdParams,
    responses: { 204: 'Deleted', 401: 'Missing or wrong token', 404: 'Unknown talk' },
    handler: async (ctx, { params }) => {
      await catalogue.deleteTalk(params.id);
      ctx.status = 204;
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/lookup',
    summary: 'Fuzzy lookup of talks from free text (speaker, partial or misspelt title, event words)',
    tags: ['lookup'],
    query: LookupQuery,
    responses: {
      200: 'Ranked candidates with score, status and recording URL',
      400: 'Bad query',
      404: 'Unknown event',
    },
    handler: async (ctx, { query }) => {
      const results = await lookupTalks(services, query.q, { eventId: query.event, limit: query.limit });
      ctx.body = {
        query: query.q,
        results: results.map((r) => lookupResultDto(r, base)),
      };
    },
  });
}

/** The schedule format the Content-Type names, if any. */
function formatHint(ctx: Context): 'json' | 'xml' | undefined {
  return ctx.request.is('application/json')
    ? 'json'
    : ctx.request.is('application/xml', 'text/xml')
      ? 'xml'
      : undefined;
}
