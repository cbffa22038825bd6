/**
 * Helpers shared by the schedule parsers (`frab-xml.ts`, `schedule-json.ts`).
 * Everything here is pure and format-neutral; nothing is exported from the package surface.
 *
 * @internal
 * @module
 */

import { decodeHTMLStrict } from 'entities/decode';
import type { ImportedRecordingLink, ImportedSpeaker } from './imported.ts';

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/**
 * Decodes HTML character references (`&eacute;`, `&#233;`, `&#xE9;`, `&amp;`) left in text.
 * Schedules often carry HTML-escaped plain text (double escaping in XML, or HTML-escaped JSON
 * strings). Only references closed by `;` are decoded (strict mode), so `AT&T` or `&copy 2020`
 * stay as written; unknown names are left untouched.
 */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return decodeHTMLStrict(text);
}

/**
 * A single-line plain-text field (title, speaker name, room, track): HTML entities decoded,
 * whitespace runs collapsed to one space, trimmed; empty → `undefined`.
 */
export function cleanLine(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = decodeHtmlEntities(value).replace(/\s+/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

/**
 * A multi-line text field (abstract, description) kept as given (it may be HTML or Markdown):
 * trimmed only; empty → `undefined`.
 */
export function cleanBlock(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.trim();
  return cleaned === '' ? undefined : cleaned;
}

/** True for `true`, `"true"`, `"yes"`, `"1"`, `1` (case-insensitive, trimmed). */
export function parseFlag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') return /^(?:true|yes|1)$/i.test(value.trim());
  return false;
}

// ---------------------------------------------------------------------------
// Dates, times, durations
// ---------------------------------------------------------------------------

/** `YYYY-MM-DD` when the value starts with a calendar date (`2013-12-05`, `2013-12-05T04:00:00+01:00`). */
export function datePart(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^\s*(\d{4}-\d{2}-\d{2})(?:$|[T\s])/.exec(value);
  return match?.[1];
}

/** `HH:MM` / `H:MM` / `HH:MM:SS` → `{ h, m, s }`, or undefined. */
function parseClock(value: string | undefined): { h: number; m: number; s: number } | undefined {
  const match = value === undefined ? null : /^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(value);
  if (!match) return undefined;
  const h = Number(match[1]);
  const m = Number(match[2]);
  const s = match[3] === undefined ? 0 : Number(match[3]);
  return h < 24 && m < 60 && s < 60 ? { h, m, s } : undefined;
}

/** A parsed ISO 8601 date-time: local wall clock plus the offset as written (if any). */
type IsoDateTime = { date: string; h: number; m: number; s: number; offset?: string | undefined };

const ISO_DATE_TIME =
  /^\s*(\d{4}-\d{2}-\d{2})[T\s](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

function parseIsoDateTime(value: string | undefined): IsoDateTime | undefined {
  const match = value === undefined ? null : ISO_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, date = '', hh = '', mm = '', ss, offset] = match;
  const h = Number(hh);
  const m = Number(mm);
  const s = ss === undefined ? 0 : Number(ss);
  if (h > 23 || m > 59 || s > 59) return undefined;
  return { date, h, m, s, offset: offset === undefined ? undefined : normalizeOffset(offset) };
}

/** `Z` → `+00:00`, `+0100` / `+01` → `+01:00`. */
function normalizeOffset(offset: string): string {
  if (offset.toUpperCase() === 'Z') return '+00:00';
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4).padEnd(2, '0')}`;
}

/** The UTC offset (`+01:00`) written on an ISO date-time, if any. */
export function offsetOf(value: string | undefined): string | undefined {
  return parseIsoDateTime(value)?.offset;
}

/** Local time-of-day in minutes of an ISO date-time or clock string (`04:00`, `2013-12-05T04:00:00+01:00`). */
export function minutesOfDay(value: string | undefined): number | undefined {
  const clock = parseClock(value) ?? parseIsoDateTime(value);
  return clock === undefined ? undefined : clock.h * 60 + clock.m;
}

/**
 * `HH:MM`, `H:MM`, `HH:MM:SS` (frab, pretalx, pentabarf) → whole minutes (seconds rounded).
 * Hours may exceed 23 (`25:00`). Anything else → undefined.
 */
export function parseDurationMinutes(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^\s*(\d{1,3}):(\d{2})(?::(\d{2}))?\s*$/.exec(value);
  if (!match) return undefined;
  const seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + (match[3] === undefined ? 0 : Number(match[3]));
  return Math.round(seconds / 60);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function addDays(date: string, days: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat | undefined {
  if (!zoneFormatters.has(timeZone)) {
    let formatter: Intl.DateTimeFormat | null = null;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      formatter = null; // unknown zone name (RangeError): no offset can be derived
    }
    zoneFormatters.set(timeZone, formatter);
  }
  return zoneFormatters.get(timeZone) ?? undefined;
}

/** Offset (minutes east of UTC) of `formatter`'s zone at the instant `epochMs`. */
function zoneOffsetAt(formatter: Intl.DateTimeFormat, epochMs: number): number {
  const parts = formatter.formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallAsUtc = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour') % 24,
    part('minute'),
    part('second'),
  );
  return Math.round((wallAsUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/**
 * The UTC offset (`+01:00`) that the IANA zone `timeZone` has at local wall-clock time
 * `date` + `time`, derived with `Intl.DateTimeFormat` (no tz database dependency).
 * Unknown zone → undefined. Local times inside a DST gap or overlap resolve deterministically
 * (second pass of the fixed-point iteration; for overlaps this is the later, standard-time reading).
 */
export function zoneOffsetFor(
  timeZone: string,
  date: string,
  time: { h: number; m: number; s?: number },
): string | undefined {
  const formatter = zoneFormatter(timeZone);
  if (formatter === undefined) return undefined;
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d, time.h, time.m, time.s ?? 0);
  const first = zoneOffsetAt(formatter, wall);
  const second = zoneOffsetAt(formatter, wall - first * 60_000);
  let offset = second;
  if (second !== first) {
    const third = zoneOffsetAt(formatter, wall - second * 60_000);
    offset = third === second ? second : Math.max(first, second);
  }
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** What a schedule says about one talk's start, in the shapes the formats use. */
export type StartInput = {
  /** Full date-time of the talk (frab/pretalx `<date>` / `"date"`). Wins when parseable. */
  readonly dateTime?: string | undefined;
  /** The day's calendar date (`<day date>` / `"date"`). */
  readonly dayDate?: string | undefined;
  /** Local start clock time (`<start>` / `"start"`, `HH:MM`). */
  readonly clock?: string | undefined;
  /** IANA zone of the conference (`time_zone_name`). */
  readonly timeZone?: string | undefined;
  /** Local minute-of-day at which the schedule day begins (`<day start>`, pentabarf `day_change`). */
  readonly dayStartMinutes?: number | undefined;
  /** An offset to use when no zone is known, e.g. from `<day start="…+01:00">`. */
  readonly fallbackOffset?: string | undefined;
};

/**
 * Resolves a talk's start to `YYYY-MM-DDTHH:MM:SS±HH:MM`.
 *
 * 1. A full date-time (`<date>`) wins; an offset written on it is kept as given (`Z` → `+00:00`).
 * 2. Otherwise day date + local clock time. A clock time earlier than the day's start
 *    (`dayStartMinutes`) belongs to the night after that date, so the date moves one day on.
 * 3. The offset of a value that carries none comes from `timeZone` at that local time, else
 *    from `fallbackOffset`; with neither, the result is a floating local time without offset.
 */
export function resolveStart(input: StartInput): string | undefined {
  const offsetFor = (date: string, t: { h: number; m: number; s: number }): string =>
    (input.timeZone === undefined ? undefined : zoneOffsetFor(input.timeZone, date, t)) ?? input.fallbackOffset ?? '';

  const full = parseIsoDateTime(input.dateTime);
  if (full !== undefined) {
    return `${full.date}T${pad2(full.h)}:${pad2(full.m)}:${pad2(full.s)}${full.offset ?? offsetFor(full.date, full)}`;
  }
  const clock = parseClock(input.clock);
  const day = datePart(input.dateTime) ?? datePart(input.dayDate);
  if (clock === undefined || day === undefined) return undefined;
  const rollsOver = input.dayStartMinutes !== undefined && clock.h * 60 + clock.m < input.dayStartMinutes;
  const date = rollsOver ? addDays(day, 1) : day;
  return `${date}T${pad2(clock.h)}:${pad2(clock.m)}:${pad2(clock.s)}${offsetFor(date, clock)}`;
}

/** `"2013-12-05T09:30"` style full date-time check (used for `"start"` values that carry a date). */
export function isIsoDateTime(value: string | undefined): boolean {
  return parseIsoDateTime(value) !== undefined;
}

// ---------------------------------------------------------------------------
// Speakers and recording links
// ---------------------------------------------------------------------------

/** Adds a speaker unless its (cleaned) name is empty or already listed. */
export function pushSpeaker(
  speakers: ImportedSpeaker[],
  name: string | undefined,
  extra: { affiliation?: string | undefined; role?: string | undefined } = {},
): void {
  const cleaned = cleanLine(name);
  if (cleaned === undefined || speakers.some((s) => s.name === cleaned)) return;
  speakers.push({ name: cleaned, affiliation: cleanLine(extra.affiliation), role: cleanLine(extra.role) });
}

const RECORDING_HOSTS =
  /^(?:[a-z0-9-]+\.)*(?:video\.fosdem\.org|youtube\.com|youtube-nocookie\.com|youtu\.be|vimeo\.com)$/i;
const MEDIA_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['webm', 'video/webm'],
  ['mp4', 'video/mp4'],
  ['m4v', 'video/mp4'],
  ['mkv', 'video/x-matroska'],
  ['mov', 'video/quicktime'],
  ['ogv', 'video/ogg'],
  ['mp3', 'audio/mpeg'],
  ['ogg', 'audio/ogg'],
  ['oga', 'audio/ogg'],
  ['opus', 'audio/opus'],
  ['m4a', 'audio/mp4'],
  ['flac', 'audio/flac'],
]);
const RECORDING_TITLE =
  /\b(?:recordings?|recorded|vod|mitschnitt|aufzeichnung)\b|^\s*video\b(?!\s*(?:room|call|conference|chat|stream))/i;

function toUrl(href: string, base?: URL): URL | undefined {
  try {
    return new URL(href, base);
  } catch {
    return undefined;
  }
}

function mediaType(url: URL | undefined, href: string): string | undefined {
  const path = url?.pathname ?? href.replace(/[?#].*$/, '');
  const ext = /\.([a-z0-9]{2,4})$/i.exec(path)?.[1]?.toLowerCase();
  return ext === undefined ? undefined : MEDIA_EXTENSIONS.get(ext);
}

/**
 * The link as a recording when its URL or title looks like one (video.fosdem.org, media.ccc.de/v/,
 * YouTube, Vimeo, audio/video file extensions, or a title such as "Video recording (WebM)").
 * Relative URLs are resolved against `baseUrl` when possible. Returns undefined for other links.
 */
export function recordingLink(
  href: string | undefined,
  title: string | undefined,
  baseUrl?: string | undefined,
  forceRecording = false,
): ImportedRecordingLink | undefined {
  const rawHref = href?.trim();
  if (!rawHref) return undefined;
  const url = toUrl(rawHref) ?? (baseUrl ? toUrl(rawHref, toUrl(baseUrl)) : undefined);
  if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const cleanTitle = cleanLine(title);
  const type = mediaType(url, rawHref);
  const looksLikeRecording =
    forceRecording ||
    type !== undefined ||
    (url !== undefined &&
      (RECORDING_HOSTS.test(url.hostname) || (url.hostname === 'media.ccc.de' && url.pathname.startsWith('/v/')))) ||
    (cleanTitle !== undefined && RECORDING_TITLE.test(cleanTitle));
  if (!looksLikeRecording) return undefined;
  return { url: url?.href ?? rawHref, title: cleanTitle ?? type };
}

/** Adds a recording link unless its URL is already listed. */
export function pushRecording(recordings: ImportedRecordingLink[], link: ImportedRecordingLink | undefined): void {
  if (link !== undefined && !recordings.some((r) => r.url === link.url)) recordings.push(link);
}

// ---------------------------------------------------------------------------
// Error locations
// ---------------------------------------------------------------------------

/** 1-based line and column of a 0-based character offset in `text`. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lastBreak = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - lastBreak };
}
