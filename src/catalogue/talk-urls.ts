/**
 * The URL shapes under which the web links to a talk beyond its recording and Talkreel page: the
 * conference's schedule pages (`…/<year>/schedule/event/<slug>/`, pretalx `…/<event>/talk/<CODE>/`,
 * frab `…/events/<id>.html`), media.ccc.de `…/v/<acronym>-<id>-<slug>`, and video files named after
 * the talk's slug. Pure.
 *
 * A talk is known under *shape keys* (`slug:<slug>`, `sid:<schedule id>`, `code:<pretalx code>`,
 * `guid:<guid>`); a link yields the keys its path can mean plus *markers* (its host and path words)
 * that tie it to an event, so two events' `slug:keynote` or `sid:42` never collide.
 */
import type { Event, Talk } from './types.ts';

/** Keys that identify a talk on their own (no event guard needed when unique). */
export const GLOBAL_KEY = /^(code|guid):/;

const MEDIA_EXT = /\.(mp4|webm|mkv|ogv|mov|mp3|m4a|ogg|opus|oga|flac|wav)$/i;
/** `<acronym>-<number>-<slug>`: frab/media.ccc.de style slugs (`36c3-10496-the-title`). */
const ACR_ID_SLUG = /^([a-z0-9]+(?:[-_][a-z0-9]+)*?)[-_](\d{1,7})[-_]([a-z0-9].*)$/;

const clean = (s: string): string => s.trim().toLowerCase().replace(/\/+$/, '');

/** The shape keys a talk is known under, from what its schedule told us. */
export function talkShapeKeys(talk: Talk): string[] {
  const keys = new Set<string>();
  const ids = talk.externalIds;
  const slug = ids.slug ? clean(ids.slug) : undefined;
  if (slug) {
    keys.add(`slug:${slug}`);
    const parts = ACR_ID_SLUG.exec(slug);
    if (parts) {
      keys.add(`slug:${parts[3]}`);
      keys.add(`sid:${parts[2]}`);
    }
  }
  if (ids.scheduleId && /^\d+$/.test(ids.scheduleId.trim())) keys.add(`sid:${ids.scheduleId.trim()}`);
  if (ids.guid) keys.add(`guid:${clean(ids.guid)}`);
  if (ids.scheduleUrl) for (const k of linkShape(ids.scheduleUrl)?.keys ?? []) keys.add(k);
  return [...keys];
}

export type LinkShape = {
  readonly keys: readonly string[];
  /** Lower-cased host (no `www.`) and path words, to match against an event's markers. */
  readonly host: string;
  readonly words: readonly string[];
};

/** What a link's path can name. Undefined for URLs that are not http(s). */
export function linkShape(url: string): LinkShape | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const segs = u.pathname
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s).toLowerCase();
      } catch {
        return s.toLowerCase();
      }
    })
    .filter(Boolean);
  const keys = new Set<string>();
  const addSlug = (s: string) => {
    keys.add(`slug:${s}`);
    const parts = ACR_ID_SLUG.exec(s);
    if (parts) {
      keys.add(`slug:${parts[3]}`);
      keys.add(`sid:${parts[2]}`);
    }
  };
  for (let i = 0; i < segs.length; i += 1) {
    const seg = segs[i]!;
    const next = segs[i + 1];
    if (!next) continue;
    // …/schedule/event/<slug>/ (pentabarf, FOSDEM), …/event/<slug>
    if (seg === 'event' && !/^\d+$/.test(next)) addSlug(next.replace(/\.html?$/, ''));
    // pretalx …/<event>/talk/<CODE>/
    if (seg === 'talk' && /^[a-z0-9]{5,10}$/.test(next)) keys.add(`code:${next.toUpperCase()}`);
    // frab …/events/<id>.html, …/event/<id>.html
    if ((seg === 'events' || seg === 'event') && /^\d+(\.html?)?$/.test(next))
      keys.add(`sid:${next.replace(/\.html?$/, '')}`);
    // media.ccc.de …/v/<acronym>-<id>-<slug>
    if (seg === 'v') addSlug(next);
  }
  const last = segs[segs.length - 1];
  if (last && MEDIA_EXT.test(last)) addSlug(last.replace(MEDIA_EXT, ''));
  for (const seg of segs)
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(seg)) keys.add(`guid:${seg}`);
  const host = u.hostname.toLowerCase().replace(/^www\./, '');
  const words = [...host.split('.'), ...segs.flatMap((s) => s.split(/[^a-z0-9]+/))].filter(Boolean);
  return { keys: [...keys], host, words };
}

export type EventMarkers = {
  /** Hosts of the event's site and schedule pages. */
  readonly hosts: ReadonlySet<string>;
  /** Acronym and its year-joined forms (`fosdem`, `fosdem2024`, `36c3`), lower case. */
  readonly words: ReadonlySet<string>;
};

/** What ties a link to this event: its hosts, acronym and acronym+year forms. */
export function eventMarkers(event: Event, scheduleUrls: readonly string[] = []): EventMarkers {
  const hosts = new Set<string>();
  for (const url of [event.url, ...scheduleUrls]) {
    if (!url) continue;
    try {
      hosts.add(new URL(url).hostname.toLowerCase().replace(/^www\./, ''));
    } catch {
      // not a URL: no host marker
    }
  }
  const words = new Set<string>();
  const year = event.startDate?.slice(0, 4);
  for (const name of [event.acronym, ...event.aliases.filter((a) => !a.includes(' '))]) {
    const w = name?.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (!w || w.length < 3) continue;
    words.add(w);
    if (year) {
      words.add(`${w}${year}`);
      words.add(`${w}${year.slice(2)}`);
    }
  }
  return { hosts, words };
}

/** Does the link carry a marker of the event (its host, or its acronym in host or path)? */
export function linkFitsEvent(link: LinkShape, markers: EventMarkers): boolean {
  if (markers.hosts.has(link.host)) return true;
  for (const h of markers.hosts) if (link.host.endsWith(`.${h}`)) return true;
  return link.words.some((w) => markers.words.has(w));
}
