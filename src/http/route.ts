import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { DomainError } from '../platform/errors.ts';
import { secureEqual } from '../platform/secure-compare.ts';
import type { TalkAnswerCache } from './talk-answer-cache.ts';

type AnyObject = z.ZodObject<z.ZodRawShape>;

/** One HTTP operation: its schemas feed both validation and the OpenAPI document. */
export type RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> = {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path, `/api/talks/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly tags?: string[];
  /** Requires `Authorization: Bearer <admin token>`. */
  readonly admin?: boolean;
  readonly params?: P;
  readonly query?: Q;
  /** JSON body schema. */
  readonly body?: B;
  /** Content types the body may come in. @default ['application/json'] when `body` is set */
  readonly consumes?: readonly string[];
  readonly responses: Readonly<Record<number, string>>;
  /** Custom authorization, run before any validation (so an unauthenticated caller learns nothing). */
  readonly authorize?: (ctx: Context) => void;
  /** Refuse unknown query parameters with 400. Permanent pages set false: links get `utm_…`/`fbclid` added. @default true */
  readonly strictQuery?: boolean;
  readonly produces?: readonly string[];
  readonly handler: (
    ctx: Context,
    input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> },
  ) => Promise<void> | void;
};

export type RouteDeps = {
  readonly adminToken: string | undefined;
  readonly registry: OpenAPIRegistry;
  /** Serialized `GET /api/talks/:id` answers, shared by the route and the app's fast path. */
  readonly talkAnswers: TalkAnswerCache;
};

const ERROR_SCHEMA = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) });

/** Register a route on the router and its description in the OpenAPI registry. */
export function defineRoute<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodUnknown,
>(router: Router, deps: RouteDeps, spec: RouteSpec<P, Q, B>): void {
  const koaPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  const consumes = spec.consumes ?? (spec.body ? ['application/json'] : []);
  deps.registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: spec.tags ?? [],
    ...(spec.admin ? { security: [{ bearer: [] }] } : {}),
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(consumes.length > 0
        ? {
            body: {
              content: Object.fromEntries(
                consumes.map((c) => [c, { schema: c === 'application/json' && spec.body ? spec.body : z.string() }]),
              ),
            },
          }
        : {}),
    },
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([status, description]) => [
        status,
        {
          description,
          ...(Number(status) >= 400
            ? { content: { 'application/json': { schema: ERROR_SCHEMA } } }
            : Number(status) === 204 || Number(status) === 302 || Number(status) === 304
              ? {}
              : {
                  content: Object.fromEntries(
                    (spec.produces ?? ['application/json']).map((c) => [c, { schema: z.unknown() }]),
                  ),
                }),
        },
      ]),
    ),
  });

  // Built once: unknown query parameters are refused (strict).
  const paramsSchema = spec.params ?? z.object({});
  const querySchema = spec.strictQuery === false ? (spec.query ?? z.object({})) : (spec.query ?? z.object({})).strict();
  router[spec.method](koaPath, async (ctx) => {
    if (spec.admin) requireAdmin(ctx, deps.adminToken);
    spec.authorize?.(ctx);
    if (consumes.length > 0 && spec.method !== 'get' && spec.method !== 'delete') {
      if (!ctx.request.is(...consumes)) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `expected a body of type ${consumes.join(' or ')}`, {
          contentType: ctx.get('content-type') || null,
        });
      }
    }
    const params = parse(paramsSchema, ctx.params ?? {}, 'path');
    const query = parse(querySchema, ctx.query, 'query');
    const body =
      spec.body && consumes.includes('application/json') && ctx.request.is('application/json')
        ? parse(spec.body, ctx.request.body, 'body')
        : ctx.request.body;
    await spec.handler(ctx, { params, query, body } as { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> });
  });
}

/** Validate `value`; failures become 400 VALIDATION_FAILED with one entry per problem and its field path. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'path' | 'query' | 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    in: where,
    path:
      i.path.map(String).join('.') ||
      (i.code === 'unrecognized_keys' ? ((i as { keys?: string[] }).keys?.join(',') ?? '') : ''),
    message: i.message,
  }));
  const first = details[0];
  throw new DomainError(
    'VALIDATION_FAILED',
    `invalid ${where}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
    details,
  );
}

/** Does the request carry the admin token? (No error: for routes that are public but kinder to admins.) */
export function isAdmin(ctx: Context, token: string | undefined): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim();
  return token !== undefined && given !== undefined && secureEqual(given, token);
}

export function requireAdmin(ctx: Context, token: string | undefined): void {
  const header = ctx.get('authorization');
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (!token)
    throw new DomainError('UNAUTHORIZED', 'admin writes are disabled: set TALKREEL_ADMIN_TOKEN on the server');
  if (!given || !secureEqual(given, token)) {
    ctx.set('WWW-Authenticate', 'Bearer realm="talkreel"');
    throw new DomainError('UNAUTHORIZED', given ? 'wrong admin token' : 'missing Authorization: Bearer <admin token>');
  }
}

/** Build the OpenAPI 3 document from everything registered. */
export function openApiDocument(registry: OpenAPIRegistry, serverUrl: string): unknown {
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Talkreel API',
      version: '1',
      description: 'Catalogue of recorded conference talks, their recordings and the recap posts that mention them.',
    },
    servers: [{ url: serverUrl }],
  });
}

export { OpenAPIRegistry };
