import { parseAtomFeed, parseRdfFeed, parseRssFeed } from 'feedsmith';
import type { AtomFeed, RdfFeed, RssFeed } from 'feedsmith';

import { httpUrl } from '../text/urls.ts';
import { checkXmlBody, mapItems, runFeedsmith, stripBom, unexpectedBody } from './feed-body.ts';
import { itemFrom, mediaContent, mediaDescription, pickEnclosure, type Draft, type Picked } from './feed-item.ts';
import { jsonFeedItems } from './json-feed.ts';
import type { RecordingItem, RecordingSource } from './source.ts';

/**
 * Generic recording feeds: RSS 2.0 (podcasts, Vimeo channels), Atom, RDF and JSON Feed.
 *
 * The format is told by the body (`checkXmlBody` in `feed-body.ts`), each format's entries become
 * drafts here (JSON Feed in `json-feed.ts`), and `feed-item.ts` turns drafts into items. The text,
 * link and date helpers all source parsers share are in `item-text.ts`.
 */

const WHAT = 'an RSS, Atom or RDF feed';

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

/** Parse an RSS 2.0 / Atom / RDF / JSON Feed body into recording items (feed order; items without a URL dropped). */
export function parseRecordingFeed(body: string, _contentType?: string): RecordingItem[] {
  const trimmed = stripBom(body).trim();
  if (trimmed.startsWith('{')) return jsonFeedItems(trimmed, body, WHAT);
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
