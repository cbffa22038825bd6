import { isTag } from 'domhandler';
import { htmlText, parseHtml, type ChildNode, type Element } from './html-text.ts';
import { resolveHttpUrl } from './urls.ts';

/** A link in the post: its href (absolute when resolvable) and where its anchor text sits in `text`. */
export type PostLink = { readonly href: string; readonly start: number; readonly end: number };

/** A post reduced to its main content. */
export type PostDocument = {
  readonly title?: string | undefined;
  readonly text: string;
  readonly links: readonly PostLink[];
};

/** Elements that never hold the post's content. */
const DROP_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'header',
  'footer',
  'aside',
  'form',
  'iframe',
  'svg',
  'button',
  'select',
  'textarea',
  'input',
  'menu',
  'dialog',
  'head',
]);
/** class/id words of boilerplate blocks: comments, sidebars, share buttons, related posts, navigation. */
const BOILERPLATE =
  /(^|[\s_-])(comments?|comment-respond|respond|reply|sidebar|widgets?|footer|nav|navigation|menu|share|sharing|social|sharedaddy|related|jp-relatedposts|breadcrumbs?|cookie|banner|advert|ads|subscribe|newsletter|author-bio|post-navigation|site-header|masthead|skip-link|screen-reader-text)([\s_-]|$)/i;
const BLOCK_TAGS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'li',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'table',
  'tr',
  'td',
  'th',
  'br',
  'hr',
  'figure',
  'figcaption',
  'dd',
  'dt',
  'dl',
]);
/** Main-content containers, most specific first. */
const MAIN_SELECTORS: ((el: Element) => boolean)[] = [
  (el) =>
    /(^|\s)(entry-content|post-content|article-content|post-body|entry-body|e-content)(\s|$)/i.test(
      el.attribs.class ?? '',
    ),
  (el) => el.name === 'article',
  (el) => el.name === 'main' || el.attribs.role === 'main',
];

/** Reduce an HTML page to its main content's text and links (navigation, comments, sidebars, footers dropped). */
export function extractHtml(html: string, baseUrl?: string): PostDocument {
  const nodes = parseHtml(html);
  const title = findFirst(nodes, (el) => el.name === 'title');
  const h1 = findFirst(nodes, (el) => el.name === 'h1' && !insideBoilerplate(el));
  let root: ChildNode[] = nodes;
  for (const matches of MAIN_SELECTORS) {
    const found = findFirst(nodes, (el) => matches(el) && !insideBoilerplate(el));
    if (found) {
      root = [found];
      break;
    }
  }
  const walked = htmlText(root, { skip: isDropped, blocks: BLOCK_TAGS, breakAroundVoid: true, imageAlt: true });
  const out = {
    text: walked.text,
    links: walked.links.flatMap((l) => {
      const href = resolveHttpUrl(l.href, baseUrl);
      return href ? [{ ...l, href }] : [];
    }),
  };
  const text = tidy(out.text);
  // Offsets were taken on the untidied text; recompute them on the final text by searching anchors in order.
  const links = relocate(out, text);
  const cut = cutBoilerplateTail(text).text;
  return {
    title: textOf(h1 ?? title)?.trim() || undefined,
    text: cut,
    links: links.filter((l) => l.start < cut.length),
  };
}

/** Markdown or plain text: links are `[text](url)`, `<url>` and bare URLs. */
export function extractText(input: string): PostDocument {
  const links: PostLink[] = [];
  let text = '';
  let last = 0;
  const re =
    /\[([^\]\n]{0,500})\]\((https?:\/\/[^\s)]+)(?:\s+"[^"]*")?\)|<(https?:\/\/[^\s>]+)>|(https?:\/\/[^\s<>()"'\]]+[^\s<>()"'\].,;:!?])/g;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    text += input.slice(last, m.index);
    const anchor = m[1] ?? m[3] ?? m[4] ?? '';
    const href = m[2] ?? m[3] ?? m[4] ?? '';
    const start = text.length;
    text += anchor;
    links.push({ href, start, end: text.length });
    last = m.index + m[0].length;
  }
  text += input.slice(last);
  // Markdown heading and emphasis marks become spaces of the same length, so link offsets stay right.
  const blank = (m: string): string => ' '.repeat(m.length);
  text = text
    .replace(/^#{1,6}(?=\s)/gm, blank)
    .replace(
      /(\*\*|__)(?=\S)([^*_\n]+?)\1/g,
      (_m, mark: string, inner: string) => `${blank(mark)}${inner}${blank(mark)}`,
    );
  const cut = cutBoilerplateTail(text);
  return { text: cut.text, links: links.filter((l) => l.start < cut.text.length) };
}

/**
 * Comment forms and share blocks pasted as text ("Leave a Reply", "Share this:", "Log Out / Change")
 * end the post's content: cut from the first such line in the second half of the text onwards.
 */
function cutBoilerplateTail(text: string): { text: string } {
  const re =
    /^[ \t]*(leave a (reply|comment)|share this:?|like this:?|related( posts| articles)?:?|\d+ (comments|responses)|you are commenting using|post a comment|filed under)\b.*$/gim;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index >= text.length * 0.3) return { text: text.slice(0, m.index).trimEnd() };
  }
  return { text };
}

/** Elements that never hold the post's content: dropped tags, boilerplate blocks, hidden ones. */
function isDropped(el: Element): boolean {
  return (
    DROP_TAGS.has(el.name) ||
    isBoilerplate(el) ||
    el.attribs.hidden !== undefined ||
    el.attribs['aria-hidden'] === 'true'
  );
}

function isBoilerplate(el: Element): boolean {
  const cls = `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`;
  if (
    el.attribs.role === 'navigation' ||
    el.attribs.role === 'complementary' ||
    el.attribs.role === 'contentinfo' ||
    el.attribs.role === 'banner'
  )
    return true;
  return BOILERPLATE.test(cls);
}

function insideBoilerplate(el: Element): boolean {
  for (let p: Element | null = el; p; p = p.parent && isTag(p.parent) ? p.parent : null) {
    if (DROP_TAGS.has(p.name) || isBoilerplate(p)) return true;
  }
  return false;
}

function findFirst(nodes: readonly ChildNode[], test: (el: Element) => boolean): Element | undefined {
  for (const node of nodes) {
    if (!isTag(node)) continue;
    if (test(node)) return node;
    const inner = findFirst(node.children, test);
    if (inner) return inner;
  }
  return undefined;
}

function textOf(el: Element | undefined): string | undefined {
  if (!el) return undefined;
  return htmlText(el.children).text.replace(/\s+/g, ' ');
}

/** Collapse runs of blank lines and spaces; keep paragraph breaks. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]*\n[ \t]*/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** Map anchor spans from the raw walk text onto the tidied text, in order. */
function relocate(raw: { text: string; links: PostLink[] }, tidied: string): PostLink[] {
  const links: PostLink[] = [];
  let from = 0;
  for (const l of raw.links) {
    const anchor = tidy(raw.text.slice(l.start, l.end));
    const at = anchor ? tidied.indexOf(anchor, from) : -1;
    if (at >= 0) {
      links.push({ href: l.href, start: at, end: at + anchor.length });
      from = at;
    } else {
      links.push({ href: l.href, start: -1, end: -1 });
    }
  }
  return links;
}
