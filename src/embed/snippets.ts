/**
 * The code a blogger pastes to embed a talk list, for the event page (and anyone else) to print.
 * Pure. The returned strings are HTML source: escape them when showing them on a page.
 */
import { esc } from './html.ts';

/** Which talks a list shows: exactly one selector. */
export type ListSelector =
  | { readonly kind: 'event'; readonly value: string }
  | { readonly kind: 'talks'; readonly value: readonly string[] }
  | { readonly kind: 'post'; readonly value: string }
  | { readonly kind: 'speaker'; readonly value: string };

export type EmbedSnippets = {
  /** `<iframe>` of `/embed/list?…` plus the few lines that resize it (postMessage `talkreel:height`). */
  readonly iframe: string;
  /** `<script src="…/embed.js" data-…>`: the self-updating `<talkreel-list>` custom element. */
  readonly script: string;
  /** URL of the plain HTML fragment, for platforms that strip scripts and iframes. */
  readonly fragmentUrl: string;
  /** URL of the widget's JSON. */
  readonly jsonUrl: string;
};

/** `event=…` (or talks, post, speaker) as a query string, values URL-encoded. */
export function selectorQuery(selector: ListSelector): string {
  const value = selector.kind === 'talks' ? selector.value.join(',') : selector.value;
  return `${selector.kind}=${encodeURIComponent(value)}`;
}

/** Characters that would end an attribute or a script string, percent-encoded (they are URL-safe that way). */
const quoteSafe = (url: string): string =>
  url.replace(/["'<>\\\s`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * The snippets for one list. `publicUrl` is the deployment's base without a trailing slash.
 *
 * @example embedSnippets('https://talks.example', { kind: 'event', value: 'fosdem-2024' }).iframe
 */
export function embedSnippets(publicUrl: string, selector: ListSelector): EmbedSnippets {
  const base = quoteSafe(publicUrl.replace(/\/+$/, ''));
  const query = selectorQuery(selector);
  // data-talks="a,b" etc.: the attribute names the element reads.
  const dataValue = esc(selector.kind === 'talks' ? selector.value.join(',') : selector.value);
  return {
    // The host script checks the sender's origin and frame before trusting a height.
    iframe:
      `<iframe src="${base}/embed/list?${query}" title="Talks and recordings" loading="lazy" style="width:100%;border:0" height="600" data-talkreel></iframe>` +
      `<script>addEventListener('message',e=>{if(e.origin!==${JSON.stringify(originOf(base))}||!e.data||e.data.type!=='talkreel:height')return;for(const f of document.querySelectorAll('iframe[data-talkreel]'))if(f.contentWindow===e.source)f.style.height=e.data.height+'px'})</script>`,
    script: `<script src="${base}/embed.js" data-${selector.kind}="${dataValue}" async></script>`,
    fragmentUrl: `${base}/embed/list.html?${query}`,
    jsonUrl: `${base}/embed/list.json?${query}`,
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
