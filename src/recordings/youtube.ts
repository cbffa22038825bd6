import { parseAtomFeed } from 'feedsmith';
import type { AtomFeed } from 'feedsmith';

import { embedUrlOf, youtubeVideoId } from '../text/video-urls.ts';
import { checkXmlBody, mapItems, runFeedsmith, unexpectedBody } from './feed-body.ts';
import { descriptionOf, singleLine, toIsoDate } from './item-text.ts';
import { SourceParseError } from './source.ts';
import type { RecordingItem, RecordingSource } from './source.ts';

/**
 * YouTube channel / playlist Atom feeds (`https://www.youtube.com/feeds/videos.xml?channel_id=…`)
 * and the WebSub push bodies YouTube sends to subscribers (same Atom, one `<entry>`, or only
 * `<at:deleted-entry>` tombstones, which are not recordings and are ignored).
 */

const WHAT = 'an Atom feed';
const VIDEO_ID = /^[A-Za-z0-9_-]{6,20}$/;
const YT_NAMESPACE = 'http://www.youtube.com/xml/schemas/2015';

function videoIdOf(entry: AtomFeed.Entry<string>): string | undefined {
  const candidates = [
    entry.yt?.videoId,
    /^yt:video:(.+)$/.exec(entry.id ?? '')?.[1],
    ...(entry.links ?? [])
      .filter((l) => !l.rel || l.rel === 'alternate')
      .map((l) => (l.href ? youtubeVideoId(l.href) : undefined)),
  ];
  return candidates.map((c) => c?.trim()).find((c): c is string => c !== undefined && VIDEO_ID.test(c));
}

function itemOf(entry: AtomFeed.Entry<string>): RecordingItem | undefined {
  const videoId = videoIdOf(entry);
  if (!videoId) return undefined;
  const url = `https://www.youtube.com/watch?v=${videoId}`;
  const group = entry.media?.groups?.[0];
  const title = group?.title?.value ?? entry.media?.title?.value ?? entry.title?.value;
  // media:description is plain text; a non-YouTube Atom entry may carry summary/content instead.
  const rawDescription =
    group?.description?.value ?? entry.media?.description?.value ?? entry.summary?.value ?? entry.content?.value;
  const { description, links } = descriptionOf(rawDescription, 'text');
  return {
    key: `youtube:${videoId}`,
    url,
    provider: 'youtube',
    title: singleLine(title),
    description,
    publishedAt: toIsoDate(entry.published),
    updatedAt: toIsoDate(entry.updated),
    embedUrl: embedUrlOf(url),
    links: links.length > 0 ? links : undefined,
  };
}

/** Parse a YouTube channel/playlist feed or a WebSub push body into recording items (feed order). */
export function parseYoutubeFeed(body: string, _contentType?: string): RecordingItem[] {
  const { root, xml } = checkXmlBody(body, WHAT);
  if (root !== 'feed') throw unexpectedBody(WHAT, body);
  const feed = runFeedsmith(() => parseAtomFeed(xml), WHAT, body);
  const entries = feed?.entries ?? [];
  const items = mapItems(entries, itemOf);
  if (items.length === 0 && entries.length > 0 && !xml.includes(YT_NAMESPACE)) {
    throw new SourceParseError(
      `expected a YouTube Atom feed, got an Atom feed whose ${entries.length} entries name no YouTube video (no yt:videoId)`,
    );
  }
  return items;
}

export const youtubeSource: RecordingSource = {
  kind: 'youtube',
  accept: 'application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
  parse: parseYoutubeFeed,
};
