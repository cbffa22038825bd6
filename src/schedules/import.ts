import type { CatalogueReader } from '../catalogue/store-port.ts';
import type { ImportWrite, ScheduleStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import { DomainError } from '../platform/errors.ts';
import { slugify } from '../catalogue/ids.ts';
import { applyOptOut, attachRecording } from '../recordings/recording.ts';
import { dedupe, newTalkId } from '../catalogue/catalogue.ts';
import { ScheduleParseError, type ImportedSchedule, type ImportedTalk } from './imported.ts';
import { parseSchedule } from './parse.ts';

export type ImportDeps = { readonly store: ScheduleStore; readonly clock: Clock };

export type ImportOptions = {
  /** Import into this event. Without it, the event the file names (acronym, then title) is used or created. */
  readonly eventId?: string | undefined;
  /** When `eventId` names no event: create it (CLI) instead of failing with 404 (API). @default false */
  readonly createMissingEvent?: boolean | undefined;
  readonly format?: 'xml' | 'json' | undefined;
};

export type ImportReport = {
  readonly eventId: string;
  readonly eventCreated: boolean;
  readonly format: ImportedSchedule['format'];
  readonly talks: number;
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: number;
  /** Talks the schedule no longer lists: marked `removedFromScheduleAt`, never deleted. */
  readonly removed: readonly string[];
  /** Talks that became published from recording links the schedule lists. */
  readonly published: readonly string[];
};

/**
 * Parse a schedule export and upsert it idempotently in one atomic commit:
 * talks are matched by guid (ids repeat across events; slugs change with titles), falling back
 * to the numeric id within the event for exports without guids. Changed titles and slugs are kept
 * as aliases, recordings already found are never dropped, vanished talks are marked, not deleted.
 * An unchanged re-import commits nothing.
 */
export async function importSchedule(deps: ImportDeps, text: string, opts: ImportOptions = {}): Promise<ImportReport> {
  let parsed: ImportedSchedule;
  try {
    parsed = parseSchedule(text, opts.format);
  } catch (err) {
    if (err instanceof ScheduleParseError) {
      throw new DomainError('SCHEDULE_INVALID', err.message, { ...err.location }, { cause: err });
    }
    throw err;
  }
  checkDuplicateKeys(parsed.talks);
  const now = deps.clock.now();
  // Planned and written in one transaction: a concurrent import or edit makes the plan run again.
  return deps.store.saveImport((view) => planImport(view, parsed, opts, now));
}

/** The import as a pure function of the current catalogue: what to write and the report. */
async function planImport(
  view: CatalogueReader,
  parsed: ImportedSchedule,
  opts: ImportOptions,
  now: Date,
): Promise<ImportWrite<ImportReport>> {
  const nowIso = now.toISOString();
  const { event, created: eventCreated } = await resolveEvent(view, parsed, opts, nowIso);

  const existing = await view.talksOfEvent(event.id);
  const byGuid = new Map<string, Talk>();
  const byScheduleId = new Map<string, Talk>();
  const byTitle = new Map<string, Talk>();
  for (const t of existing) {
    byTitle.set(t.title.trim().toLowerCase(), t);
    if (t.externalIds.guid) byGuid.set(t.externalIds.guid.toLowerCase(), t);
    if (t.externalIds.scheduleId) byScheduleId.set(t.externalIds.scheduleId, t);
  }

  const puts: Talk[] = [];
  const events: DomainEvent[] = [];
  const created: string[] = [];
  const updated: string[] = [];
  const published: string[] = [];
  const seen = new Set<string>();
  const reserved = new Set<string>();
  let unchanged = 0;

  for (const item of parsed.talks) {
    const guid = item.guid?.toLowerCase();
    let current = guid ? byGuid.get(guid) : undefined;
    if (!current && item.scheduleId) {
      const candidate = byScheduleId.get(item.scheduleId);
      // Fall back to the per-event id only where guids cannot decide.
      if (candidate && (!guid || !candidate.externalIds.guid)) current = candidate;
    }
    if (!current && !guid && !item.scheduleId) {
      // An export with neither guid nor id can only be matched by its title.
      const candidate = byTitle.get(item.title.trim().toLowerCase());
      if (candidate && !seen.has(candidate.id)) current = candidate;
    }
    if (!current && guid) {
      const elsewhere = await view.findTalk(guid);
      if (elsewhere && elsewhere.eventId !== event.id) {
        throw new DomainError(
          'CONFLICT',
          `talk guid ${item.guid} already belongs to event "${elsewhere.eventId}" (talk "${elsewhere.id}")`,
          {
            guid: item.guid,
            talkId: elsewhere.id,
          },
        );
      }
    }
    let next: Talk;
    if (current) {
      seen.add(current.id);
      next = mergeTalk(current, item, nowIso);
    } else {
      const id = await newTalkId(view, event, item.title, reserved);
      reserved.add(id);
      next = newTalk(id, event.id, item, nowIso);
    }
    for (const link of item.recordings) {
      const result = attachRecording(
        next,
        {
          url: link.url,
          title: link.title,
          match: { method: 'schedule', confidence: 1, evidence: ['listed by the schedule'] },
        },
        now,
      );
      if (result.changed) {
        if (result.events.length > 0) published.push(next.id);
        next = result.talk;
        events.push(...result.events);
      }
    }
    if (!current) {
      created.push(next.id);
      puts.push(next);
    } else if (!sameContent(current, next)) {
      updated.push(next.id);
      puts.push({ ...next, updatedAt: nowIso });
    } else {
      unchanged += 1;
    }
  }

  const removed: string[] = [];
  for (const t of existing) {
    if (!seen.has(t.id) && !t.removedFromScheduleAt) {
      removed.push(t.id);
      puts.push({ ...t, removedFromScheduleAt: nowIso, updatedAt: nowIso });
    }
  }

  const eventPuts: Event[] = eventCreated ? [event] : [];
  if (!eventCreated) {
    const refreshed = refreshEvent(event, parsed, nowIso);
    if (refreshed) eventPuts.push(refreshed);
  }
  const result: ImportReport = {
    eventId: event.id,
    eventCreated,
    format: parsed.format,
    talks: parsed.talks.length,
    created,
    updated,
    unchanged,
    removed,
    published,
  };
  return { events: eventPuts, talks: puts, domainEvents: events, result };
}

async function resolveEvent(
  view: CatalogueReader,
  parsed: ImportedSchedule,
  opts: ImportOptions,
  nowIso: string,
): Promise<{ event: Event; created: boolean }> {
  const conf = parsed.conference;
  if (opts.eventId) {
    const found = await view.getEvent(opts.eventId);
    if (found) return { event: found, created: false };
    if (!opts.createMissingEvent)
      throw new DomainError('EVENT_NOT_FOUND', `event "${opts.eventId}" not found`, { id: opts.eventId });
    return { event: eventFrom(opts.eventId, parsed, nowIso), created: true };
  }
  const names = [conf.acronym, conf.title].filter((n): n is string => Boolean(n));
  // Names with nothing to transliterate slug to '', which must not make every such event the same.
  const keys = new Set(names.flatMap((n) => [slugify(n), n.trim().toLowerCase()]).filter(Boolean));
  for (const e of await view.listEvents()) {
    const own = [e.id, e.name, e.acronym, ...e.aliases].filter((n): n is string => Boolean(n));
    if (own.some((n) => keys.has(n.trim().toLowerCase()) || keys.has(slugify(n)))) return { event: e, created: false };
  }
  const id = slugify(conf.acronym || conf.title);
  if (!id)
    throw new DomainError(
      'SCHEDULE_INVALID',
      'the schedule names no conference (acronym or title); import it with an event id',
      { path: 'conference' },
    );
  return { event: eventFrom(id, parsed, nowIso), created: true };
}

function eventFrom(id: string, parsed: ImportedSchedule, nowIso: string): Event {
  const c = parsed.conference;
  return {
    id,
    name: c.title,
    aliases: dedupe([c.acronym ?? ''].filter((a) => a && a !== c.title)),
    acronym: c.acronym,
    city: c.city,
    timezone: c.timezone,
    startDate: c.startDate,
    endDate: c.endDate ?? c.startDate,
    url: c.url,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
}

/** Fill in what the event lacks from the schedule; never overwrite what a person set. */
function refreshEvent(event: Event, parsed: ImportedSchedule, nowIso: string): Event | undefined {
  const c = parsed.conference;
  const next: Event = {
    ...event,
    aliases: dedupe([...event.aliases, ...[c.title, c.acronym ?? ''].filter((n) => n && n !== event.name)]),
    acronym: event.acronym ?? c.acronym,
    city: event.city ?? c.city,
    timezone: event.timezone ?? c.timezone,
    startDate: event.startDate ?? c.startDate,
    endDate: event.endDate ?? c.endDate,
    url: event.url ?? c.url,
  };
  return JSON.stringify(next) === JSON.stringify(event) ? undefined : { ...next, updatedAt: nowIso };
}

function scheduleFields(item: ImportedTalk) {
  return {
    title: item.title,
    subtitle: item.subtitle,
    speakers: item.speakers.map((s) => ({
      name: s.name,
      ...(s.affiliation ? { affiliation: s.affiliation } : {}),
      ...(s.role ? { role: s.role } : {}),
    })),
    start: item.start,
    durationMinutes: item.durationMinutes,
    room: item.room,
    track: item.track,
    kind: item.kind,
    language: item.language,
    abstract: item.abstract,
  };
}

function newTalk(id: string, eventId: string, item: ImportedTalk, nowIso: string): Talk {
  return {
    id,
    eventId,
    ...scheduleFields(item),
    aliases: [],
    externalIds: { guid: item.guid, scheduleId: item.scheduleId, slug: item.slug, scheduleUrl: item.url },
    recording: item.doNotRecord ? { status: 'not-recorded' } : { status: 'pending' },
    recordings: [],
    createdAt: nowIso,
    updatedAt: nowIso,
  };
}

function mergeTalk(current: Talk, item: ImportedTalk, nowIso: string): Talk {
  const oldNames: string[] = [];
  if (current.title !== item.title) oldNames.push(current.title);
  if (current.externalIds.slug && item.slug && current.externalIds.slug !== item.slug)
    oldNames.push(current.externalIds.slug);
  const aliases = dedupe([...current.aliases, ...oldNames]).filter((a) => a !== item.title && a !== item.slug);
  return {
    ...current,
    ...scheduleFields(item),
    aliases,
    externalIds: {
      guid: item.guid ?? current.externalIds.guid,
      scheduleId: item.scheduleId ?? current.externalIds.scheduleId,
      slug: item.slug ?? current.externalIds.slug,
      scheduleUrl: item.url ?? current.externalIds.scheduleUrl,
    },
    recording: applyOptOut(current.recording, item.doNotRecord),
    removedFromScheduleAt: undefined,
    updatedAt: current.updatedAt || nowIso,
  };
}

function sameContent(a: Talk, b: Talk): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}

/** Two entries with the same guid in one file would silently merge; refuse the file instead. */
function checkDuplicateKeys(talks: readonly ImportedTalk[]): void {
  const seen = new Map<string, number>();
  talks.forEach((t, i) => {
    const key = t.guid ? `guid ${t.guid.toLowerCase()}` : t.scheduleId ? `id ${t.scheduleId}` : undefined;
    if (!key) return;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new DomainError(
        'SCHEDULE_INVALID',
        `the schedule lists ${key} twice ("${talks[first]?.title}" and "${t.title}")`,
        { key },
      );
    }
    seen.set(key, i);
  });
}
