/**
 * Video provider URLs: which provider a recording URL belongs to, its natural key there
 * (`youtube:<id>`, `vimeo:<id>`, `mediaccc:<slug>`, else `url:<url>`) and its embeddable player.
 * Pure: every recording source, the matcher and the mention index read video URLs through here.
 *
 * @module
 */

const parse = (url: string | URL): URL | undefined => {
  if (url instanceof URL) return url;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
};

/** Lower-cased host name without a leading `www.`. */
const hostOf = (u: URL): string => u.hostname.toLowerCase().replace(/^www\./, '');

/**
 * Video id of a YouTube URL: `watch?v=<id>`, `youtu.be/<id>`, `/embed/<id>`, `/shorts/<id>`,
 * `/live/<id>`, `/v/<id>`, on youtube.com, its subdomains and youtube-nocookie.com.
 */
export function youtubeVideoId(url: string | URL): string | undefined {
  const u = parse(url);
  if (!u) return undefined;
  const host = hostOf(u);
  if (host === 'youtu.be') return u.pathname.split('/')[1] || undefined;
  if (!/(^|\.)youtube(-nocookie)?\.com$/.test(host)) return undefined;
  return u.searchParams.get('v') || /^\/(?:embed|shorts|live|v)\/([\w-]{6,})/.exec(u.pathname)?.[1];
}

/** Video id of a Vimeo URL: `vimeo.com/<id>` or `player.vimeo.com/video/<id>` (ids of 5+ digits). */
export function vimeoVideoId(url: string | URL): string | undefined {
  const u = parse(url);
  if (!u) return undefined;
  const host = hostOf(u);
  if (host !== 'vimeo.com' && host !== 'player.vimeo.com') return undefined;
  return /^\/(?:video\/)?(\d{5,})(?:$|\/)/.exec(u.pathname)?.[1];
}

/** The `<slug>` of a media.ccc.de talk page `https://media.ccc.de/v/<slug>`, as it appears in the URL path. */
export function mediaCccSlug(url: string | URL): string | undefined {
  const u = parse(url);
  if (!u || hostOf(u) !== 'media.ccc.de' || !u.pathname.startsWith('/v/')) return undefined;
  return u.pathname.split('/')[2] || undefined;
}

/** Guess the provider from a recording URL: `youtube`, `vimeo`, `mediaccc`, `fosdem`, `podcast` or `web`. */
export function providerOf(url: string): string {
  const u = parse(url);
  if (!u) return 'web';
  const host = u.hostname.toLowerCase();
  if (/(^|\.)(youtube\.com|youtu\.be|youtube-nocookie\.com)$/.test(host)) return 'youtube';
  if (/(^|\.)vimeo\.com$/.test(host)) return 'vimeo';
  if (/(^|\.)media\.ccc\.de$/.test(host) || /(^|\.)cdn\.media\.ccc\.de$/.test(host)) return 'mediaccc';
  if (/(^|\.)video\.fosdem\.org$/.test(host)) return 'fosdem';
  if (/\.(mp3|m4a|ogg|opus|oga)(\?|$)/i.test(url)) return 'podcast';
  return 'web';
}

/** Embeddable player URL for the providers that have one (YouTube without cookies, Vimeo, media.ccc.de oEmbed). */
export function embedUrlOf(url: string): string | undefined {
  const u = parse(url);
  if (!u) return undefined;
  const youtube = youtubeVideoId(u);
  if (youtube) return `https://www.youtube-nocookie.com/embed/${encodeURIComponent(youtube)}`;
  const vimeo = vimeoVideoId(u);
  if (vimeo) return `https://player.vimeo.com/video/${vimeo}`;
  const slug = mediaCccSlug(u);
  if (slug) return `https://media.ccc.de/v/${slug}/oembed`;
  return undefined;
}

/**
 * Natural key of a recording at its provider, so re-polling never duplicates it: `youtube:<id>`,
 * `vimeo:<id>`, `mediaccc:<slug>`, else `url:<the URL without fragment>`.
 */
export function recordingKeyOf(url: string): string {
  const u = parse(url);
  if (!u) return `url:${url}`;
  const youtube = youtubeVideoId(u);
  if (youtube) return `youtube:${youtube}`;
  const vimeo = vimeoVideoId(u);
  if (vimeo) return `vimeo:${vimeo}`;
  const slug = mediaCccSlug(u);
  if (slug) return `mediaccc:${slug}`;
  u.hash = '';
  return `url:${u.toString()}`;
}
