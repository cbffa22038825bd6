/**
 * Parser for frab/pentabarf `schedule.xml` exports (frab, pretalx `/schedule/export/schedule.xml`,
 * FOSDEM's pentabarf and pretalx exports, c3voc/voctosched generated files).
 *
 * @module
 */

import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { ScheduleParseError } from './imported.ts';
import type { ImportedRecordingLink, ImportedSchedule, ImportedSpeaker, ImportedTalk } from './imported.ts';
import {
  cleanBlock,
  cleanLine,
  datePart,
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

/** A parsed element: text-only elements arrive as strings, others as objects (attributes as `@_name`). */
type XmlNode = string | { readonly [key: string]: unknown };

/** Element paths that may repeat; always parsed as arrays so a single child still arrives as a list. */
const ARRAY_PATHS: ReadonlySet<string> = new Set([
  'schedule.day',
  'schedule.day.room',
  'schedule.day.room.event',
  'schedule.day.room.event.persons.person',
  'schedule.day.room.event.links.link',
  'schedule.day.room.event.attachments.attachment',
]);

const META = XMLParser.getMetaDataSymbol();

function createParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    captureMetaData: true,
    isArray: (_name, jPath, _isLeaf, isAttribute) =>
      !isAttribute && typeof jPath === 'string' && ARRAY_PATHS.has(jPath),
  });
}

function isObject(node: unknown): node is { readonly [key: string]: unknown } {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Text content of an element (`<x>text</x>` or `<x a="1">text</x>`); undefined when absent. */
function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return textOf(node[0]);
  if (isObject(node))
    return textOf(node['#text']) ?? (Object.keys(node).every((k) => k.startsWith('@_')) ? '' : undefined);
  return undefined;
}

/** Child element `name` of `node`. */
function child(node: unknown, name: string): unknown {
  return isObject(node) ? node[name] : undefined;
}

/** Attribute `name` of `node`. */
function attr(node: unknown, name: string): string | undefined {
  const value = isObject(node) ? node[`@_${name}`] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Repeated children `name` of `node` (the parser already returns arrays for known list paths). */
function list(node: unknown, name: string): XmlNode[] {
  const value = child(node, name);
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

/** 1-based line of an element in `text`, from the parser's start offsets. */
function lineOf(node: unknown, text: string, lineShift: number): number | undefined {
  const meta = isObject(node) ? (node as Record<symbol, unknown>)[META as symbol] : undefined;
  const start = isObject(meta) ? meta['startIndex'] : undefined;
  return typeof start === 'number' ? lineColumnAt(text, start).line + lineShift : undefined;
}

/**
 * Parses a frab/pentabarf `schedule.xml` document.
 *
 * - Every `<day>/<room>/<event>` becomes one {@link ImportedTalk}, in document order.
 * - Start: the event's `<date>` (full ISO date-time) wins and its offset is kept as given; otherwise
 *   `<day date>` + `<start>`. Values without an offset get the offset of the conference
 *   `<time_zone_name>` at that local time (via `Intl.DateTimeFormat`), else the offset of
 *   `<day start>`, else they stay floating local times. A `<start>` earlier than the day's start
 *   (`<day start>` or pentabarf `<day_change>`) is taken to be after midnight.
 * - `doNotRecord` from `<recording><optout>` (or `<do_not_record>`); `recordings` from `<links>` and
 *   `<attachments>` that look like audio/video, plus `<video_download_url>`/`<download_url>`.
 * - Plain-text fields are entity-decoded (XML and leftover HTML references), whitespace-collapsed
 *   and trimmed; `<abstract>` falls back to `<description>` and keeps its markup.
 *
 * @param text The XML document (a leading BOM and whitespace are tolerated).
 * @throws {ScheduleParseError} Malformed XML (`location.line`/`column`), a root element other than
 *   `<schedule>`, no conference title, or an event without a title (`location.path`/`line`).
 */
export function parseFrabXml(text: string): ImportedSchedule {
  // Tolerate a BOM and blank lines before the declaration; keep error line numbers true to the input.
  const withoutBom = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const leading = /^\s*/.exec(withoutBom)?.[0] ?? '';
  const xml = withoutBom.slice(leading.length);
  const lineShift = lineColumnAt(leading, leading.length).line - 1;
  const firstLineColumnShift = leading.length - (leading.lastIndexOf('\n') + 1);

  // A schedule has no use for a DTD: external entities (XXE) and entity expansion are refused
  // outright, and nesting far beyond any schedule's (a few levels) is refused before parsing.
  if (/<!DOCTYPE[^>]*\[/i.test(xml) || /<!ENTITY/i.test(xml))
    throw new ScheduleParseError('schedule.xml must not declare a DTD or entities (<!DOCTYPE … [ … ]>)', { line: 1 });
  const depth = maxNesting(xml);
  if (depth > MAX_XML_DEPTH)
    throw new ScheduleParseError(`schedule.xml nests elements ${depth} deep; at most ${MAX_XML_DEPTH} are accepted`, {
      line: 1,
    });

  let validation: ReturnType<typeof XMLValidator.validate>;
  try {
    validation = XMLValidator.validate(xml);
  } catch (err) {
    throw new ScheduleParseError(`Malformed schedule XML: ${(err as Error).message}`, { line: 1 });
  }
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const location = { line: line + lineShift, column: line === 1 ? col + firstLineColumnShift : col };
    throw new ScheduleParseError(
      `Malformed schedule XML at line ${location.line}, column ${location.column}: ${msg}`,
      location,
    );
  }

  let document: unknown;
  try {
    document = createParser().parse(xml);
  } catch (err) {
    throw new ScheduleParseError(`Malformed schedule XML: ${(err as Error).message}`, { line: 1 });
  }
  const rootName = isObject(document)
    ? Object.keys(document).find((k) => !k.startsWith('?') && !k.startsWith('#'))
    : undefined;
  if (rootName !== 'schedule' || !isObject(document)) {
    throw new ScheduleParseError(
      `Not a frab schedule.xml: root element is ${rootName === undefined ? 'missing' : `<${rootName}>`}, expected <schedule>`,
      { path: rootName ?? '', line: 1 + lineShift },
    );
  }
  const schedule = document['schedule'];
  const conferenceNode = child(schedule, 'conference');
  const days = list(schedule, 'day');

  const timeZone = cleanLine(textOf(child(conferenceNode, 'time_zone_name')));
  const baseUrl = cleanLine(textOf(child(conferenceNode, 'base_url')));
  const dayChangeMinutes = minutesOfDay(textOf(child(conferenceNode, 'day_change')));
  const conferenceTitle =
    cleanLine(textOf(child(conferenceNode, 'title'))) ?? cleanLine(textOf(child(conferenceNode, 'acronym')));
  if (conferenceTitle === undefined) {
    throw new ScheduleParseError('schedule.xml has no conference title (schedule/conference/title)', {
      path: 'schedule/conference/title',
      line: lineOf(conferenceNode, xml, lineShift),
    });
  }
  const dayDates = days
    .map((day) => datePart(attr(day, 'date')) ?? datePart(attr(day, 'start')))
    .filter((d) => d !== undefined);

  const talks: ImportedTalk[] = [];
  days.forEach((day, dayIndex) => {
    const dayDate = attr(day, 'date') ?? attr(day, 'start');
    const dayStartMinutes = minutesOfDay(attr(day, 'start')) ?? dayChangeMinutes;
    const dayOffset = offsetOf(attr(day, 'start'));
    list(day, 'room').forEach((room, roomIndex) => {
      const roomName = cleanLine(attr(room, 'name'));
      list(room, 'event').forEach((event, eventIndex) => {
        const path = `schedule/day[${dayIndex + 1}]/room[${roomIndex + 1}]/event[${eventIndex + 1}]`;
        const scheduleId = cleanLine(attr(event, 'id'));
        const title = cleanLine(textOf(child(event, 'title')));
        if (title === undefined) {
          const line = lineOf(event, xml, lineShift);
          const where = `${scheduleId === undefined ? 'Event' : `Event id ${scheduleId}`} at ${path}`;
          throw new ScheduleParseError(`${where}${line === undefined ? '' : ` (line ${line})`} has no title`, {
            path: `${path}/title`,
            line,
          });
        }
        talks.push({
          guid: cleanLine(attr(event, 'guid')),
          scheduleId,
          slug: cleanLine(textOf(child(event, 'slug'))),
          title,
          subtitle: cleanLine(textOf(child(event, 'subtitle'))),
          speakers: speakersOf(event),
          start: resolveStart({
            dateTime: textOf(child(event, 'date')),
            dayDate,
            clock: textOf(child(event, 'start')),
            timeZone,
            dayStartMinutes,
            fallbackOffset: dayOffset,
          }),
          durationMinutes: parseDurationMinutes(textOf(child(event, 'duration'))),
          room: cleanLine(textOf(child(event, 'room'))) ?? roomName,
          track: cleanLine(textOf(child(event, 'track'))),
          kind: cleanLine(textOf(child(event, 'type'))),
          language: cleanLine(textOf(child(event, 'language'))),
          abstract: cleanBlock(textOf(child(event, 'abstract'))) ?? cleanBlock(textOf(child(event, 'description'))),
          url: cleanLine(textOf(child(event, 'url'))),
          doNotRecord: doNotRecordOf(event),
          recordings: recordingsOf(event, baseUrl),
        });
      });
    });
  });

  return {
    format: 'frab-xml',
    version: cleanLine(textOf(child(schedule, 'version'))),
    conference: {
      title: conferenceTitle,
      acronym: cleanLine(textOf(child(conferenceNode, 'acronym'))),
      city: cleanLine(textOf(child(conferenceNode, 'city'))),
      timezone: timeZone,
      startDate: datePart(textOf(child(conferenceNode, 'start'))) ?? dayDates[0],
      endDate: datePart(textOf(child(conferenceNode, 'end'))) ?? dayDates.at(-1),
      url: baseUrl,
    },
    talks,
  };
}

function speakersOf(event: XmlNode): ImportedSpeaker[] {
  const speakers: ImportedSpeaker[] = [];
  for (const person of list(child(event, 'persons'), 'person')) {
    pushSpeaker(speakers, textOf(person), {
      affiliation: attr(person, 'affiliation') ?? attr(person, 'organization') ?? attr(person, 'organisation'),
      role: attr(person, 'role'),
    });
  }
  return speakers;
}

function doNotRecordOf(event: XmlNode): boolean {
  const recording = child(event, 'recording');
  return (
    parseFlag(textOf(child(recording, 'optout'))) ||
    parseFlag(textOf(child(event, 'do_not_record'))) ||
    parseFlag(textOf(child(recording, 'do_not_record')))
  );
}

function recordingsOf(event: XmlNode, baseUrl: string | undefined): ImportedRecordingLink[] {
  const recordings: ImportedRecordingLink[] = [];
  for (const link of list(child(event, 'links'), 'link')) {
    pushRecording(recordings, recordingLink(attr(link, 'href'), textOf(link), baseUrl));
  }
  for (const attachment of list(child(event, 'attachments'), 'attachment')) {
    const type = attr(attachment, 'type')?.trim().toLowerCase();
    const isVideo = type === 'video' || type === 'recording' || type === 'audio';
    pushRecording(recordings, recordingLink(attr(attachment, 'href'), textOf(attachment), baseUrl, isVideo));
  }
  for (const name of ['video_download_url', 'download_url']) {
    pushRecording(recordings, recordingLink(textOf(child(event, name)), undefined, baseUrl, true));
  }
  return recordings;
}

/** Far beyond any schedule.xml (schedule/day/room/event/persons/person is six levels). */
const MAX_XML_DEPTH = 64;

/** Deepest element nesting, counted without parsing (tags only; comments and CDATA are rare here). */
function maxNesting(xml: string): number {
  let depth = 0;
  let max = 0;
  for (const m of xml.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth -= 1;
    else if (!m[2]) {
      depth += 1;
      if (depth > max) max = depth;
      if (max > MAX_XML_DEPTH) return max;
    }
  }
  return max;
}
