/** Stable error codes. The HTTP layer maps them to statuses in one table (src/http/errors.ts). */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'BAD_JSON'
  | 'NOT_FOUND'
  | 'EVENT_NOT_FOUND'
  | 'TALK_NOT_FOUND'
  | 'SOURCE_NOT_FOUND'
  | 'POST_NOT_FOUND'
  | 'BLOG_NOT_FOUND'
  | 'RECORDING_NOT_FOUND'
  | 'RECORDING_PENDING'
  | 'RECORDING_WITHDRAWN'
  | 'NOT_RECORDED'
  | 'CONFLICT'
  | 'UNAUTHORIZED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SCHEDULE_INVALID'
  | 'UNPROCESSABLE'
  | 'FETCH_FAILED'
  | 'URL_NOT_ALLOWED'
  | 'STORE_UNAVAILABLE'
  /** The search and mention indexes are still being built at start-up (retry shortly). */
  | 'INDEX_BUILDING'
  /** Mention detection cannot take the post now (worker starting or restarting, queue full, deadline). */
  | 'DETECTION_UNAVAILABLE'
  | 'RATE_LIMITED'
  /** A representation the server does not produce (oEmbed `format=`). */
  | 'NOT_IMPLEMENTED';

/** A failure the caller can act on. Never carries HTTP types; `details` is JSON-safe. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (code: ErrorCode, what: string, id: string): DomainError =>
  new DomainError(code, `${what} "${id}" not found`, { id });
