import { htmlText, parseHtml } from '../text/html-text.ts';
import { httpUrl } from '../text/urls.ts';

/**
 * Text, link and date helpers every recording source parser shares (`feed.ts`, `youtube.ts`,
 * `media-ccc.ts`): descriptions capped and turned into plain text, the links written in them, and
 * feed dates in UTC. Pure and format-agnostic.
 */

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
