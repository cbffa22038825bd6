/**
 * Format-sniffing entry point for schedule exports.
 *
 * @module
 */

import { parseFrabXml } from './frab-xml.ts';
import { ScheduleParseError } from './imported.ts';
import type { ImportedSchedule } from './imported.ts';
import { parseScheduleJson } from './schedule-json.ts';

/**
 * Parses a schedule export, either frab/pentabarf `schedule.xml` or c3voc/pretalx `schedule.json`.
 *
 * Without `hint`, the format is sniffed from the first non-whitespace character after an optional
 * BOM: `<` → XML, `{` → JSON. With `hint`, that parser is used directly.
 *
 * @param text The document text.
 * @param hint Force a format (e.g. from a Content-Type header or file extension).
 * @throws {ScheduleParseError} When the text is neither format, or the chosen parser rejects it.
 */
export function parseSchedule(text: string, hint?: 'xml' | 'json'): ImportedSchedule {
  const format = hint ?? sniffFormat(text);
  if (format === 'xml') return parseFrabXml(text);
  if (format === 'json') return parseScheduleJson(text);
  throw new ScheduleParseError('not a schedule.xml or schedule.json (expected the document to start with "<" or "{")', {
    line: 1,
    column: 1,
  });
}

function sniffFormat(text: string): 'xml' | 'json' | undefined {
  const first = /^\uFEFF?\s*(\S)/.exec(text)?.[1];
  if (first === '<') return 'xml';
  if (first === '{') return 'json';
  return undefined;
}
