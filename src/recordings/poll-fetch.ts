import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import { sources as registry } from './registry.ts';
import type { RecordingItem } from './source.ts';
import { SourceParseError } from './source.ts';
import type { Source } from './types.ts';

/** What fetching one source came to. Never a thrown error: a failing source must not sink the run. */
export type FetchOutcome =
  | { kind: 'ok'; items: RecordingItem[]; cache: { etag: string | undefined; lastModified: string | undefined } }
  | { kind: 'not-modified' }
  | { kind: 'aborted' }
  | { kind: 'failed'; error: string; retryAfter?: string | undefined };

/** Conditional GET of a source (its cached ETag / Last-Modified) and the parse of its body by the source's kind. */
export async function fetchSource(
  http: HttpClient,
  source: Source,
  signal: AbortSignal | undefined,
): Promise<FetchOutcome> {
  const kind = registry[source.kind];
  try {
    const res = await http.get({
      url: source.url,
      accept: kind.accept,
      etag: source.cache.etag,
      lastModified: source.cache.lastModified,
      signal,
    });
    if (res.status === 'not-modified') return { kind: 'not-modified' };
    const items = kind.parse(res.body, res.contentType);
    return { kind: 'ok', items, cache: { etag: res.etag, lastModified: res.lastModified } };
  } catch (err) {
    // Shutting down is not the source's fault: no failure, no backoff.
    if (signal?.aborted) return { kind: 'aborted' };
    // 429 and 503 may say when to come back (RFC 9110 §10.2.3, RFC 6585 §4).
    if (err instanceof FetchError && (err.httpStatus === 429 || err.httpStatus === 503))
      return { kind: 'failed', error: err.message, retryAfter: err.retryAfter };
    if (err instanceof FetchError || err instanceof SourceParseError) return { kind: 'failed', error: err.message };
    return { kind: 'failed', error: `unexpected: ${(err as Error).message}` };
  }
}
