import type { Event, Talk } from '../../src/catalogue/types.ts';

const AT = '2031-01-01T00:00:00.000Z';

/** A stored event with only what the indexes read; `extra` overrides. */
export function eventRecord(id: string, name: string, extra: Partial<Event> = {}): Event {
  return { id, name, aliases: [], createdAt: AT, updatedAt: AT, ...extra };
}

/** A stored pending talk with one speaker and guid `guid-<id>`; `extra` overrides. */
export function talkRecord(
  id: string,
  eventId: string,
  title: string,
  speaker: string,
  extra: Partial<Talk> = {},
): Talk {
  return {
    id,
    eventId,
    title,
    aliases: [],
    speakers: [{ name: speaker }],
    externalIds: { guid: `guid-${id}` },
    recording: { status: 'pending' },
    recordings: [],
    createdAt: AT,
    updatedAt: AT,
    ...extra,
  };
}
