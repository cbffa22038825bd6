/**
 * The frame every Talkreel page shares: landmarks (`header` with the site `nav`, `main`,
 * `footer`), a skip link, the page script and helpers for the `<head>` (JSON-LD, meta tags,
 * status badges). Pure: strings in, strings out; every value escaped here or by the caller.
 */
import { esc, htmlDocument } from './html.ts';
import { statusLabel, type TalkView } from './talk-view.ts';
import { feedUrl } from '../notify/feeds.ts';
import type { SubscriptionFilter } from '../notify/types.ts';

/** Layout additions to `BASE_CSS`: a readable column, the site header and footer, lists and forms. */
const LAYOUT_CSS = `.wrap{max-width:52rem;margin:0 auto;padding:0 1rem}
.site-header{border-bottom:1px solid var(--line);background:var(--card)}.site-header .wrap{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem}
.site-header nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}.brand{font-weight:700;text-decoration:none}
main{padding:1rem 0 2rem}h1{line-height:1.2}.site-footer{border-top:1px solid var(--line);padding:1rem 0;color:var(--muted)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:var(--bg);padding:.3rem .6rem;z-index:1}
.talks{list-style:none;padding:0}.talks li{padding:.4rem 0;border-bottom:1px solid var(--line)}
input[type=search],input[type=email],textarea{padding:.4rem .5rem;border:1px solid var(--muted);border-radius:.3rem;background:var(--bg);color:var(--fg);max-width:100%}
textarea:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
button[type=submit]{padding:.4rem .9rem;border-radius:.3rem;border:1px solid var(--link);background:var(--link);color:var(--bg);cursor:pointer}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.85rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.meta dd{margin:0}`;

/** A complete page in the site frame. `main` and `head` must already be escaped. */
export function sitePage(opts: {
  readonly title: string;
  readonly main: string;
  readonly head?: string | undefined;
  /** Load `/assets/talkreel.js` (click-to-load players, recording chooser). @default false */
  readonly script?: boolean | undefined;
}): string {
  const script = opts.script ? '<script src="/assets/talkreel.js" defer></script>\n' : '';
  return htmlDocument({
    title: opts.title,
    head: `${opts.head ?? ''}${script}`,
    css: LAYOUT_CSS,
    body: `<a class="skip" href="#main">Skip to content</a>
<header class="site-header"><div class="wrap"><a class="brand" href="/">Talkreel</a>
<nav aria-label="Site"><ul><li><a href="/#search">Search</a></li><li><a href="/#events">Events</a></li><li><a href="/#latest">Latest recordings</a></li></ul></nav></div></header>
<main id="main" class="wrap">
${opts.main}
</main>
<footer class="site-footer"><div class="wrap">Talkreel keeps conference talks and their recordings together. <a href="/api/openapi.json">API</a></div></footer>`,
  });
}

/**
 * A JSON-LD block. `<`, `>`, `&` and the JavaScript line separators are written as `\uXXXX`
 * escapes, so no title can close the `<script>` element early (the JSON stays equal).
 */
export function jsonLd(data: unknown): string {
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<script type="application/ld+json">${json}</script>\n`;
}

/** `<meta property|name="…" content="…">` lines; entries without a value are left out. */
export function metaTags(attr: 'property' | 'name', tags: readonly (readonly [string, string | undefined])[]): string {
  return tags
    .filter((t): t is readonly [string, string] => t[1] !== undefined && t[1] !== '')
    .map(([k, v]) => `<meta ${attr}="${esc(k)}" content="${esc(v)}">\n`)
    .join('');
}

/** oEmbed discovery (spec 1.0, §4): JSON and XML endpoints for a page of ours. */
export function oembedLinks(publicUrl: string, pageUrl: string, title: string): string {
  const href = (format: string) => `${publicUrl}/oembed?url=${encodeURIComponent(pageUrl)}&format=${format}`;
  return (
    `<link rel="alternate" type="application/json+oembed" href="${esc(href('json'))}" title="${esc(title)}">\n` +
    `<link rel="alternate" type="text/xml+oembed" href="${esc(href('xml'))}" title="${esc(title)}">\n`
  );
}

/** The status badge readers see next to a talk; withdrawn recordings give their reason. */
export function statusBadge(v: Pick<TalkView, 'status' | 'withdrawnReason'>): string {
  const reason = v.status === 'withdrawn' && v.withdrawnReason ? ` (${v.withdrawnReason})` : '';
  return `<span class="status status-${esc(v.status)}">${esc(statusLabel(v) + reason)}</span>`;
}

/** `HH:MM` as the schedule gave it (the event's local time), or undefined. */
export function clockTime(start: string | undefined): string | undefined {
  return start && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(start) ? start.slice(11, 16) : undefined;
}

/** `Friday, 2 May 2031` for a `YYYY-MM-DD` day (the calendar day itself, no zone shift). */
export function longDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

/** `2–4 May 2031`-style range of an event's dates, plain `YYYY-MM-DD` when unparsable. */
export function dateRange(start: string | undefined, end: string | undefined): string | undefined {
  if (!start) return undefined;
  if (!end || end === start) return longDay(start);
  return `${longDay(start)} – ${longDay(end)}`;
}

/** `<link rel="alternate">` to the Atom and JSON recording feeds of a talk or an event. */
export function feedAlternates(publicUrl: string, filter: SubscriptionFilter): string {
  const title = `Recordings: ${filter.label}`;
  return [
    ['application/atom+xml', feedUrl(publicUrl, 'atom', filter)],
    ['application/feed+json', feedUrl(publicUrl, 'json', filter)],
  ]
    .map(([type, href]) => `<link rel="alternate" type="${esc(type)}" title="${esc(title)}" href="${esc(href)}">\n`)
    .join('');
}

/** Visible links to the same feeds. */
export function feedLinks(publicUrl: string, filter: SubscriptionFilter): string {
  return `<p>Follow new recordings: <a href="${esc(feedUrl(publicUrl, 'atom', filter))}">Atom feed</a> · <a href="${esc(feedUrl(publicUrl, 'json', filter))}">JSON Feed</a></p>`;
}
