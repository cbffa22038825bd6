import { XMLValidator } from 'fast-xml-parser';
import { DetectError, parseAtomFeed, parseJsonFeed, parseRdfFeed, parseRssFeed, ParseError } from 'feedsmith';
import type { AtomFeed, JsonFeed, MediaNs, RdfFeed, RssFeed } from 'feedsmith';

import { htmlText, parseHtml } from '../text/html-text.ts';
import { httpUrl } from '../text/urls.ts';
import { embedUrlOf, providerOf, recordingKeyOf } from '../text/video-urls.ts';
import { SourceParseError } from './source.ts';
import type { RecordingItem, RecordingSource } from './source.ts';

/**
 * Generic recording feeds: RSS 2.0 (podcasts, Vimeo channels), Atom, RDF and JSON Feed.
 *
 * This module also holds the text/date/body helpers the other source parsers share
 * (`youtube.ts`, `media-ccc.ts`): they are pure and format-agnostic.
 */

// ---- shared helpers -----------------------------------------------------------------------------

/** Longest description an item carries; longer ones are cut (with an ellipsis). */
export const MAX_DESCRIPTION = 5000;

/** Cut a text to `max` characters (never splitting a surrogate pair). Blank → undefined. */
export function capText(text: string | undefined, max = MAX_DESCRIPTION): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (t.length <= max) return t;
  let cut = t.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** One line of text: whitespace runs collapsed, trimmed. */
export function singleLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Plain text with line structure kept: CRLF → LF, spaces collapsed per line, at most one blank line in a row. */
export function normalizePlainText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`{}|\\^\u2000-\u200b\u3000]+/gi;
const TRAILING_PUNCTUATION = '.,;:!?\'"*»”’…';
const CLOSERS: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{', '>': '<' };

const count = (s: string, ch: string): number => s.split(ch).length - 1;

/** Drop sentence punctuation glued to a URL, and closing brackets it did not open. */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    if (TRAILING_PUNCTUATION.includes(last)) {
      url = url.slice(0, -1);
      continue;
    }
    const open = CLOSERS[last];
    if (open !== undefined && count(url, open) < count(url, last)) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

/** http(s) URLs written in a text, trailing punctuation trimmed, first occurrence order, no duplicates. */
export function extractUrls(text: string | undefined): string[] {
  if (!text) return [];
  const found: string[] = [];
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = httpUrl(trimUrl(match[0]));
    if (url) found.push(url);
  }
  return uniq(found);
}

const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'ul',
]);
const SKIPPED_TAGS = new Set(['script', 'style', 'noscript', 'template', 'head']);

/** Text of an HTML fragment (entities decoded, block elements on their own lines) and the http(s) links it carries. */
export function htmlToText(html: string, base?: string): { text: string; links: string[] } {
  const walked = htmlText(parseHtml(html), { skip: (el) => SKIPPED_TAGS.has(el.name), blocks: BLOCK_TAGS });
  const text = normalizePlainText(walked.text);
  const hrefs = walked.links.map((l) => httpUrl(l.href, base)).filter((h): h is string => h !== undefined);
  return { text, links: uniq([...hrefs, ...extractUrls(text)]) };
}

const HTML_MARKUP =
  /<\/?(?:a|b|blockquote|br|code|div|em|figure|h[1-6]|hr|i|iframe|img|li|ol|p|pre|s|small|span|strong|sub|sup|table|td|tr|u|ul)\b[^>]*>|&(?:[a-z][a-z0-9]*|#\d+|#x[0-9a-f]+);/i;

/** Does a description look like HTML (known tags or character references), rather than plain text? */
export function looksLikeHtml(text: string): boolean {
  return HTML_MARKUP.test(text);
}

/**
 * Description text (capped) and the links in it. `mode` says whether the raw value is HTML, plain
 * text, or unknown (`auto`: HTML only when it contains markup). Links come from the full text, before the cap.
 */
export function descriptionOf(
  raw: string | undefined,
  mode: 'html' | 'text' | 'auto',
  base?: string,
): { description: string | undefined; links: string[] } {
  if (!raw?.trim()) return { description: undefined, links: [] };
  if (mode === 'html' || (mode === 'auto' && looksLikeHtml(raw))) {
    const { text, links } = htmlToText(raw, base);
    return { description: capText(text), links };
  }
  const text = normalizePlainText(raw);
  return { description: capText(text), links: extractUrls(text) };
}

const ZONE_SUFFIX = /(?:Z|[+-]\d{2}(?::?\d{2})?|\b(?:GMT|UTC|UT|[ECMP][SD]T))\s*$/i;

/**
 * Any date a feed writes (ISO 8601, RFC 822, date-only) → ISO 8601 in UTC (`…Z`). Date-only values
 * are midnight UTC; date-times without a zone are read as UTC (never the host's zone).
 * Unparseable → undefined, never throws.
 */
export function toIsoDate(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value !== 'string') return undefined;
  let s = value.trim();
  if (!s || /^\d+$/.test(s)) return undefined;
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (ymd) {
    // Date.parse rolls 2013-02-30 over into March: refuse dates that are not on the calendar.
    const [y, m, d] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
    if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
    s = s.replace(/(\d)\s+([+-]\d{2}:?\d{2}|Z)$/i, '$1$2');
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s = `${s}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/i.test(s))
    s = `${s.replace(' ', 'T').replace(',', '.')}Z`;
  else if (/^\d{4}-\d{2}-\d{2} /.test(s)) s = s.replace(' ', 'T');
  else if (!ZONE_SUFFIX.test(s) && /\d{1,2}:\d{2}/.test(s)) s = `${s} GMT`;
  else if (!ZONE_SUFFIX.test(s) && /[a-z]/i.test(s)) s = `${s} 00:00:00 GMT`;
  const time = Date.parse(s);
  if (Number.isNaN(time)) return undefined;
  const year = new Date(time).getUTCFullYear();
  return year >= 1900 && year <= 2999 ? new Date(time).toISOString() : undefined;
}

/** Strip a byte-order mark. */
export function stripBom(body: string): string {
  return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
}

/**
 * The body without its XML prolog (declaration, processing instructions, comments, doctype).
 * A linear scan with indexOf: no backtracking regular expression ever sees untrusted input.
 */
export function withoutProlog(body: string): string {
  let rest = stripBom(body);
  for (;;) {
    rest = rest.trimStart();
    let end = -1;
    if (rest.startsWith('<?')) {
      end = rest.indexOf('?>', 2);
      if (end >= 0) end += 2;
    } else if (rest.startsWith('<!--')) {
      end = rest.indexOf('-->', 4);
      if (end >= 0) end += 3;
    } else if (/^<!doctype/i.test(rest)) {
      end = doctypeEnd(rest);
    }
    if (end < 0) return rest;
    rest = rest.slice(end);
  }
}

/** Index just after a `<!DOCTYPE …>` that may hold an internal subset `[ … ]`, or -1. */
function doctypeEnd(s: string): number {
  let inSubset = false;
  for (let i = 9; i < s.length; i += 1) {
    const c = s[i];
    if (inSubset) {
      if (c === ']') inSubset = false;
    } else if (c === '[') {
      inSubset = true;
    } else if (c === '>') {
      return i + 1;
    }
  }
  return -1;
}

/** Qualified name of the root element of an XML/HTML document (`rss`, `feed`, `rdf:RDF`, `html`). */
export function rootElementOf(body: string): string | undefined {
  return /^<([A-Za-z_][\w.:-]*)/.exec(withoutProlog(body))?.[1];
}

const localName = (qname: string): string => (qname.split(':').pop() ?? qname).toLowerCase();

/** The body with declarations and comments (but not the doctype) skipped, scanned linearly. */
function withoutPrologUpToDoctype(body: string): string {
  let rest = body;
  for (;;) {
    rest = rest.trimStart();
    const close = rest.startsWith('<?') ? rest.indexOf('?>', 2) : rest.startsWith('<!--') ? rest.indexOf('-->', 4) : -1;
    if (close < 0) return rest;
    rest = rest.slice(close + (rest.startsWith('<?') ? 2 : 3));
  }
}

/** A short, single-line excerpt of a body for error messages. */
export function snippet(body: string, max = 60): string {
  const s = singleLine(stripBom(body));
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** What a body is, for "expected X, got …" messages: `HTML (<!DOCTYPE html>…)`, `JSON (…)`, `an RSS feed (…)`. */
export function describeBody(body: string): string {
  const s = stripBom(body).trim();
  if (!s) return 'an empty body';
  const root = s.startsWith('<') ? rootElementOf(s) : undefined;
  if (/^<!doctype\s+html/i.test(withoutPrologUpToDoctype(s)) || (root && localName(root) === 'html'))
    return `HTML (${snippet(s)})`;
  if (s.startsWith('{') || s.startsWith('[')) return `JSON (${snippet(s)})`;
  if (root) {
    const name = localName(root);
    const excerpt = snippet(withoutProlog(s));
    if (name === 'rss') return `an RSS feed (${excerpt})`;
    if (name === 'feed') return `an Atom feed (${excerpt})`;
    if (name === 'rdf') return `an RDF feed (${excerpt})`;
    return `XML with root <${root}> (${excerpt})`;
  }
  return `text (${snippet(s)})`;
}

/** A problem description if the body is not well-formed XML (bare `&` is tolerated, as feed readers do). */
export function xmlProblem(body: string): string | undefined {
  const escaped = body.replace(/&(?!(?:[A-Za-z][\w.-]*|#\d+|#x[0-9A-Fa-f]+);)/g, '&amp;');
  const result = XMLValidator.validate(escaped);
  if (result === true) return undefined;
  return `${result.err.msg.replace(/\s+/g, ' ')} at line ${result.err.line}`;
}

/** Fail with `expected <what>, got <description of body>`. */
export function unexpectedBody(what: string, body: string): SourceParseError {
  return new SourceParseError(`expected ${what}, got ${describeBody(body)}`);
}

/**
 * Check an XML body: not empty, not HTML, well-formed. Returns the root element's local name
 * (lower-cased) and the body to hand to feedsmith (a bare Atom `<entry>` document wrapped in a `<feed>`).
 */
export function checkXmlBody(body: string, what: string): { root: string; xml: string } {
  const trimmed = stripBom(body).trim();
  const qname = trimmed.startsWith('<') ? rootElementOf(trimmed) : undefined;
  if (!qname || localName(qname) === 'html' || /^(?:<\?xml[^>]*>\s*)?<!doctype\s+html/i.test(trimmed))
    throw unexpectedBody(what, body);
  const problem = xmlProblem(trimmed);
  if (problem)
    throw new SourceParseError(`expected ${what}, got malformed XML (${problem}): ${snippet(withoutProlog(trimmed))}`);
  const root = localName(qname);
  if (root === 'entry')
    return { root: 'feed', xml: `<feed xmlns="http://www.w3.org/2005/Atom">${withoutProlog(trimmed)}</feed>` };
  return { root, xml: trimmed };
}

/**
 * Run a feedsmith parser. A document feedsmith recognises but finds nothing in (an empty channel,
 * a WebSub body holding only `<at:deleted-entry>` tombstones) is an empty feed, not an error.
 */
export function runFeedsmith<T>(parse: () => T, what: string, body: string): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ParseError) return undefined;
    if (error instanceof DetectError) throw unexpectedBody(what, body);
    throw new SourceParseError(
      `expected ${what}, could not parse it: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Run the per-item mapper, skipping (never throwing on) a single bad item. */
export function mapItems<T>(
  items: readonly T[] | undefined,
  map: (item: T) => RecordingItem | undefined,
): RecordingItem[] {
  const out: RecordingItem[] = [];
  for (const item of items ?? []) {
    try {
      const mapped = map(item);
      if (mapped) out.push(mapped);
    } catch {
      // one malformed item never fails the feed
    }
  }
  return out;
}

// ---- generic feeds --------------------------------------------------------------------------------

const WHAT = 'an RSS, Atom or RDF feed';

/** Where an item's URL came from decides the provider of audio-only items. */
type Picked = { url: string; from: 'link' | 'enclosure' | 'guid'; type?: string | undefined };

type Draft = {
  picked: Picked | undefined;
  title: string | undefined;
  titleIsHtml?: boolean;
  description: { raw: string | undefined; mode: 'html' | 'text' | 'auto' };
  publishedAt: unknown;
  updatedAt?: unknown;
  extraLinks: readonly (string | undefined)[];
};

function itemFrom(draft: Draft, base: string | undefined): RecordingItem | undefined {
  const picked = draft.picked;
  if (!picked) return undefined;
  const { url } = picked;
  const audio = picked.from === 'enclosure' && (/^audio\//i.test(picked.type ?? '') || providerOf(url) === 'podcast');
  const title = draft.titleIsHtml && draft.title ? htmlToText(draft.title).text : draft.title;
  const { description, links: described } = descriptionOf(draft.description.raw, draft.description.mode, url);
  const links = uniq([
    ...draft.extraLinks.map((l) => httpUrl(l, base)).filter((l): l is string => l !== undefined),
    ...described,
  ]).filter((l) => l !== url);
  return {
    key: recordingKeyOf(url),
    url,
    provider: audio ? 'podcast' : providerOf(url),
    title: singleLine(title),
    description,
    publishedAt: toIsoDate(draft.publishedAt),
    updatedAt: toIsoDate(draft.updatedAt),
    embedUrl: embedUrlOf(url),
    links: links.length > 0 ? links : undefined,
  };
}

/** Flash players (old Vimeo/YouTube feeds) are no watchable URL. */
const isPlayable = (type: string | undefined): boolean => !/shockwave|flash/i.test(type ?? '');

/** First audio/video media:content (item-level or inside a media:group) with a URL. */
function mediaContent(media: MediaNs.ItemOrFeed | undefined): MediaNs.Content | undefined {
  const contents = [...(media?.contents ?? []), ...(media?.groups ?? []).flatMap((g) => g.contents ?? [])];
  return contents.find(
    (c) =>
      c.url &&
      isPlayable(c.type) &&
      (/^(audio|video)$/i.test(c.medium ?? '') || /^(audio|video)\//i.test(c.type ?? '')),
  );
}

function mediaDescription(media: MediaNs.ItemOrFeed | undefined): string | undefined {
  return media?.description?.value ?? media?.groups?.find((g) => g.description)?.description?.value;
}

type EnclosureLike = { readonly url?: string | undefined; readonly type?: string | undefined };

function pickEnclosure(enclosures: readonly EnclosureLike[] | undefined, base: string | undefined): Picked | undefined {
  const usable = (enclosures ?? []).flatMap((e) => {
    const url = isPlayable(e.type) ? httpUrl(e.url, base) : undefined;
    return url ? [{ url, from: 'enclosure' as const, type: e.type }] : [];
  });
  return usable.find((e) => /^(audio|video)\//i.test(e.type ?? '')) ?? usable[0];
}

function rssDraft(item: RssFeed.Item<string>, base: string | undefined): Draft {
  const link = httpUrl(item.link, base);
  const guidUrl = httpUrl(item.guid?.value);
  const content = mediaContent(item.media);
  const contentUrl = httpUrl(content?.url, base);
  const enclosure =
    pickEnclosure(item.enclosures, base) ??
    (contentUrl ? { url: contentUrl, from: 'enclosure' as const, type: content?.type } : undefined);
  const picked: Picked | undefined = link
    ? { url: link, from: 'link' }
    : (enclosure ?? (guidUrl && item.guid?.isPermaLink !== false ? { url: guidUrl, from: 'guid' } : undefined));
  const descriptionRaw =
    item.description ?? item.content?.encoded ?? item.itunes?.summary ?? mediaDescription(item.media);
  return {
    picked,
    title:
      item.title ?? item.itunes?.title ?? item.dc?.titles?.[0] ?? item.media?.title?.value ?? content?.title?.value,
    description: { raw: descriptionRaw, mode: 'auto' },
    publishedAt: item.pubDate ?? item.dc?.dates?.[0] ?? item.atom?.published,
    updatedAt: item.atom?.updated,
    extraLinks: [guidUrl, enclosure?.url],
  };
}

const isHtmlType = (type: string | undefined): boolean =>
  type === 'html' || type === 'xhtml' || /html/i.test(type ?? '');

function atomDraft(entry: AtomFeed.Entry<string>, base: string | undefined): Draft {
  const links = entry.links ?? [];
  const alternates = links.filter((l) => !l.rel || l.rel === 'alternate');
  const alternate = alternates.find((l) => /html/i.test(l.type ?? '')) ?? alternates[0];
  const entryBase = entry.xml?.base ? httpUrl(entry.xml.base, base) : base;
  const link = httpUrl(alternate?.href, entryBase);
  const enclosures = links.filter((l) => l.rel === 'enclosure').map((l) => ({ url: l.href, type: l.type }));
  const content = mediaContent(entry.media);
  const contentUrl = httpUrl(content?.url, entryBase);
  const enclosure =
    pickEnclosure(enclosures, entryBase) ??
    (contentUrl ? { url: contentUrl, from: 'enclosure' as const, type: content?.type } : undefined);
  const idUrl = httpUrl(entry.id);
  const text =
    entry.summary ?? (entry.content?.value ? { value: entry.content.value, type: entry.content.type } : undefined);
  const mediaText = mediaDescription(entry.media);
  return {
    picked: link ? { url: link, from: 'link' } : (enclosure ?? (idUrl ? { url: idUrl, from: 'guid' } : undefined)),
    title: entry.title?.value ?? entry.media?.title?.value,
    titleIsHtml: isHtmlType(entry.title?.type),
    description: text
      ? { raw: text.value, mode: isHtmlType(text.type) ? 'html' : 'text' }
      : { raw: mediaText, mode: 'auto' },
    publishedAt: entry.published ?? entry.dc?.dates?.[0],
    updatedAt: entry.updated,
    extraLinks: [idUrl, enclosure?.url, ...links.filter((l) => l.rel === 'related').map((l) => l.href)],
  };
}

function rdfDraft(item: RdfFeed.Item<string>, base: string | undefined): Draft {
  const link = httpUrl(item.link, base) ?? httpUrl(item.rdf?.about, base);
  return {
    picked: link ? { url: link, from: 'link' } : undefined,
    title: item.title ?? item.dc?.titles?.[0],
    description: { raw: item.description ?? item.content?.encoded, mode: 'auto' },
    publishedAt: item.dc?.dates?.[0],
    extraLinks: [],
  };
}

function jsonDraft(item: JsonFeed.Item<string>, base: string | undefined): Draft {
  const link = httpUrl(item.url, base) ?? httpUrl(item.external_url, base);
  const attachment = pickEnclosure(
    (item.attachments ?? []).map((a) => ({ url: a.url, type: a.mime_type })),
    base,
  );
  return {
    picked: link ? { url: link, from: 'link' } : attachment,
    title: item.title,
    description: item.content_text
      ? { raw: item.content_text, mode: 'text' }
      : item.summary
        ? { raw: item.summary, mode: 'auto' }
        : { raw: item.content_html, mode: 'html' },
    publishedAt: item.date_published,
    updatedAt: item.date_modified,
    extraLinks: [httpUrl(item.external_url, base), attachment?.url],
  };
}

/** Parse an RSS 2.0 / Atom / RDF / JSON Feed body into recording items (feed order; items without a URL dropped). */
export function parseRecordingFeed(body: string, _contentType?: string): RecordingItem[] {
  const trimmed = stripBom(body).trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw unexpectedBody(WHAT, body);
    }
    const feed = runFeedsmith(() => parseJsonFeed(json), WHAT, body);
    const base = httpUrl(feed?.home_page_url) ?? httpUrl(feed?.feed_url);
    return mapItems(feed?.items, (item) => itemFrom(jsonDraft(item, base), base));
  }
  const { root, xml } = checkXmlBody(body, WHAT);
  switch (root) {
    case 'rss': {
      const feed = runFeedsmith(() => parseRssFeed(xml), WHAT, body);
      const base = httpUrl(feed?.link) ?? httpUrl(feed?.atom?.links?.find((l) => l.rel === 'self')?.href);
      return mapItems(feed?.items, (item) => itemFrom(rssDraft(item, base), base));
    }
    case 'feed': {
      const feed = runFeedsmith(() => parseAtomFeed(xml), WHAT, body);
      const links = feed?.links ?? [];
      const base =
        httpUrl(feed?.xml?.base) ??
        httpUrl(links.find((l) => !l.rel || l.rel === 'alternate')?.href) ??
        httpUrl(links.find((l) => l.rel === 'self')?.href);
      return mapItems(feed?.entries, (entry) => itemFrom(atomDraft(entry, base), base));
    }
    case 'rdf': {
      const feed = runFeedsmith(() => parseRdfFeed(xml), WHAT, body);
      const base = httpUrl(feed?.link);
      return mapItems(feed?.items, (item) => itemFrom(rdfDraft(item, base), base));
    }
    default:
      throw unexpectedBody(WHAT, body);
  }
}

export const feedSource: RecordingSource = {
  kind: 'feed',
  accept:
    'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5',
  parse: parseRecordingFeed,
};
