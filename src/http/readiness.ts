/**
 * While the search and mention indexes build in the background (cold start), the instance answers
 * what the store alone can answer and refuses the rest with 503 `INDEX_BUILDING` and
 * `Retry-After: 1`, rather than ranking, detecting or matching against half an index.
 */
import type { Middleware } from 'koa';
import { DomainError } from '../platform/errors.ts';

/** Store reads that need no index: health, the OpenAPI document, events, a talk by its own id. */
export function servesWhileIndexing(method: string, path: string): boolean {
  if (path === '/health' || path === '/api/openapi.json') return true;
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/api/events' || path.startsWith('/api/events/') || path.startsWith('/api/talks/');
}

/** Refuses index-backed requests until `ready()` is true. */
export function readinessGate(ready: () => boolean): Middleware {
  return (ctx, next) => {
    if (ready() || servesWhileIndexing(ctx.method, ctx.path)) return next();
    throw indexBuilding();
  };
}

/** The error of a request that needs an index still being built. */
export const indexBuilding = (): DomainError =>
  new DomainError('INDEX_BUILDING', 'the search indexes are still being built; retry shortly', {
    retryAfterSeconds: 1,
  });
