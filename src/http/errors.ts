import type { Context, Next } from 'koa';
import type { Logger } from '../platform/logger.ts';
import { DomainError, type ErrorCode } from '../platform/errors.ts';
import { StoreUnavailableError } from '../store/errors.ts';
import { renderErrorPage } from '../embed/page-error.ts';

/** The one table from error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  TALK_NOT_FOUND: 404,
  SOURCE_NOT_FOUND: 404,
  POST_NOT_FOUND: 404,
  BLOG_NOT_FOUND: 404,
  RECORDING_NOT_FOUND: 404,
  RECORDING_PENDING: 404,
  RECORDING_WITHDRAWN: 404,
  NOT_RECORDED: 404,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SCHEDULE_INVALID: 422,
  UNPROCESSABLE: 422,
  FETCH_FAILED: 502,
  URL_NOT_ALLOWED: 400,
  STORE_UNAVAILABLE: 503,
  INDEX_BUILDING: 503,
  DETECTION_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
};

export type ErrorBody = { error: { code: string; message: string; details: unknown } };

/** Map thrown errors (domain, body parser, unknown) to the `{error:{code,message,details}}` envelope. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; expose: boolean } {
  if (err instanceof DomainError) {
    return {
      status: STATUS_BY_CODE[err.code],
      body: { error: { code: err.code, message: err.message, details: err.details ?? null } },
      expose: true,
    };
  }
  if (err instanceof StoreUnavailableError) {
    // The database is away (restart, network): the request changed nothing; the pool reconnects by itself.
    return {
      status: 503,
      body: {
        error: { code: 'STORE_UNAVAILABLE', message: 'the store is unavailable; try again shortly', details: null },
      },
      expose: true,
    };
  }
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
  const status = e.status ?? e.statusCode;
  if (e.type === 'entity.too.large' || status === 413) {
    return {
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large', details: null } },
      expose: true,
    };
  }
  const zlibCode = (err as { code?: unknown }).code;
  // zlib (`Z_DATA_ERROR`, …) and brotli (`ERR__ERROR_FORMAT_…`) decoding errors.
  if (typeof zlibCode === 'string' && (/^Z_/.test(zlibCode) || /^ERR__ERROR_/.test(zlibCode))) {
    // `Content-Encoding: gzip` (or deflate, br) on a body that is not: the client's mistake.
    return {
      status: 400,
      body: {
        error: {
          code: 'BAD_CONTENT_ENCODING',
          message: 'the request body does not decode as its Content-Encoding says',
          details: { reason: zlibCode },
        },
      },
      expose: true,
    };
  }
  if (e.type === 'entity.parse.failed') {
    return {
      status: 400,
      body: {
        error: {
          code: 'BAD_JSON',
          message: `request body is not valid JSON: ${e.message ?? ''}`.trim(),
          details: null,
        },
      },
      expose: true,
    };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code =
      status === 404
        ? 'NOT_FOUND'
        : status === 405
          ? 'METHOD_NOT_ALLOWED'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'BAD_REQUEST';
    return {
      status,
      body: {
        error: {
          code,
          message: e.expose && e.message ? e.message : code.toLowerCase().replace(/_/g, ' '),
          details: null,
        },
      },
      expose: true,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error', details: null } },
    expose: false,
  };
}

/**
 * Browsers get an HTML error page, API clients the JSON envelope: HTML only when the client
 * prefers `text/html` to `application/json` (JSON is listed first, so `*\/*` and a missing
 * `Accept` keep JSON).
 */
function sendError(ctx: Context, status: number, body: ErrorBody): void {
  ctx.vary('Accept');
  ctx.status = status;
  if (ctx.accepts('json', 'html') === 'html') {
    ctx.type = 'html';
    ctx.body = renderErrorPage({ status, code: body.error.code, message: body.error.message });
  } else {
    ctx.body = body;
  }
}

/** First middleware: renders every error as the JSON envelope (or a page), logs unexpected ones with `err`. */
export function errorMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendError(ctx, 404, {
          error: { code: 'NOT_FOUND', message: `no route for ${ctx.method} ${ctx.path}`, details: null },
        });
      }
    } catch (err) {
      const { status, body, expose } = toErrorResponse(err);
      if (!expose) logger.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      const retryAfter = (body.error.details as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
      if (status === 503) {
        logger.warn(
          { err: (err as Error).message, code: body.error.code, method: ctx.method, path: ctx.path },
          body.error.code === 'STORE_UNAVAILABLE' ? 'store unavailable' : 'service unavailable',
        );
        ctx.set('Retry-After', typeof retryAfter === 'number' ? String(retryAfter) : '5');
      }
      if (status === 429 && typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
      sendError(ctx, status, body);
    }
  };
}
