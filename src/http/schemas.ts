import { z } from 'zod';
import { RECORDING_STATUSES } from '../catalogue/types.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const optText = (max: number) => z.string().trim().max(max).optional();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const isoDateTime = z.iso.datetime({ offset: true, local: false });
const httpUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.hostname }).max(2048);
export const idParam = z.string().min(1).max(200);
const slugId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,119}$/, 'lowercase letters, digits, - and _ only');

export const SpeakerSchema = z.strictObject({ name: text(200), affiliation: optText(200), role: optText(200) });

export const EventCreateSchema = z.strictObject({
  id: slugId.optional(),
  name: text(300),
  aliases: z.array(text(300)).max(50).optional(),
  acronym: optText(100),
  city: optText(200),
  timezone: optText(100),
  startDate: date.optional(),
  endDate: date.optional(),
  url: httpUrl.optional(),
});
export const EventUpdateSchema = EventCreateSchema.omit({ id: true }).partial();

const externalIds = z.strictObject({
  guid: optText(200),
  scheduleId: optText(100),
  slug: optText(300),
  scheduleUrl: httpUrl.optional(),
});

export const TalkCreateSchema = z.strictObject({
  id: slugId.optional(),
  title: text(500),
  subtitle: optText(500),
  aliases: z.array(text(500)).max(50).optional(),
  speakers: z.array(SpeakerSchema).max(50).optional(),
  start: isoDateTime.optional(),
  durationMinutes: z.number().int().min(0).max(100_000).optional(),
  room: optText(200),
  track: optText(200),
  kind: optText(100),
  language: optText(50),
  abstract: optText(20_000),
  externalIds: externalIds.optional(),
  notRecorded: z.boolean().optional(),
});
export const TalkUpdateSchema = TalkCreateSchema.omit({ id: true }).partial();

const limit = z.coerce.number().int().min(1).max(200).default(50);
const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ListEventsQuery = z.object({ cursor: z.string().max(500).optional(), limit });
export const DeleteEventQuery = z.object({ cascade: boolString.optional() });
export const ListTalksQuery = z.object({
  event: z.string().max(200).optional(),
  speaker: z.string().trim().min(1).max(200).optional(),
  status: z.enum(RECORDING_STATUSES as [string, ...string[]]).optional(),
  q: z.string().trim().min(1).max(500).optional(),
  cursor: z.string().max(500).optional(),
  limit,
});
export const LookupQuery = z.object({
  q: z.string().trim().min(1, 'q must not be empty').max(500),
  event: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export const IdParams = z.object({ id: idParam });
export const ScheduleQuery = z.object({ format: z.enum(['xml', 'json']).optional() });
/** Importing into an event by id; `create=true`: an id the catalogue lacks becomes a new event. */
export const EventScheduleQuery = ScheduleQuery.extend({ create: boolString.optional() });
/** The id of an event about to be created by its path. */
export const NewEventParams = z.object({ id: slugId });
export const FormatQuery = z.object({ format: z.enum(['json', 'html']).optional() });

export { httpUrl };
