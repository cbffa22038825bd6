import type { MediaNs } from 'feedsmith';

import { httpUrl } from '../text/urls.ts';
import { embedUrlOf, providerOf, recordingKeyOf } from '../text/video-urls.ts';
import { descriptionOf, htmlToText, singleLine, toIsoDate, uniq } from './item-text.ts';
import type { RecordingItem } from './source.ts';

/**
 * From a feed entry to a recording item, whatever the format: each format's reader fills a
 * {@link Draft} (which URL it picked and where from, title, description, dates, extra links) and
 * {@link itemFrom} turns it into the item. Also the podcast/media helpers the readers share:
 * enclosures, Media RSS `media:content` and `media:description`. Pure.
 */

/** Where an item's URL came from decides the provider of audio-only items. */
export type Picked = { url: string; from: 'link' | 'enclosure' | 'guid'; type?: string | undefined };

/** What one format's reader found in an entry, before it becomes a {@link RecordingItem}. */
export type Draft = {
  picked: Picked | undefined;
  title: string | undefined;
  titleIsHtml?: boolean;
  description: { raw: string | undefined; mode: 'html' | 'text' | 'auto' };
  publishedAt: unknown;
  updatedAt?: unknown;
  extraLinks: readonly (string | undefined)[];
};

/**
 * The item a draft describes, or undefined without a URL. An enclosure that is audio (by MIME type
 * or podcast host) makes the item a podcast; links exclude the item's own URL.
 */
export function itemFrom(draft: Draft, base: string | undefined): RecordingItem | undefined {
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
export const isPlayable = (type: string | undefined): boolean => !/shockwave|flash/i.test(type ?? '');

/** First audio/video media:content (item-level or inside a media:group) with a URL. */
export function mediaContent(media: MediaNs.ItemOrFeed | undefined): MediaNs.Content | undefined {
  const contents = [...(media?.contents ?? []), ...(media?.groups ?? []).flatMap((g) => g.contents ?? [])];
  return contents.find(
    (c) =>
      c.url &&
      isPlayable(c.type) &&
      (/^(audio|video)$/i.test(c.medium ?? '') || /^(audio|video)\//i.test(c.type ?? '')),
  );
}

/** The Media RSS description of an entry, item-level first, then the first media:group that has one. */
export function mediaDescription(media: MediaNs.ItemOrFeed | undefined): string | undefined {
  return media?.description?.value ?? media?.groups?.find((g) => g.description)?.description?.value;
}

export type EnclosureLike = { readonly url?: string | undefined; readonly type?: string | undefined };

/** The enclosure to watch or listen to: the first playable audio/video one, else the first playable one. */
export function pickEnclosure(
  enclosures: readonly EnclosureLike[] | undefined,
  base: string | undefined,
): Picked | undefined {
  const usable = (enclosures ?? []).flatMap((e) => {
    const url = isPlayable(e.type) ? httpUrl(e.url, base) : undefined;
    return url ? [{ url, from: 'enclosure' as const, type: e.type }] : [];
  });
  return usable.find((e) => /^(audio|video)\//i.test(e.type ?? '')) ?? usable[0];
}
