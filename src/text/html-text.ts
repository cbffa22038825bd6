/**
 * HTML → text, built on htmlparser2: one DOM walker that the post extractor (`extract.ts`) and the
 * feed description reader (`recordings/item-text.ts`) share, and the link scan Webmention verification
 * uses. Pure.
 *
 * @module
 */

import { Parser, parseDocument } from 'htmlparser2';
import { isTag, isText, type ChildNode, type Element } from 'domhandler';

export type { ChildNode, Element };

/** Parse an HTML document or fragment into DOM nodes, character references decoded. */
export function parseHtml(html: string): ChildNode[] {
  return parseDocument(html, { decodeEntities: true }).children;
}

/** A link in walked text: its `href` as written and the span of its anchor text. */
export type TextLink = { readonly href: string; readonly start: number; readonly end: number };

/** What {@link htmlText} leaves out and where it breaks lines. */
export type HtmlTextOptions = {
  /** Elements left out with everything inside them. @default none */
  readonly skip?: ((el: Element) => boolean) | undefined;
  /** Elements that stand on lines of their own (a line break before and after). @default none */
  readonly blocks?: ReadonlySet<string> | undefined;
  /** Void block elements (`<br>`, `<hr>`) break before and after, rather than once. @default false */
  readonly breakAroundVoid?: boolean | undefined;
  /** `<img alt>` contributes its alt text (padded with spaces). @default false */
  readonly imageAlt?: boolean | undefined;
};

const VOID_BLOCKS = new Set(['br', 'hr']);
const NO_BLOCKS: ReadonlySet<string> = new Set();

/**
 * The text of DOM nodes in document order: each text node with its whitespace runs collapsed to one
 * space, `\n` around block elements, and every `<a href>` with the span of its text in the result.
 * Nothing is trimmed or tidied: callers decide how (their offsets are into this raw text).
 */
export function htmlText(
  nodes: readonly ChildNode[],
  options: HtmlTextOptions = {},
): { text: string; links: TextLink[] } {
  const skip = options.skip ?? (() => false);
  const blocks = options.blocks ?? NO_BLOCKS;
  const out: { text: string; links: TextLink[] } = { text: '', links: [] };
  const walk = (children: readonly ChildNode[]): void => {
    for (const node of children) {
      if (isText(node)) {
        out.text += node.data.replace(/\s+/g, ' ');
        continue;
      }
      if (!isTag(node) || skip(node)) continue;
      const block = blocks.has(node.name);
      if (block) out.text += '\n';
      if (node.name === 'a' && node.attribs.href) {
        const start = out.text.length;
        walk(node.children);
        out.links.push({ href: node.attribs.href, start, end: out.text.length });
      } else if (options.imageAlt && node.name === 'img' && node.attribs.alt) {
        out.text += ` ${node.attribs.alt} `;
      } else {
        walk(node.children);
      }
      if (block && (options.breakAroundVoid || !VOID_BLOCKS.has(node.name))) out.text += '\n';
    }
  };
  walk(nodes);
  return out;
}

/** Every `<a href>` and `<link href>` of a page, trimmed, as written (not resolved), in document order. */
export function hrefsOf(html: string): string[] {
  const hrefs: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if ((name === 'a' || name === 'link') && attribs.href) hrefs.push(attribs.href.trim());
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return hrefs;
}
