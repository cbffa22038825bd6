/**
 * Parser for c3voc `schedule.json` (https://c3voc.de/schedule/schema.json) as exported by frab,
 * pretalx (`/schedule/export/schedule.json`) and voctosched.
 *
 * @module
 */

import { z } from 'zod';

import { ScheduleParseError } from './imported.ts';
import type { ImportedRecordingLink, ImportedSchedule, ImportedSpeaker, ImportedTalk } from './imported.ts';
import {
  cleanBlock,
  cleanLine,
  datePart,
  isIsoDateTime,
  lineColumnAt,
  minutesOfDay,
  offsetOf,
  parseDurationMinutes,
  parseFlag,
  pushRecording,
  pushSpeaker,
  recordingLink,
  resolveStart,
} from './schedule-common.ts';

// Only what the importer relies on is checked; real exports carry many more fields (and nulls),
// so every object is loose and every other field is read leniently below.
const TITLE_ERROR = 'title must be a non-empty string';
const eventSchema = z.looseObject({
  title: z.string({ error: TITLE_ERROR }).trim().min(1, { error: TITLE_ERROR }),
  persons: z.array(z.unknown()).nullish(),
  links: z.array(z.unknown()).nullish(),
  attachments: z.array(z.unknown()).nullish(),
});
const daySchema = z.looseObject({
  rooms: z.record(z.string(), z.array(eventSchema)).nullish(),
});
const conferenceSchema = z.looseObject({
  days: z.array(daySchema),
});
const documentSchema = z.looseObject({
  schedule: z.looseObject({
    conference: conferenceSchema,
  }),
});

type JsonEvent = z.infer<typeof eventSchema>;

/** A text value as exports write it: strings, numbers, or i18n objects (`{ "en": "…", "de": "…" }`). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const preferred = record['en'];
    if (typeof preferred === 'string') return preferred;
    return Object.values(record).find((v): v is string => typeof v === 'string');
  }
  return undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** `schedule.conference.days[0].rooms["Saal 1"][2].title` */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  path.forEach((key, i) => {
    if (typeof key === 'number') {
      out += `[${key}]`;
      return;
    }
    const name = String(key);
    const isRoomName = path[i - 1] === 'rooms' && path[i - 3] === 'days';
    out +=
      !isRoomName && /^[A-Za-z_$][\w$]*$/.test(name) ? `${out === '' ? '' : '.'}${name}` : `[${JSON.stringify(name)}]`;
  });
  return out;
}

/**
 * Where a `JSON.parse` SyntaxError points, as 1-based line and column. Understands the V8 message
 * forms `… in JSON at position N`, `… (line X column Y)` and `Unexpected end of JSON input`; for
 * messages without a position (`Unexpected token 'x', "…" is not valid JSON`) the offending offset
 * is found by scanning the text.
 *
 * @internal Exported for tests.
 */
export function jsonSyntaxErrorLocation(text: string, error: unknown): { line: number; column: number } {
  const message = error instanceof Error ? error.message : String(error);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /at position (\d+)/.exec(message);
  if (position) return lineColumnAt(text, Number(position[1]));
  if (/end of (?:JSON )?input/i.test(message)) return lineColumnAt(text, text.length);
  return lineColumnAt(text, jsonErrorOffset(text) ?? 0);
}

class JsonScanError {
  constructor(readonly offset: number) {}
}

/** Offset of the first JSON syntax error in `text` (RFC 8259 grammar), or undefined if valid. */
function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new JsonScanError(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text.charAt(i) !== char) fail();
    i++;
  };
  const scanString = (): void => {
    expect('"');
    while (i < text.length) {
      const char = text.charAt(i);
      if (char === '"') {
        i++;
        return;
      }
      if (char === '\\') {
        i++;
        const escape = text.charAt(i);
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') {
          fail();
        }
      } else if (char < ' ') {
        fail();
      }
      i++;
    }
    fail();
  };
  const scanValue = (): void => {
    skipSpace();
    const char = text.charAt(i);
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          skipSpace();
          scanString();
          expect(':');
        }
        scanValue();
        skipSpace();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        expect(close);
        return;
      }
    }
    if (char === '"') return scanString();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) {
      i = number.lastIndex;
      return;
    }
    const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
    if (literal === undefined) fail();
    else i += literal.length;
  };
  try {
    scanValue();
    skipSpace();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof JsonScanError) return error.offset;
    throw error;
  }
}

/**
 * Parses a c3voc/pretalx/frab `schedule.json` document.
 *
 * - Every event under `schedule.conference.days[].rooms{name: [...]}` becomes one
 *   {@link ImportedTalk}, in document order.
 * - Start: the event's `date` (full ISO date-time; also `start` when it carries a date) wins and its
 *   offset is kept as given; otherwise the day's `date` + `start` (`HH:MM`). Values without an offset
 *   get the offset of `conference.time_zone_name` at that local time, else the offset of the day's
 *   `day_start`, else stay floating local times. A `start` earlier than the day's `day_start` time is
 *   taken to be after midnight.
 * - Speakers from `persons[]` (`name`, `public_name`, `full_public_name`; plain strings tolerated).
 * - `doNotRecord` from `do_not_record` (boolean or `"true"`); `recordings` from `links`/`attachments`
 *   that look like audio/video (`{url,title}` objects or plain URL strings) and `video_download_url`.
 * - Conference `url` is `conference.url`, else `schedule.base_url` (as in the XML), else `schedule.url`
 *   (pretalx's schedule page).
 *
 * @param text The JSON document (a leading BOM is tolerated).
 * @throws {ScheduleParseError} Invalid JSON (`location.line`/`column`), or a structural problem such as
 *   an event without a non-empty title (`location.path`, e.g.
 *   `schedule.conference.days[0].rooms["Saal 1"][2].title`).
 */
export function parseScheduleJson(text: string): ImportedSchedule {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    const location = jsonSyntaxErrorLocation(source, error);
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    throw new ScheduleParseError(
      `Invalid schedule JSON at line ${location.line}, column ${location.column}: ${reason}`,
      location,
      {
        cause: error,
      },
    );
  }

  if (typeof field(raw, 'schedule') !== 'object' || field(raw, 'schedule') === null) {
    throw new ScheduleParseError('Not a schedule.json: expected a top-level "schedule" object', { path: 'schedule' });
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const path = formatPath(first?.path ?? []);
    const more = rest.length === 0 ? '' : ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})`;
    throw new ScheduleParseError(
      `Invalid schedule.json at ${path || '(root)'}: ${first?.message ?? 'invalid structure'}${more}`,
      { path },
      {
        cause: parsed.error,
      },
    );
  }

  const schedule = parsed.data.schedule;
  const conference = schedule.conference;
  const baseUrl = cleanLine(textOf(schedule['base_url']));
  const timeZone = cleanLine(textOf(conference['time_zone_name']));
  const title = cleanLine(textOf(conference['title'])) ?? cleanLine(textOf(conference['acronym']));
  if (title === undefined) {
    throw new ScheduleParseError('Invalid schedule.json at schedule.conference.title: conference has no title', {
      path: 'schedule.conference.title',
    });
  }
  const dayDates = conference.days
    .map((day) => datePart(textOf(day['date'])) ?? datePart(textOf(day['day_start'])))
    .filter((d) => d !== undefined);

  const talks: ImportedTalk[] = [];
  for (const day of conference.days) {
    const dayDate = textOf(day['date']) ?? textOf(day['day_start']);
    const dayStart = textOf(day['day_start']);
    for (const [roomName, events] of Object.entries(day.rooms ?? {})) {
      for (const event of events) {
        talks.push(toTalk(event, { dayDate, dayStart, roomName, timeZone, baseUrl }));
      }
    }
  }

  return {
    format: 'schedule-json',
    version: cleanLine(textOf(schedule['version'])),
    conference: {
      title,
      acronym: cleanLine(textOf(conference['acronym'])),
      city: cleanLine(textOf(conference['city'])),
      timezone: timeZone,
      startDate: datePart(textOf(conference['start'])) ?? dayDates[0],
      endDate: datePart(textOf(conference['end'])) ?? dayDates.at(-1),
      url: cleanLine(textOf(conference['url'])) ?? baseUrl ?? cleanLine(textOf(schedule['url'])),
    },
    talks,
  };
}

type DayContext = {
  readonly dayDate: string | undefined;
  readonly dayStart: string | undefined;
  readonly roomName: string;
  readonly timeZone: string | undefined;
  readonly baseUrl: string | undefined;
};

function toTalk(event: JsonEvent, context: DayContext): ImportedTalk {
  const date = textOf(event['date']);
  const start = textOf(event['start']);
  const startHasDate = isIsoDateTime(start);
  return {
    guid: cleanLine(textOf(event['guid'])),
    scheduleId: cleanLine(textOf(event['id'])),
    slug: cleanLine(textOf(event['slug'])),
    title: cleanLine(event.title) ?? event.title,
    subtitle: cleanLine(textOf(event['subtitle'])),
    speakers: speakersOf(event),
    start: resolveStart({
      dateTime: isIsoDateTime(date) ? date : startHasDate ? start : date,
      dayDate: context.dayDate,
      clock: startHasDate ? undefined : start,
      timeZone: context.timeZone,
      dayStartMinutes: minutesOfDay(context.dayStart),
      fallbackOffset: offsetOf(context.dayStart),
    }),
    durationMinutes: parseDurationMinutes(textOf(event['duration'])),
    room:
      cleanLine(textOf(event['room'])) ??
      cleanLine(textOf(field(event['room'], 'name'))) ??
      cleanLine(context.roomName),
    track: cleanLine(textOf(event['track'])),
    kind: cleanLine(textOf(event['type'])),
    language: cleanLine(textOf(event['language'])),
    abstract: cleanBlock(textOf(event['abstract'])) ?? cleanBlock(textOf(event['description'])),
    url: cleanLine(textOf(event['url'])),
    doNotRecord: parseFlag(event['do_not_record']) || parseFlag(field(event['recording'], 'optout')),
    recordings: recordingsOf(event, context.baseUrl),
  };
}

function speakersOf(event: JsonEvent): ImportedSpeaker[] {
  const speakers: ImportedSpeaker[] = [];
  for (const person of event.persons ?? []) {
    if (typeof person === 'string') {
      pushSpeaker(speakers, person);
      continue;
    }
    const name = ['name', 'public_name', 'full_public_name', 'full_name']
      .map((key) => cleanLine(textOf(field(person, key))))
      .find((value) => value !== undefined);
    pushSpeaker(speakers, name, {
      affiliation:
        textOf(field(person, 'affiliation')) ??
        textOf(field(person, 'organization')) ??
        textOf(field(person, 'organisation')),
      role: textOf(field(person, 'role')),
    });
  }
  return speakers;
}

function recordingsOf(event: JsonEvent, baseUrl: string | undefined): ImportedRecordingLink[] {
  const recordings: ImportedRecordingLink[] = [];
  for (const reference of [...(event.links ?? []), ...(event.attachments ?? [])]) {
    if (typeof reference === 'string') {
      pushRecording(recordings, recordingLink(reference, undefined, baseUrl));
      continue;
    }
    const type = textOf(field(reference, 'type'))?.trim().toLowerCase();
    const isVideo = type === 'video' || type === 'recording' || type === 'audio';
    const href = textOf(field(reference, 'url')) ?? textOf(field(reference, 'href'));
    pushRecording(recordings, recordingLink(href, textOf(field(reference, 'title')), baseUrl, isVideo));
  }
  pushRecording(recordings, recordingLink(textOf(event['video_download_url']), undefined, baseUrl, true));
  return recordings;
}
