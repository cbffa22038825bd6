/**
 * oEmbed 1.0 (https://oembed.com/): which of our URLs we answer for, the size of the frame within
 * the consumer's `maxwidth`/`maxheight`, the response object and its XML form. Pure.
 */
import { parseHttpUrl } from '../text/urls.ts';
import { esc } from './html.ts';
import type { TalkView } from './talk-view.ts';

/** A page of ours that oEmbed describes. */
export type OembedTarget = { readonly kind: 'talk' | 'event'; readonly id: string };

export type OembedFormat = 'json' | 'xml';

/** The consumer's size limits, in CSS pixels. */
export type OembedSizeLimits = { readonly maxwidth?: number | undefined; readonly maxheight?: number | undefined };

/** oEmbed 1.0 response (§2.3.4); field names as the spec spells them. */
export type OembedResponse = {
  readonly type: 'video' | 'rich';
  readonly version: '1.0';
  readonly title: string;
  readonly author_name?: string;
  readonly author_url?: string;
  readonly provider_name: 'Talkreel';
  readonly provider_url: string;
  /** Seconds a consumer may keep this answer. */
  readonly cache_age: number;
  readonly thumbnail_url?: string;
  readonly thumbnail_width?: number;
  readonly thumbnail_height?: number;
  readonly html: string;
  readonly width: number;
  readonly height: number;
};

/** Seconds consumers may cache an answer: short, a pending talk becomes a video. */
export const OEMBED_CACHE_AGE = 300;

/** Frame size when the consumer sets no limit. */
const DEFAULT_WIDTH = 640;
const LIST_HEIGHT = 480;

/**
 * The talk (`/t/<id>`) or event (`/e/<id>`) page `url` names, if it is one of ours: the host of
 * `publicUrl` (either scheme, default ports folded), under its path, with or without a trailing
 * slash; query and fragment ignored. Anything else is undefined (the provider answers 404).
 */
export function oembedTarget(url: string, publicUrl: string): OembedTarget | undefined {
  const u = parseHttpUrl(url);
  const base = parseHttpUrl(publicUrl);
  if (!u || !base || u.host !== base.host) return undefined;
  const prefix = base.pathname.replace(/\/+$/, '');
  if (!u.pathname.startsWith(`${prefix}/`)) return undefined;
  const m = /^\/([te])\/([^/]+)\/?$/.exec(u.pathname.slice(prefix.length));
  if (!m) return undefined;
  try {
    return { kind: m[1] === 't' ? 'talk' : 'event', id: decodeURIComponent(m[2]!) };
  } catch {
    return undefined;
  }
}

/** The largest 16:9 frame no wider than 640 that fits the limits (at least 1×1). */
export function videoSize(limits: OembedSizeLimits): { width: number; height: number } {
  let width = Math.min(DEFAULT_WIDTH, limits.maxwidth ?? DEFAULT_WIDTH);
  let height = Math.round((width * 9) / 16);
  if (limits.maxheight !== undefined && height > limits.maxheight) {
    height = limits.maxheight;
    width = Math.min(width, Math.floor((height * 16) / 9));
  }
  return { width: Math.max(1, width), height: Math.max(1, height) };
}

/** A list frame: 640×480 at most, clipped to the limits (the embed then resizes itself by postMessage). */
export function listSize(limits: OembedSizeLimits): { width: number; height: number } {
  return {
    width: Math.max(1, Math.min(DEFAULT_WIDTH, limits.maxwidth ?? DEFAULT_WIDTH)),
    height: Math.max(1, Math.min(LIST_HEIGHT, limits.maxheight ?? LIST_HEIGHT)),
  };
}

/** YouTube's thumbnails, largest first (hqdefault, mqdefault, default). */
const YOUTUBE_THUMBS = [
  ['hqdefault', 480, 360],
  ['mqdefault', 320, 180],
  ['default', 120, 90],
] as const;

/** The largest known thumbnail that fits the limits, or none. */
export function thumbnailFor(
  talk: TalkView,
  limits: OembedSizeLimits,
): { thumbnail_url: string; thumbnail_width: number; thumbnail_height: number } | undefined {
  const hq = talk.recordings.find((r) => r.thumbnailUrl)?.thumbnailUrl;
  if (!hq) return undefined;
  for (const [name, w, h] of YOUTUBE_THUMBS) {
    if (w <= (limits.maxwidth ?? w) && h <= (limits.maxheight ?? h))
      return { thumbnail_url: hq.replace(/hqdefault\.jpg$/, `${name}.jpg`), thumbnail_width: w, thumbnail_height: h };
  }
  return undefined;
}

/** An iframe of one of our embeds, every attribute escaped. */
function iframe(src: string, title: string, size: { width: number; height: number }): string {
  return `<iframe src="${esc(src)}" width="${size.width}" height="${size.height}" style="border:0;max-width:100%" title="${esc(title)}" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen loading="lazy"></iframe>`;
}

const embedTalkUrl = (publicUrl: string, id: string) => `${publicUrl}/embed/talk/${encodeURIComponent(id)}`;
const embedEventUrl = (publicUrl: string, id: string) => `${publicUrl}/embed/list?event=${encodeURIComponent(id)}`;

/**
 * A talk: `video` with our click-to-load player card once published, `rich` with the pending
 * card before. Both frame the same URL (`/embed/talk/<id>`), so a consumer that cached the HTML
 * shows the player as soon as the recording is out.
 */
export function talkOembed(talk: TalkView, publicUrl: string, limits: OembedSizeLimits): OembedResponse {
  const size = videoSize(limits);
  const published = talk.status === 'published' && talk.recordings.length > 0;
  const speakers = talk.speakers.join(', ');
  return {
    type: published ? 'video' : 'rich',
    version: '1.0',
    title: talk.title,
    ...(speakers ? { author_name: speakers, author_url: talk.pageUrl } : {}),
    provider_name: 'Talkreel',
    provider_url: `${publicUrl}/`,
    cache_age: OEMBED_CACHE_AGE,
    ...(published ? thumbnailFor(talk, limits) : {}),
    html: iframe(embedTalkUrl(publicUrl, talk.id), talk.title, size),
    ...size,
  };
}

/** An event: `rich`, the frame of its talk list (`/embed/list?event=<id>`). */
export function eventOembed(
  event: { readonly id: string; readonly name: string },
  publicUrl: string,
  limits: OembedSizeLimits,
): OembedResponse {
  const size = listSize(limits);
  return {
    type: 'rich',
    version: '1.0',
    title: event.name,
    provider_name: 'Talkreel',
    provider_url: `${publicUrl}/`,
    cache_age: OEMBED_CACHE_AGE,
    html: iframe(embedEventUrl(publicUrl, event.id), `Talks: ${event.name}`, size),
    ...size,
  };
}

/** The XML form (§2.3.4): an `<oembed>` root, one element per field, text escaped. */
export function oembedXml(data: OembedResponse): string {
  const fields = Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>\n${fields}\n</oembed>\n`;
}
