import { XMLValidator } from 'fast-xml-parser';
import { DetectError, ParseError } from 'feedsmith';

import { singleLine } from './item-text.ts';
import { SourceParseError } from './source.ts';
import type { RecordingItem } from './source.ts';

/**
 * What a fetched body is, before any parser runs: byte-order mark and XML prolog skipped with linear
 * scans, the root element, "expected X, got …" errors that describe the body (HTML error page,
 * JSON, another feed format), the well-formedness check and the feedsmith wrapper all source parsers
 * share. Pure.
 */

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
