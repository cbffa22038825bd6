import type { CatalogueReader, CatalogueStore } from './store-port.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { Event, Speaker, Talk } from './types.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { ID_PATTERN, slugify } from './ids.ts';

export type CatalogueDeps = {
  readonly store: CatalogueStore;
  readonly clock: Clock;
  readonly logger: Logger;
};

export type EventInput = {
  id?: string | undefined;
  name: string;
  aliases?: readonly string[] | undefined;
  acronym?: string | undefined;
  city?: string | undefined;
  timezone?: string | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
  url?: string | undefined;
};

export type TalkInput = {
  id?: string | undefined;
  title: string;
  subtitle?: string | undefined;
  aliases?: readonly string[] | undefined;
  speakers?: readonly Speaker[] | undefined;
  start?: string | undefined;
  durationMinutes?: number | undefined;
  room?: string | undefined;
  track?: string | undefined;
  kind?: string | undefined;
  language?: string | undefined;
  abstract?: string | undefined;
  externalIds?: Talk['externalIds'] | undefined;
  notRecorded?: boolean | undefined;
};

export type TalkFilter = {
  readonly eventId?: string | undefined;
  readonly speaker?: string | undefined;
  readonly status?: Talk['recording']['status'] | undefined;
  readonly text?: string | undefined;
};

export type Page<T> = { readonly items: readonly T[]; readonly nextCursor: string | null };

/** Use-cases over events and talks. Returns plain data, throws DomainError. */
export class Catalogue {
  /** All talks in listing order, rebuilt lazily after a commit touches talks. */
  private sorted: { items: Talk[]; keys: string[] } | undefined;

  constructor(private readonly deps: CatalogueDeps) {
    deps.store.onCommit(({ put, deleted }) => {
      if (put.talks?.length || deleted.talks?.length) this.sorted = undefined;
    });
  }

  // ---- events -------------------------------------------------------------------------------

  async listEvents(): Promise<readonly Event[]> {
    const events = await this.deps.store.listEvents();
    return [...events].sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || a.id.localeCompare(b.id));
  }

  /** Talks by id (not other references), in the order asked. */
  getTalks(ids: readonly string[]): Promise<Talk[]> {
    return this.deps.store.getTalks(ids);
  }

  /** An event's talks in schedule order (start time, then id). */
  async talksOfEvent(eventId: string): Promise<Talk[]> {
    return (await this.deps.store.talksOfEvent(eventId)).sort(
      (a, b) => (a.start ?? '').localeCompare(b.start ?? '') || a.id.localeCompare(b.id),
    );
  }

  /** An event if it exists (pages show a talk without its event rather than fail). */
  findEvent(id: string): Promise<Event | undefined> {
    return this.deps.store.getEvent(id);
  }

  async getEvent(id: string): Promise<Event> {
    const event = await this.deps.store.getEvent(id);
    if (!event) throw notFound('EVENT_NOT_FOUND', 'event', id);
    return event;
  }

  /** Create an event. Its id is the given one or a slug of its acronym or name; an existing id is a conflict. */
  async createEvent(input: EventInput): Promise<Event> {
    const id = input.id ?? slugify(input.acronym || input.name);
    if (!ID_PATTERN.test(id))
      throw new DomainError('VALIDATION_FAILED', `cannot derive a valid id from "${input.name}"; give one`, {
        field: 'id',
      });
    const now = this.now();
    const event: Event = { ...cleanEvent(input), id, createdAt: now, updatedAt: now };
    if (!(await this.deps.store.createEvent(event)))
      throw new DomainError('CONFLICT', `event "${id}" already exists`, { id });
    return event;
  }

  async updateEvent(id: string, patch: Partial<EventInput>): Promise<Event> {
    const now = this.now();
    const event = await this.deps.store.updateEvent(id, (current) => {
      const merged = cleanEvent({ ...current, ...patch, aliases: patch.aliases ?? [...current.aliases] });
      return { ...merged, id, createdAt: current.createdAt, updatedAt: now };
    });
    if (!event) throw notFound('EVENT_NOT_FOUND', 'event', id);
    return event;
  }

  /** Delete an event. Refused while it has talks unless `cascade`, which deletes them in the same commit. */
  async deleteEvent(id: string, cascade: boolean): Promise<{ deletedTalks: number }> {
    const result = await this.deps.store.deleteEvent(id, cascade);
    switch (result.status) {
      case 'not-found':
        throw notFound('EVENT_NOT_FOUND', 'event', id);
      case 'has-talks':
        throw new DomainError(
          'CONFLICT',
          `event "${id}" still has ${result.talks} talks; delete with cascade=true to remove them too`,
          { talks: result.talks },
        );
      case 'deleted':
        return { deletedTalks: result.talks };
      default: {
        const never: never = result;
        return never;
      }
    }
  }

  // ---- talks --------------------------------------------------------------------------------

  /** A talk by id, earlier id, schedule guid or `<event>:<schedule id>`. */
  async getTalk(ref: string): Promise<Talk> {
    const talk = await this.deps.store.findTalk(ref);
    if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', ref);
    return talk;
  }

  async listTalks(filter: TalkFilter, cursor: string | undefined, limit: number): Promise<Page<Talk>> {
    if (filter.eventId) await this.getEvent(filter.eventId);
    if (!filter.eventId && !filter.speaker && !filter.status && !filter.text) return this.pageOfAll(cursor, limit);
    const all = filter.eventId ? await this.deps.store.talksOfEvent(filter.eventId) : (await this.sortedTalks()).items;
    const speaker = filter.speaker ? normalizeLoose(filter.speaker) : undefined;
    const words = filter.text ? normalizeLoose(filter.text).split(' ').filter(Boolean) : [];
    const matches = all.filter((t) => {
      if (filter.status && t.recording.status !== filter.status) return false;
      if (speaker && !t.speakers.some((s) => normalizeLoose(s.name).includes(speaker))) return false;
      if (words.length > 0) {
        const hay = normalizeLoose(
          [t.title, t.subtitle, ...t.aliases, ...t.speakers.map((s) => s.name), t.abstract, t.track].join(' '),
        );
        if (!words.every((w) => hay.includes(w))) return false;
      }
      return true;
    });
    return paginate(matches, talkSortKey, cursor, limit);
  }

  /** The unfiltered listing: a binary search in the cached order, O(log n + limit) per page. */
  private async pageOfAll(cursor: string | undefined, limit: number): Promise<Page<Talk>> {
    const { items, keys } = await this.sortedTalks();
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    let lo = 0;
    if (after !== undefined) {
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid]! <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const page = items.slice(lo, lo + limit);
    const more = lo + limit < items.length;
    const lastKey = keys[lo + page.length - 1];
    return {
      items: page,
      nextCursor: more && lastKey !== undefined ? Buffer.from(lastKey, 'utf8').toString('base64url') : null,
    };
  }

  private async sortedTalks(): Promise<{ items: Talk[]; keys: string[] }> {
    if (!this.sorted) {
      const keyed = (await this.deps.store.allTalks())
        .map((t) => ({ t, k: talkSortKey(t) }))
        .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
      this.sorted = { items: keyed.map((x) => x.t), keys: keyed.map((x) => x.k) };
    }
    return this.sorted;
  }

  async createTalk(eventId: string, input: TalkInput): Promise<Talk> {
    const event = await this.getEvent(eventId);
    const now = this.now();
    const id = input.id ?? (await this.newTalkId(event, input.title));
    if (!ID_PATTERN.test(id)) throw new DomainError('VALIDATION_FAILED', 'invalid talk id', { field: 'id' });
    const talk: Talk = {
      ...cleanTalkFields(input),
      id,
      eventId,
      aliases: dedupe(input.aliases ?? []),
      externalIds: input.externalIds ?? {},
      recording: input.notRecorded ? { status: 'not-recorded' } : { status: 'pending' },
      recordings: [],
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.deps.store.createTalk(talk)))
      throw new DomainError('CONFLICT', `talk "${id}" already exists`, { id });
    return talk;
  }

  /** Update a talk's fields. A changed title is kept as an alias so the old wording still finds it. */
  async updateTalk(ref: string, patch: Partial<TalkInput>): Promise<Talk> {
    const now = this.now();
    const talk = await this.deps.store.updateTalk(ref, (current) => patchTalk(current, patch, now));
    if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', ref);
    return talk;
  }

  async deleteTalk(ref: string): Promise<void> {
    if (!(await this.deps.store.deleteTalk(ref))) throw notFound('TALK_NOT_FOUND', 'talk', ref);
  }

  /** A talk id for a new talk: `<event acronym or id>-<title slug>`, unique in the catalogue. */
  async newTalkId(event: Event, title: string, reserved: ReadonlySet<string> = new Set()): Promise<string> {
    return newTalkId(this.deps.store, event, title, reserved);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** A talk id for a new talk: `<event acronym or id>-<title slug>`, unique in the catalogue. */
export async function newTalkId(
  view: Pick<CatalogueReader, 'talkIdTaken'>,
  event: Event,
  title: string,
  reserved: ReadonlySet<string> = new Set(),
): Promise<string> {
  // An acronym with nothing to transliterate (an emoji) slugs to '': the event id always has letters.
  const prefix = slugify(event.acronym || event.id, 40) || slugify(event.id, 40);
  const base = `${prefix}-${slugify(title, 50) || 'talk'}`;
  const taken = new Set(reserved);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(candidate) && !(await view.talkIdTaken(candidate))) return candidate;
    taken.add(candidate);
  }
}

/** A talk with a patch applied. A changed title is kept as an alias so the old wording still finds it. */
function patchTalk(current: Talk, patch: Partial<TalkInput>, now: string): Talk {
  const fields = cleanTalkFields({ ...current, ...patch, title: patch.title ?? current.title });
  const aliases = dedupe([
    ...(patch.aliases ?? current.aliases),
    ...(patch.title && patch.title !== current.title ? [current.title] : []),
  ]);
  let recording = current.recording;
  if (patch.notRecorded === true && recording.status === 'pending') recording = { status: 'not-recorded' };
  if (patch.notRecorded === false && recording.status === 'not-recorded') recording = { status: 'pending' };
  return {
    ...current,
    ...fields,
    aliases,
    externalIds: patch.externalIds ?? current.externalIds,
    recording,
    updatedAt: now,
  };
}

// ---- helpers ------------------------------------------------------------------------------------

function cleanEvent(input: EventInput): Omit<Event, 'id' | 'createdAt' | 'updatedAt'> {
  return {
    name: input.name.trim(),
    aliases: dedupe(input.aliases ?? []),
    acronym: input.acronym?.trim() || undefined,
    city: input.city?.trim() || undefined,
    timezone: input.timezone?.trim() || undefined,
    startDate: input.startDate,
    endDate: input.endDate ?? input.startDate,
    url: input.url,
  };
}

function cleanTalkFields(
  input: TalkInput,
): Pick<
  Talk,
  'title' | 'subtitle' | 'speakers' | 'start' | 'durationMinutes' | 'room' | 'track' | 'kind' | 'language' | 'abstract'
> {
  return {
    title: input.title.trim(),
    subtitle: input.subtitle?.trim() || undefined,
    speakers: (input.speakers ?? []).map((s) => ({
      name: s.name.trim(),
      ...(s.affiliation?.trim() ? { affiliation: s.affiliation.trim() } : {}),
      ...(s.role?.trim() ? { role: s.role.trim() } : {}),
    })),
    start: input.start,
    durationMinutes: input.durationMinutes,
    room: input.room?.trim() || undefined,
    track: input.track?.trim() || undefined,
    kind: input.kind?.trim() || undefined,
    language: input.language?.trim() || undefined,
    abstract: input.abstract?.trim() || undefined,
  };
}

export function dedupe(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const t = v.trim();
    if (t && !seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** Case/accent-insensitive form for simple filters. */
function normalizeLoose(s: string | undefined): string {
  return (s ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const talkSortKey = (t: Talk): string => `${t.start ? new Date(t.start).toISOString() : '9999'}|${t.id}`;

/** Keyset pagination: the cursor is the opaque sort key of the last item returned. */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  cursor: string | undefined,
  limit: number,
): Page<T> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const keyed = items.map((item) => ({ item, k: key(item) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const start = after === undefined ? 0 : keyed.findIndex((x) => x.k > after);
  const slice = start < 0 ? [] : keyed.slice(start, start + limit);
  const last = slice[slice.length - 1];
  const more = start >= 0 && start + limit < keyed.length;
  return {
    items: slice.map((x) => x.item),
    nextCursor: more && last ? Buffer.from(last.k, 'utf8').toString('base64url') : null,
  };
}

function decodeCursor(cursor: string): string {
  const after = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!after) throw new DomainError('VALIDATION_FAILED', 'invalid cursor', { field: 'cursor' });
  return after;
}
