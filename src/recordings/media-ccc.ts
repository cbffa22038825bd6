import { z } from 'zod';

import { embedUrlOf, mediaCccSlug } from '../text/video-urls.ts';
import { httpUrl } from '../text/urls.ts';
import { safeDecode } from '../catalogue/ids.ts';
import { describeBody, mapItems, snippet, stripBom } from './feed-body.ts';
import { descriptionOf, singleLine, toIsoDate, uniq } from './item-text.ts';
import { SourceParseError } from './source.ts';
import type { RecordingItem, RecordingSource } from './source.ts';

/**
 * media.ccc.de public API, one conference: `https://api.media.ccc.de/public/conferences/<acronym>`
 * → `{ acronym, title, …, events: [...] }` (voctoweb `public/shared/_event.json.jbuilder`).
 *
 * Field nullability follows voctoweb: guid, title, slug, frontend_link are always set by the
 * server; subtitle, description, link, original_language, persons, date and release_date may be
 * null. Every field is read leniently (a wrong type counts as absent) so one odd event never fails
 * the conference; an event without a title, or without both slug and frontend_link, is dropped.
 */

const WHAT = 'media.ccc.de conference JSON';

/** A string field that may be missing, null or of the wrong type (→ undefined). */
const text = z.string().nullish().catch(undefined);

const MediaCccEvent = z.object({
  guid: text,
  title: text,
  subtitle: text,
  slug: text,
  persons: z.array(z.unknown()).nullish().catch(undefined),
  date: text,
  release_date: text,
  updated_at: text,
  frontend_link: text,
  link: text,
  original_language: text,
  description: text,
});
type MediaCccEvent = z.infer<typeof MediaCccEvent>;

const MediaCccConference = z.object({
  acronym: text,
  title: text,
  events: z.array(z.unknown()),
});

const blank = (s: string | null | undefined): string | undefined => {
  const t = s?.trim();
  return t ? t : undefined;
};

/** `/v/<slug>` of a media.ccc.de URL, percent-decoded. */
function slugOfFrontendLink(url: string | undefined): string | undefined {
  const slug = url ? mediaCccSlug(url) : undefined;
  return slug ? safeDecode(slug) : undefined;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** When the talk was given: the API's ISO date-time as written (keeping its offset, like talk start times), else normalised. */
function recordedAtOf(value: string | undefined): string | undefined {
  const v = blank(value);
  if (v && ISO_WITH_OFFSET.test(v) && !Number.isNaN(Date.parse(v))) return v;
  return toIsoDate(v);
}

function itemOf(raw: unknown): RecordingItem | undefined {
  const parsed = MediaCccEvent.safeParse(raw);
  if (!parsed.success) return undefined;
  const event: MediaCccEvent = parsed.data;
  const title = singleLine(event.title ?? '');
  if (!title) return undefined;
  const frontendLink = httpUrl(event.frontend_link ?? undefined);
  const slug = blank(event.slug) ?? slugOfFrontendLink(frontendLink);
  if (!slug) return undefined;
  const url = frontendLink ?? `https://media.ccc.de/v/${encodeURIComponent(slug)}`;
  const { description, links: described } = descriptionOf(event.description ?? undefined, 'auto', url);
  const links = uniq(
    [httpUrl(event.link ?? undefined), ...described].filter((l): l is string => l !== undefined && l !== url),
  );
  const persons = (event.persons ?? []).flatMap((p) => (typeof p === 'string' && p.trim() ? [singleLine(p)] : []));
  return {
    key: `mediaccc:${slug}`,
    url,
    provider: 'mediaccc',
    title,
    subtitle: blank(event.subtitle) ? singleLine(event.subtitle ?? '') : undefined,
    description,
    publishedAt: toIsoDate(event.release_date),
    updatedAt: toIsoDate(event.updated_at),
    recordedAt: recordedAtOf(event.date ?? undefined),
    guid: blank(event.guid),
    slug,
    persons: persons.length > 0 ? persons : undefined,
    language: blank(event.original_language),
    embedUrl: embedUrlOf(url),
    links: links.length > 0 ? links : undefined,
  };
}

/** Parse a media.ccc.de conference document into recording items (API order). */
export function parseMediaCccConference(body: string, _contentType?: string): RecordingItem[] {
  const trimmed = stripBom(body).trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('['))
    throw new SourceParseError(`expected ${WHAT}, got ${describeBody(body)}`);
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (error) {
    throw new SourceParseError(
      `expected ${WHAT}, got malformed JSON (${error instanceof Error ? error.message : String(error)}): ${snippet(trimmed)}`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SourceParseError(
      `expected ${WHAT} (an object with an "events" array), got ${Array.isArray(json) ? 'an array' : `${json === null ? 'null' : typeof json}`}`,
    );
  }
  const conference = MediaCccConference.safeParse(json);
  if (!conference.success) {
    const keys = Object.keys(json).slice(0, 8);
    const events = (json as Record<string, unknown>)['events'];
    const got =
      events === undefined
        ? `an object without "events" (keys: ${keys.length > 0 ? keys.join(', ') : 'none'})`
        : `"events" of type ${events === null ? 'null' : typeof events}`;
    throw new SourceParseError(`expected ${WHAT} (an object with an "events" array), got ${got}`);
  }
  return mapItems(conference.data.events, itemOf);
}

export const mediaCccSource: RecordingSource = {
  kind: 'mediaccc',
  accept: 'application/json',
  parse: parseMediaCccConference,
};
