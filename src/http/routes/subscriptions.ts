import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { defineRoute, requireAdmin, type RouteDeps } from '../route.ts';
import { escapeHtml, page } from '../html.ts';
import { idParam } from '../schemas.ts';
import { DomainError } from '../../platform/errors.ts';
import { NOTIFICATION_TYPES, type Delivery, type Subscription } from '../../notify/types.ts';
import { describeFilter } from '../../notify/mail.ts';

const filterValue = z.string().trim().min(1).max(2048);
const SubscriptionCreate = z
  .strictObject({
    email: z.email().max(254).optional(),
    webhook: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    talk: filterValue.optional(),
    speaker: filterValue.max(200).optional(),
    event: filterValue.max(200).optional(),
    post: filterValue.optional(),
    types: z.array(z.enum(NOTIFICATION_TYPES)).min(1).max(NOTIFICATION_TYPES.length).optional(),
  })
  .refine((b) => (b.email === undefined) !== (b.webhook === undefined), {
    message: 'give exactly one of email or webhook',
    path: ['email'],
  })
  .refine((b) => [b.talk, b.speaker, b.event, b.post].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of talk, speaker, event or post',
    path: ['talk'],
  });
const TokenQuery = z.object({ token: z.string().min(10).max(200) });
const DeliveryQuery = z.object({ status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).default('failed') });
const IdParams = z.object({ id: idParam });

export function subscriptionDto(s: Subscription) {
  return {
    id: s.id,
    channel: s.channel,
    ...(s.channel === 'email' ? { email: s.email } : { webhook: s.url }),
    filter: s.filter,
    types: s.types,
    status: s.status,
    statusReason: s.statusReason ?? null,
    confirmedAt: s.channel === 'email' ? (s.confirmedAt ?? null) : null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function deliveryDto(d: Delivery) {
  return {
    id: d.id,
    channel: d.channel,
    type: d.content.type,
    subscriptionId: d.subscriptionId ?? null,
    target: d.target,
    talkId: 'talk' in d.content ? d.content.talk.id : null,
    eventId: d.eventId ?? null,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    deliveredAt: d.deliveredAt ?? null,
    log: d.log,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Subscriptions (email: public, double opt-in; webhooks: admin), deliveries, confirm and unsubscribe links. */
export function subscriptionRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const subs = services.subscriptions;

  defineRoute(router, deps, {
    method: 'post',
    path: '/api/subscriptions',
    summary:
      'Subscribe to one talk, speaker, event or recap post: {email} (public; a confirmation mail is sent) or {webhook} (admin; answers the signing secret once)',
    tags: ['notifications'],
    body: SubscriptionCreate,
    // Webhooks need the token; that is decided before the body is validated, so an
    // unauthenticated caller learns nothing about the rest.
    authorize: (ctx) => {
      const body = ctx.request.body as { webhook?: unknown } | undefined;
      if (body && typeof body === 'object' && 'webhook' in body) requireAdmin(ctx, deps.adminToken);
    },
    responses: {
      201: 'Webhook subscription created (with its secret)',
      202: 'Email subscription requested: a confirmation mail is on its way unless one was sent recently',
      400: 'Invalid body or callback URL',
      401: 'Webhook without the admin token',
      404: 'Unknown talk or event',
      429: 'Too many requests for this address or from this client',
    },
    handler: async (ctx, { body }) => {
      const filter = { talk: body.talk, speaker: body.speaker, event: body.event, post: body.post };
      const types = body.types ?? ['recording.published'];
      if (body.webhook !== undefined) {
        const sub = await subs.createWebhook({ url: body.webhook, filter, types });
        ctx.status = 201;
        ctx.set('Location', `/api/subscriptions/${sub.id}`);
        ctx.body = { subscription: subscriptionDto(sub), secret: sub.secret };
        return;
      }
      const result = await subs.subscribeEmail({ email: body.email!, filter, types, clientIp: ctx.ip });
      // The same answer whether the address was new, pending or already confirmed: nobody learns
      // from it what someone else subscribed to.
      ctx.status = 202;
      ctx.body = {
        status: 'pending',
        email: result.subscription.email,
        filter: { kind: result.subscription.filter.kind, label: result.subscription.filter.label },
        types: result.subscription.types,
        message:
          'If this address is not subscribed yet, a confirmation mail is on its way. Nothing is sent before it is confirmed.',
      };
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/subscriptions',
    summary: 'Every subscription (no secrets)',
    tags: ['notifications'],
    admin: true,
    responses: { 200: 'Subscriptions', 401: 'Missing or wrong token' },
    handler: async (ctx) => {
      const list = await subs.list();
      list.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      ctx.body = { subscriptions: list.map(subscriptionDto) };
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/subscriptions/{id}',
    summary: 'One subscription (no secret)',
    tags: ['notifications'],
    admin: true,
    params: IdParams,
    responses: { 200: 'The subscription', 401: 'Missing or wrong token', 404: 'No such subscription' },
    handler: async (ctx, { params }) => {
      ctx.body = { subscription: subscriptionDto(await subs.get(params.id)) };
    },
  });

  defineRoute(router, deps, {
    method: 'delete',
    path: '/api/subscriptions/{id}',
    summary: 'Delete a subscription and its deliveries',
    tags: ['notifications'],
    admin: true,
    params: IdParams,
    responses: { 204: 'Deleted', 401: 'Missing or wrong token', 404: 'No such subscription' },
    handler: async (ctx, { params }) => {
      await subs.delete(params.id);
      ctx.status = 204;
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/subscriptions/{id}/deliveries',
    summary: 'Deliveries of a subscription, newest first, with their attempts',
    tags: ['notifications'],
    admin: true,
    params: IdParams,
    responses: { 200: 'Deliveries', 401: 'Missing or wrong token', 404: 'No such subscription' },
    handler: async (ctx, { params }) => {
      ctx.body = { deliveries: (await subs.deliveries(params.id)).map(deliveryDto) };
    },
  });

  defineRoute(router, deps, {
    method: 'get',
    path: '/api/deliveries',
    summary: 'Deliveries in one state (default: failed), webhooks, mails and outgoing Webmentions alike',
    tags: ['notifications'],
    admin: true,
    query: DeliveryQuery,
    responses: { 200: 'Deliveries', 400: 'Bad status', 401: 'Missing or wrong token' },
    handler: async (ctx, { query }) => {
      const list = await services.store.deliveriesWithStatus(query.status);
      list.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
      ctx.body = { deliveries: list.slice(0, 500).map(deliveryDto), total: list.length };
    },
  });

  defineRoute(router, deps, {
    method: 'post',
    path: '/api/deliveries/run',
    summary:
      'Send every due notification now (webhooks, mails, Webmentions; waits for a run in progress); what the run attempted',
    tags: ['notifications'],
    admin: true,
    responses: { 200: 'Attempted, delivered, retrying and failed counts', 401: 'Missing or wrong token' },
    handler: async (ctx) => {
      ctx.body = await services.deliverer.runOnce();
    },
  });

  defineRoute(router, deps, {
    method: 'post',
    path: '/api/deliveries/{id}/redeliver',
    summary: 'Queue a delivery again, due now (same webhook-id)',
    tags: ['notifications'],
    admin: true,
    params: IdParams,
    responses: { 202: 'Queued', 401: 'Missing or wrong token', 404: 'No such delivery' },
    handler: async (ctx, { params }) => {
      ctx.status = 202;
      ctx.body = { delivery: deliveryDto(await subs.redeliver(params.id)) };
    },
  });

  // ---- the links in the mails (HTML for people) ----
  const htmlPage = (ctx: Context, status: number, title: string, body: string) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = page(title, body, '<meta name="robots" content="noindex">\n');
  };
  const linkError = (ctx: Context, err: unknown) => {
    if (!(err instanceof DomainError) || err.code !== 'NOT_FOUND') throw err;
    htmlPage(ctx, 404, 'Link not valid', `<h1>This link is not valid</h1><p>${escapeHtml(err.message)}.</p>`);
  };

  defineRoute(router, deps, {
    method: 'get',
    path: '/subscriptions/confirm',
    summary: 'Confirm an email subscription (the link in the confirmation mail)',
    tags: ['notifications'],
    query: TokenQuery,
    strictQuery: false,
    produces: ['text/html'],
    responses: { 200: 'Confirmed', 400: 'No token', 404: 'Unknown or expired link' },
    handler: async (ctx, { query }) => {
      try {
        const sub = await subs.confirm(query.token);
        htmlPage(
          ctx,
          200,
          'Subscription confirmed',
          `<h1>Subscription confirmed</h1>
<p>Talkreel will email <strong>${escapeHtml(sub.email)}</strong> about ${escapeHtml(describeFilter(sub.filter))}: ${escapeHtml(sub.types.join(', '))}.</p>
<p>Every mail has a one-click unsubscribe link.</p>`,
        );
      } catch (err) {
        linkError(ctx, err);
      }
    },
  });

  const unsubscribe = async (ctx: Context, token: string) => {
    try {
      const sub = await subs.unsubscribe(token);
      htmlPage(
        ctx,
        200,
        'Unsubscribed',
        `<h1>Unsubscribed</h1>
<p>Talkreel will no longer email <strong>${escapeHtml(sub.email)}</strong> about ${escapeHtml(describeFilter(sub.filter))}.</p>`,
      );
    } catch (err) {
      linkError(ctx, err);
    }
  };

  defineRoute(router, deps, {
    method: 'get',
    path: '/subscriptions/unsubscribe',
    summary: 'Unsubscribe (the link in every mail; one click, no login)',
    tags: ['notifications'],
    query: TokenQuery,
    strictQuery: false,
    produces: ['text/html'],
    responses: { 200: 'Unsubscribed', 400: 'No token', 404: 'Unknown link' },
    handler: (ctx, { query }) => unsubscribe(ctx, query.token),
  });

  defineRoute(router, deps, {
    method: 'post',
    path: '/subscriptions/unsubscribe',
    summary: 'RFC 8058 one-click unsubscribe (mail clients POST `List-Unsubscribe=One-Click`)',
    tags: ['notifications'],
    query: TokenQuery,
    strictQuery: false,
    consumes: ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'],
    produces: ['text/html'],
    responses: { 200: 'Unsubscribed', 400: 'No token', 404: 'Unknown link' },
    handler: (ctx, { query }) => unsubscribe(ctx, query.token),
  });
}
