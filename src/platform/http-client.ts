import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import ipaddr from 'ipaddr.js';

/** Options of the outbound HTTP client. */
export type HttpClientOptions = {
  /** Whole-request timeout. @default 15000 */
  readonly timeoutMs: number;
  /** Largest response body accepted, bytes. @default 5 MiB */
  readonly maxBytes: number;
  /** @default 5 */
  readonly maxRedirects: number;
  /** Permit loopback, private, link-local and other non-public targets. @default false */
  readonly allowPrivateNetwork: boolean;
  /** @default 'Talkreel/0.1 (+https://github.com/talkreel)' */
  readonly userAgent?: string | undefined;
};

export type FetchRequest = {
  readonly url: string;
  readonly accept?: string | undefined;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  readonly signal?: AbortSignal | undefined;
};

export type FetchResponse =
  | { readonly status: 'not-modified'; readonly finalUrl: string }
  | {
      readonly status: 'ok';
      readonly finalUrl: string;
      readonly httpStatus: number;
      readonly body: string;
      readonly contentType: string | undefined;
      readonly etag: string | undefined;
      readonly lastModified: string | undefined;
      /** The raw `Link` header(s), joined with `, ` (Webmention endpoint discovery). */
      readonly link: string | undefined;
    };

/** A POST of a prepared body (webhook, Webmention, WebSub publish ping). */
export type PostRequest = {
  readonly url: string;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Deadline of the whole exchange (connect, headers, body). @default the client's `timeoutMs` */
  readonly timeoutMs?: number | undefined;
  /** Largest response body read, bytes. @default 64 KiB */
  readonly maxBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
};

/** Any HTTP answer to a POST; redirects are returned, never followed. */
export type PostResponse = {
  readonly httpStatus: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
  readonly location: string | undefined;
};

export type FetchErrorKind =
  'blocked' | 'timeout' | 'too-large' | 'too-many-redirects' | 'http' | 'network' | 'gone' | 'invalid-url';

/** A failed outbound fetch: says what happened to which URL and keeps the cause. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  /** The raw `Retry-After` header of an error response (delay in seconds or an HTTP-date), if sent. */
  readonly retryAfter: string | undefined;
  constructor(
    readonly kind: FetchErrorKind,
    readonly url: string,
    message: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown; retryAfter?: string | undefined; method?: string },
  ) {
    super(`${options?.method ?? 'GET'} ${url}: ${message}`, options);
    this.retryAfter = options?.retryAfter;
  }
}

export type HttpClient = {
  /** GET with conditional headers, limits and the private-network guard. Throws FetchError. */
  get(req: FetchRequest): Promise<FetchResponse>;
  /**
   * POST with the same guard and a hard deadline. Answers every HTTP status (the caller decides
   * what a 410 or a redirect means); throws FetchError only when no answer came (blocked, timeout,
   * network, too large).
   */
  post(req: PostRequest): Promise<PostResponse>;
  /** Throws FetchError('blocked' | 'invalid-url') when the URL may not be fetched. Does not resolve DNS. */
  checkUrl(url: string): void;
};

/** True for addresses outside the public unicast range (loopback, RFC 1918, link-local, ULA, …). */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // An IPv4 address inside IPv6 is judged as that IPv4 address: mapped `::ffff:a.b.c.d`, and the
    // deprecated IPv4-compatible `::a.b.c.d` (`[::127.0.0.1]` is written `[::7f00:1]` by URL parsers).
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.parts.slice(0, 6).every((p) => p === 0) && (v6.parts[6] !== 0 || v6.parts[7]! > 1)) {
      const [hi, lo] = [v6.parts[6]!, v6.parts[7]!];
      parsed = ipaddr.fromByteArray([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
    }
  }
  return parsed.range() !== 'unicast';
}

/** Build the axios-based client. Every request gets the timeout, size cap, redirect cap and guard. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const guardedLookup: LookupFunction = (hostname, opts, callback) => {
    dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad && !options.allowPrivateNetwork) {
        const e = Object.assign(new Error(`${hostname} resolves to non-public address ${bad.address}`), {
          code: 'EBLOCKED',
        });
        return callback(e, '', 0);
      }
      if ((opts as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
  const agentOptions = { keepAlive: true, maxSockets: 16, lookup: guardedLookup };
  const instance: AxiosInstance = axios.create({
    timeout: options.timeoutMs,
    maxContentLength: options.maxBytes,
    maxBodyLength: options.maxBytes,
    maxRedirects: options.maxRedirects,
    responseType: 'text',
    transitional: { forcedJSONParsing: false, silentJSONParsing: true, clarifyTimeoutError: true },
    transformResponse: [(data: unknown) => data],
    decompress: true,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    validateStatus: () => true,
    headers: { 'User-Agent': options.userAgent ?? 'Talkreel/0.1 (+https://github.com/talkreel)' },
  });

  const checkUrl = (url: string): void => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new FetchError('invalid-url', url, 'not a valid URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new FetchError('invalid-url', url, `only http(s) URLs can be fetched, not ${u.protocol}`);
    if (u.username || u.password) throw new FetchError('invalid-url', url, 'URLs with credentials are not fetched');
    // `[::1]` → `::1`; `localhost.` (fully qualified) → `localhost`.
    const host = u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (!options.allowPrivateNetwork) {
      if (ipaddr.isValid(host) && isPrivateAddress(host))
        throw new FetchError(
          'blocked',
          url,
          `${host} is a non-public address (set TALKREEL_ALLOW_PRIVATE_NETWORK=on to allow)`,
        );
      if (host === 'localhost' || host.endsWith('.localhost'))
        throw new FetchError(
          'blocked',
          url,
          'localhost is not fetched (set TALKREEL_ALLOW_PRIVATE_NETWORK=on to allow)',
        );
    }
  };

  return {
    checkUrl,
    async get(req) {
      checkUrl(req.url);
      const headers: Record<string, string> = {};
      if (req.accept) headers.Accept = req.accept;
      if (req.etag) headers['If-None-Match'] = req.etag;
      if (req.lastModified) headers['If-Modified-Since'] = req.lastModified;
      let res: AxiosResponse<string>;
      // axios' own timeout stops once headers arrive; this deadline bounds the whole exchange, so a
      // server trickling bytes cannot hold a request (and the run) open. A plain timer, not
      // `AbortSignal.any([…, AbortSignal.timeout()])`, which Node 20 may garbage-collect unfired.
      const timer = deadline(options.timeoutMs, req.signal);
      try {
        res = await instance.get<string>(req.url, {
          headers,
          signal: timer.signal,
          // Redirect targets pass the same literal-address check (DNS names are checked at connect time).
          beforeRedirect: (opts: { href?: string; protocol?: string; hostname?: string }) => {
            const next = opts.href ?? `${opts.protocol ?? 'http:'}//${opts.hostname ?? ''}`;
            checkUrl(next);
          },
        });
      } catch (err) {
        throw toFetchError(req.url, err);
      } finally {
        timer.clear();
      }
      const finalUrl = (res.request as { res?: { responseUrl?: string } } | undefined)?.res?.responseUrl ?? req.url;
      if (res.status === 304) return { status: 'not-modified', finalUrl };
      const header = (name: string): string | undefined => {
        const v = res.headers[name] as unknown;
        return typeof v === 'string' ? v : undefined;
      };
      if (res.status === 410) throw new FetchError('gone', req.url, 'answered 410 Gone', 410);
      if (res.status < 200 || res.status >= 300)
        throw new FetchError('http', req.url, `answered HTTP ${res.status}`, res.status, {
          retryAfter: header('retry-after'),
        });
      return {
        status: 'ok',
        finalUrl,
        httpStatus: res.status,
        body: typeof res.data === 'string' ? res.data : String(res.data ?? ''),
        contentType: header('content-type'),
        etag: header('etag'),
        lastModified: header('last-modified'),
        link: headerList(res.headers['link']),
      };
    },

    async post(req) {
      checkUrl(req.url);
      const timer = deadline(req.timeoutMs ?? options.timeoutMs, req.signal);
      let res: AxiosResponse<string>;
      try {
        res = await instance.post<string>(req.url, req.body, {
          headers: { ...req.headers, 'Content-Type': req.contentType },
          timeout: req.timeoutMs ?? options.timeoutMs,
          maxRedirects: 0,
          maxContentLength: req.maxBytes ?? 64 * 1024,
          signal: timer.signal,
        });
      } catch (err) {
        throw toFetchError(req.url, err, 'POST');
      } finally {
        timer.clear();
      }
      return {
        httpStatus: res.status,
        body: typeof res.data === 'string' ? res.data : String(res.data ?? ''),
        retryAfter: headerList(res.headers['retry-after']),
        location: headerList(res.headers['location']),
      };
    },
  };
}

/** A header value as one string (repeated headers joined), or undefined. */
function headerList(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  return undefined;
}

/**
 * An abort signal that fires after `ms` or when `outer` aborts. A plain timer held by this
 * closure (not `AbortSignal.timeout` inside `AbortSignal.any`, which Node 20 may garbage-collect
 * before it fires), cleared by the caller when the exchange ends.
 */
export function deadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timeout of ${ms} ms exceeded`)), ms);
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

function toFetchError(url: string, err: unknown, method = 'GET'): FetchError {
  if (err instanceof FetchError) return err;
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(err);
  if (code === 'EBLOCKED' || /non-public address/.test(message))
    return new FetchError('blocked', url, message, undefined, { cause: err, method });
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || /timeout/i.test(message))
    return new FetchError('timeout', url, `timed out (${message})`, undefined, { cause: err, method });
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(message))
    return new FetchError('too-large', url, 'response exceeds the size limit', undefined, { cause: err, method });
  if (/maxContentLength|maxBodyLength/i.test(message))
    return new FetchError('too-large', url, 'response exceeds the size limit', undefined, { cause: err, method });
  if (code === 'ERR_FR_TOO_MANY_REDIRECTS' || /redirect/i.test(message))
    return new FetchError('too-many-redirects', url, 'too many redirects', undefined, { cause: err, method });
  if (code === 'ERR_CANCELED')
    return new FetchError('timeout', url, 'timed out or aborted', undefined, { cause: err, method });
  return new FetchError('network', url, `${code ? `${code}: ` : ''}${message}`, undefined, { cause: err, method });
}
