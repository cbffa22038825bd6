/**
 * Sending one W3C Webmention (https://www.w3.org/TR/webmention/#sender-notifies-receiver): discover
 * the target's endpoint (§3.1.2), then POST `source` and `target` to it as a form (§3.1.3).
 * `discoverEndpoint` is pure; `sendWebmention` does the two requests and sorts every way they can
 * end into sent, nothing to do, try again later, or give up.
 *
 * @module
 */
import LinkHeader from 'http-link-header';
import { Parser } from 'htmlparser2';
import { deadline, FetchError, type HttpClient } from '../platform/http-client.ts';
import { parseHttpUrl } from '../text/urls.ts';

/** How one send ended, and so what the outbox does next. */
export type WebmentionSendResult =
  /** The endpoint accepted it (200, 201 or 202). */
  | { readonly outcome: 'sent'; readonly endpoint: string; readonly httpStatus: number }
  /** The target advertises no endpoint: nothing to do, do not retry. */
  | { readonly outcome: 'no-endpoint' }
  /** 408, 429, 5xx, timeout or network failure, of the target page or the endpoint: try again later. */
  | { readonly outcome: 'retry'; readonly error: string; readonly httpStatus?: number; readonly retryAfter?: string }
  /** Any other 4xx, a blocked or invalid URL, a redirect from the endpoint: permanent. */
  | { readonly outcome: 'failed'; readonly error: string; readonly httpStatus?: number };

/** Options of {@link sendWebmention}. */
export type WebmentionSendOptions = {
  /** Aborts the send (shutdown); an aborted send ends as `retry`. @default none */
  readonly signal?: AbortSignal | undefined;
  /** Deadline of the whole send, discovery GET and POST together, in ms. @default the client's `timeoutMs` */
  readonly timeoutMs?: number | undefined;
};

/** The fetched target page, as {@link discoverEndpoint} reads it. */
export type DiscoveryPage = {
  /** The page's URL after redirects: relative endpoints resolve against it (§3.1.2). */
  readonly finalUrl: string;
  /** The raw `Link` header(s), joined with `, `. */
  readonly link: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
};

const ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';
const HTML_TYPE = /^\s*(text\/html|application\/xhtml\+xml)\s*(;|$)/i;

/**
 * The Webmention endpoint a fetched target page advertises, as an absolute http(s) URL, or
 * undefined. Per §3.1.2: the first `Link` header value with rel `webmention` wins; otherwise (and
 * only for an HTML page) the first `<link>` or `<a>` element in document order whose rel holds
 * `webmention` and that has an `href`. Rel values are space-separated tokens compared without
 * case. A relative URL resolves against the page's final URL (an empty href is the page itself);
 * the endpoint's query string is kept. The first advertised endpoint decides: if it is not an
 * http(s) URL there is no usable endpoint (later candidates are not tried, as the spec picks one).
 */
export function discoverEndpoint(targetUrl: string, page: DiscoveryPage): string | undefined {
  const base = page.finalUrl || targetUrl;
  const href =
    (page.link === undefined ? undefined : endpointInLinkHeader(page.link)) ??
    (page.contentType !== undefined && HTML_TYPE.test(page.contentType) ? endpointInHtml(page.body) : undefined);
  if (href === undefined) return undefined;
  const url = parseHttpUrl(href, base);
  if (!url) return undefined;
  url.hash = '';
  return url.href;
}

const hasWebmentionRel = (rel: string): boolean =>
  rel
    .toLowerCase()
    .split(/[\t\n\f\r ]+/)
    .includes('webmention');

/** The URI of the first `Link` value with rel `webmention`, as written; undefined when none or unparsable. */
function endpointInLinkHeader(header: string): string | undefined {
  let parsed: LinkHeader;
  try {
    parsed = LinkHeader.parse(header);
  } catch {
    // A header we cannot read advertises nothing we can trust; the HTML may still say it.
    return undefined;
  }
  return parsed.refs.find((ref) => typeof ref.rel === 'string' && hasWebmentionRel(ref.rel))?.uri;
}

/**
 * The href of the first `<link>`/`<a>` with rel `webmention` and an href, character references
 * decoded. A real parser, not a regular expression: comments, escaped markup and script text
 * hold no elements (webmention.rocks tests 13 and 14).
 */
function endpointInHtml(html: string): string | undefined {
  let found: string | undefined;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (found !== undefined || (name !== 'link' && name !== 'a')) return;
        const { rel, href } = attribs;
        if (rel === undefined || href === undefined || !hasWebmentionRel(rel)) return;
        found = href;
        parser.pause();
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  if (found === undefined) parser.end();
  return found;
}

/**
 * Send a Webmention from `source` (our page) to `target` (the page it links to): discover the
 * target's endpoint, then POST `source=…&target=…` (x-www-form-urlencoded) to it. Never follows a
 * redirect from the endpoint (the client refuses to, and a moved endpoint is the receiver's
 * problem to advertise). Throws only on a programming error; every network or HTTP outcome is a
 * {@link WebmentionSendResult}.
 */
export async function sendWebmention(
  http: HttpClient,
  source: string,
  target: string,
  opts: WebmentionSendOptions = {},
): Promise<WebmentionSendResult> {
  if (!parseHttpUrl(source)) return { outcome: 'failed', error: `source ${source} is not an http(s) URL` };
  if (!parseHttpUrl(target)) return { outcome: 'failed', error: `target ${target} is not an http(s) URL` };
  const deadline = deadlineSignal(opts.timeoutMs, opts.signal);
  try {
    let page;
    try {
      page = await http.get({ url: target, accept: ACCEPT, signal: deadline.signal });
    } catch (err) {
      return fromFetchError(err);
    }
    if (page.status !== 'ok')
      return { outcome: 'failed', error: `GET ${target}: answered 304 Not Modified to an unconditional request` };
    const endpoint = discoverEndpoint(target, page);
    if (endpoint === undefined) return { outcome: 'no-endpoint' };
    let res;
    try {
      res = await http.post({
        url: endpoint,
        body: new URLSearchParams({ source, target }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        timeoutMs: opts.timeoutMs,
        signal: deadline.signal,
      });
    } catch (err) {
      return fromFetchError(err);
    }
    const status = res.httpStatus;
    if (status >= 200 && status < 300) return { outcome: 'sent', endpoint, httpStatus: status };
    const error = `POST ${endpoint}: answered HTTP ${status}`;
    if (status >= 300 && status < 400)
      return { outcome: 'failed', error: `${error} (redirect to ${res.location ?? 'nowhere'})`, httpStatus: status };
    if (isTransient(status)) return retry(error, status, res.retryAfter);
    return { outcome: 'failed', error, httpStatus: status };
  } finally {
    deadline.clear();
  }
}

/** 408 Request Timeout, 429 Too Many Requests and server errors pass; other statuses will not change. */
const isTransient = (status: number): boolean => status === 408 || status === 429 || status >= 500;

function retry(error: string, httpStatus?: number, retryAfter?: string): WebmentionSendResult {
  return {
    outcome: 'retry',
    error,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  };
}

/** A failed GET of the target or a POST that got no answer, sorted into retry or failed. */
function fromFetchError(err: unknown): WebmentionSendResult {
  if (!(err instanceof FetchError)) throw err;
  switch (err.kind) {
    case 'timeout':
    case 'network':
      return retry(err.message);
    case 'http':
      if (err.httpStatus !== undefined && isTransient(err.httpStatus))
        return retry(err.message, err.httpStatus, err.retryAfter);
      return failed(err);
    case 'gone':
    case 'blocked':
    case 'invalid-url':
    case 'too-large':
    case 'too-many-redirects':
      return failed(err);
    default: {
      const unknownKind: never = err.kind;
      throw new Error(`unhandled fetch error kind ${String(unknownKind)}`, { cause: err });
    }
  }
}

function failed(err: FetchError): WebmentionSendResult {
  return {
    outcome: 'failed',
    error: err.message,
    ...(err.httpStatus === undefined ? {} : { httpStatus: err.httpStatus }),
  };
}

/** {@link deadline} when `ms` is given, else just the caller's signal. */
function deadlineSignal(
  ms: number | undefined,
  outer: AbortSignal | undefined,
): { signal: AbortSignal | undefined; clear(): void } {
  return ms === undefined ? { signal: outer, clear() {} } : deadline(ms, outer);
}
