/**
 * URL helpers shared by feeds, posts, matching and mention detection: parsing http(s) URLs,
 * resolving relative ones, the canonical form two spellings of one page share, and the key a
 * talk URL is indexed under. Pure.
 *
 * @module
 */

import { recordingKeyOf } from './video-urls.ts';

/** `value` (resolved against `base` when given) as a URL if it is http(s), else undefined. Never throws. */
export function parseHttpUrl(value: string, base?: string): URL | undefined {
  try {
    const u = new URL(value, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An http(s) URL as a string: an absolute one is kept as written (trimmed); a relative one is
 * resolved against `base` (and so normalised). Anything else → undefined.
 */
export function httpUrl(raw: string | undefined, base?: string): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (URL.canParse(value)) return parseHttpUrl(value) ? value : undefined;
  if (!base) return undefined;
  return parseHttpUrl(value, base)?.href;
}

/** `href` resolved against `base` and normalised (`new URL().toString()`), if it is http(s). */
export function resolveHttpUrl(href: string, base?: string): string | undefined {
  return parseHttpUrl(href.trim(), base)?.toString();
}

/**
 * The form two spellings of one page share: https, no `www.`, no fragment, no trailing slash.
 * Unparseable input is returned as given.
 */
export function canonicalUrl(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    u.protocol = 'https:';
    u.hostname = u.hostname.replace(/^www\./, '');
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}

/**
 * The key under which a talk URL is indexed and looked up: the provider's video key for recordings
 * (so `youtu.be/x`, `watch?v=x&t=95s` and `watch?v=x` agree), else the canonical URL.
 */
export function urlKey(url: string): string {
  const key = recordingKeyOf(url);
  return key.startsWith('url:') ? canonicalUrl(url) : key;
}
