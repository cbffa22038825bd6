/**
 * The serialized answer of `GET /api/talks/:id` per talk: the JSON bytes and their ETag, built
 * once and kept until a commit changes that talk. Commits arrive through the store's `onCommit`,
 * which also carries other instances' commits (PostgreSQL change log), so an entry is never
 * stale for longer than the change log takes to reach this instance.
 */
import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';

/** One cached answer. */
export type TalkAnswer = {
  /** The talk's id: entries are kept only for requests by the talk's own id. */
  readonly talkId: string;
  /** `JSON.stringify` of the talk's DTO, UTF-8. */
  readonly body: Buffer;
  /** Strong ETag of `body` (RFC 9110 §8.8.3), quoted. */
  readonly etag: string;
};

/** What the cache needs of a commit: the talks it put or deleted. */
export type TalkCommit = {
  readonly put: { readonly talks?: readonly { readonly id: string }[] };
  readonly deleted: { readonly talks?: readonly { readonly id: string }[] };
};

export class TalkAnswerCache {
  private readonly entries = new Map<string, TalkAnswer>();
  /** Bumped by every commit that touches talks: an answer built from reads made before it is not kept. */
  private generation = 0;

  /**
   * @param onCommit the store's commit stream (local and, with PostgreSQL, other instances' commits).
   * @param maxEntries answers kept; past it the oldest is dropped. @default 20000 (about 20 MB at 1 KB a talk)
   */
  constructor(
    onCommit: (listener: (commit: TalkCommit) => void) => () => void,
    private readonly maxEntries = 20_000,
  ) {
    onCommit((commit) => {
      const put = commit.put.talks ?? [];
      const deleted = commit.deleted.talks ?? [];
      if (put.length === 0 && deleted.length === 0) return;
      this.generation++;
      for (const t of put) this.entries.delete(t.id);
      for (const t of deleted) this.entries.delete(t.id);
    });
  }

  /** The answer for the talk with this exact id, if cached. */
  get(id: string): TalkAnswer | undefined {
    return this.entries.get(id);
  }

  /** The current generation, read before the talk is loaded and passed back to `put`. */
  get version(): number {
    return this.generation;
  }

  /**
   * Serialize `dto` for the talk `talkId` and keep it unless a commit touched talks since `version`
   * was read (the DTO could then predate it).
   */
  put(talkId: string, dto: unknown, version: number): TalkAnswer {
    const body = Buffer.from(JSON.stringify(dto));
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const answer: TalkAnswer = { talkId, body, etag };
    if (version === this.generation) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(talkId, answer);
    }
    return answer;
  }
}

/** Answer with a cached talk: 200 with the bytes, or 304 when `If-None-Match` names its ETag. */
export function sendTalkAnswer(ctx: Context, answer: TalkAnswer): void {
  ctx.status = 200;
  ctx.type = 'application/json';
  ctx.set('ETag', answer.etag);
  if (matchesIfNoneMatch(ctx.get('if-none-match'), answer.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.body = answer.body;
}

/**
 * `If-None-Match` evaluated as RFC 9110 §13.1.2 says (weak comparison, `*`). Unlike Koa's
 * `ctx.fresh` it does not treat `Cache-Control: no-cache` as "send it all": that directive is for
 * caches, and fetch() adds it to every conditional request it is given.
 */
function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (header === '') return false;
  if (header.trim() === '*') return true;
  for (const tag of header.split(',')) {
    const t = tag.trim();
    if (t === etag || (t.startsWith('W/') && t.slice(2) === etag)) return true;
  }
  return false;
}

const PREFIX = '/api/talks/';

/**
 * Serve `GET|HEAD /api/talks/<id>` from the cache before the body parser and the router: only a
 * request the route already answered for that exact id (so its path passed validation), with no
 * query string (the route refuses unknown query parameters with 400) and no further path segment.
 * Everything else, and every miss, goes down the normal stack.
 */
export function talkAnswerFastPath(cache: TalkAnswerCache): Middleware {
  return (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.querystring !== '') return next();
    const path = ctx.path;
    if (!path.startsWith(PREFIX) || path.indexOf('/', PREFIX.length) !== -1) return next();
    let id: string;
    try {
      id = decodeURIComponent(path.slice(PREFIX.length));
    } catch {
      return next();
    }
    const answer = cache.get(id);
    if (answer === undefined) return next();
    sendTalkAnswer(ctx, answer);
    return Promise.resolve();
  };
}
