import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { randomUUID } from 'node:crypto';
import type { Services } from '../app/services.ts';
import { errorMiddleware } from './errors.ts';
import { setSecurityHeaders } from './security.ts';
import { detectAdmission } from './routes/posts.ts';
import { DomainError } from '../platform/errors.ts';
import { OpenAPIRegistry, type RouteDeps } from './route.ts';
import { catalogueRoutes } from './routes/catalogue.ts';
import { TalkAnswerCache, talkAnswerFastPath } from './talk-answer-cache.ts';
import { readinessGate } from './readiness.ts';
import { pageRoutes } from './routes/pages.ts';

/** Adds a module's routes to the app's single router. */
export type ExtraRoutes = (services: Services, deps: RouteDeps, router: Router) => void;

/** Build the Koa app over the services. Never listens: `main.ts` and the tests own `listen`. */
export function createApp(services: Services, extra: readonly ExtraRoutes[] = []): Koa {
  const app = new Koa({ proxy: false });
  const logger = services.logger.child({ module: 'http' });
  const talkAnswers = new TalkAnswerCache((listener) => services.store.onCommit(listener));
  const deps: RouteDeps = { adminToken: services.config.adminToken, registry: new OpenAPIRegistry(), talkAnswers };

  app.on('error', (err: unknown) => logger.error({ err }, 'koa error'));
  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    const id = ctx.get('x-request-id').slice(0, 100) || randomUUID();
    ctx.set('X-Request-Id', id);
    setSecurityHeaders(ctx);
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled('debug') || ctx.status >= 500) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger[ctx.status >= 500 ? 'error' : 'debug'](
          { reqId: id, method: ctx.method, path: ctx.path, status: ctx.status, ms },
          'request',
        );
      }
    }
  });
  app.use(errorMiddleware(logger));
  // Talks already answered are served here, before the body parser and the router (issue 13).
  app.use(talkAnswerFastPath(talkAnswers));
  app.use(readinessGate(() => services.indexes.ready));
  // Public but expensive: anonymous detection is admitted (size, rate) before its body is read.
  const admitDetect = detectAdmission(services.config.adminToken, services.store);
  app.use(async (ctx, next) => {
    await admitDetect(ctx);
    // Raw-body routes (schedule upload) read the stream themselves.
    if (ctx.path.endsWith('/schedule') || ctx.path === '/api/schedules') ctx.disableBodyParser = true;
    await next();
  });
  const limit = services.config.maxBodyBytes;
  app.use(
    bodyParser({
      enableTypes: ['json', 'form', 'text'],
      jsonLimit: limit,
      formLimit: limit,
      textLimit: limit,
      encoding: 'utf-8',
      onError: (err, ctx) => {
        const status = (err as { status?: number }).status;
        if (status === 400 && ctx.request.is('json')) {
          throw new DomainError('BAD_JSON', `request body is not valid JSON: ${err.message}`, null, { cause: err });
        }
        throw err;
      },
    }),
  );

  // One router for every module: a request is matched once, not once per module.
  const router = new Router();
  for (const build of [catalogueRoutes, pageRoutes, ...extra]) build(services, deps, router);
  app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  return app;
}

declare module 'koa' {
  interface BaseContext {
    disableBodyParser?: boolean;
  }
}
