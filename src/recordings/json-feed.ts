import { parseJsonFeed } from 'feedsmith';
import type { JsonFeed } from 'feedsmith';

import { httpUrl } from '../text/urls.ts';
import { mapItems, runFeedsmith, unexpectedBody } from './feed-body.ts';
import { itemFrom, pickEnclosure, type Draft } from './feed-item.ts';
import type { RecordingItem } from './source.ts';

/** JSON Feed (1.0 and 1.1) entries as recording items; `feed.ts` hands it bodies that start with `{`. */

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

/** Items of a JSON Feed body (`trimmed`: without BOM and outer whitespace); `what` names the expected format in errors. */
export function jsonFeedItems(trimmed: string, body: string, what: string): RecordingItem[] {
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw unexpectedBody(what, body);
  }
  const feed = runFeedsmith(() => parseJsonFeed(json), what, body);
  const base = httpUrl(feed?.home_page_url) ?? httpUrl(feed?.feed_url);
  return mapItems(feed?.items, (item) => itemFrom(jsonDraft(item, base), base));
}
