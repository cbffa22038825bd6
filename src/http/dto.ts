import type { Event, Talk } from '../catalogue/types.ts';
import type { Mention } from '../posts/types.ts';
import type { LookupResult } from '../search/lookup.ts';
import type { CatalogueReader } from '../catalogue/store-port.ts';

/** API shape of a talk: the stored record plus its permanent links. */
export function talkDto(talk: Talk, publicUrl: string) {
  return {
    id: talk.id,
    eventId: talk.eventId,
    title: talk.title,
    subtitle: talk.subtitle ?? null,
    aliases: talk.aliases,
    speakers: talk.speakers,
    start: talk.start ?? null,
    durationMinutes: talk.durationMinutes ?? null,
    room: talk.room ?? null,
    track: talk.track ?? null,
    kind: talk.kind ?? null,
    language: talk.language ?? null,
    abstract: talk.abstract ?? null,
    externalIds: talk.externalIds,
    recording: talk.recording,
    recordings: talk.recordings,
    removedFromScheduleAt: talk.removedFromScheduleAt ?? null,
    createdAt: talk.createdAt,
    updatedAt: talk.updatedAt,
    links: { page: talkPageUrl(publicUrl, talk.id), watch: `${talkPageUrl(publicUrl, talk.id)}/watch` },
  };
}

export function eventDto(event: Event, publicUrl: string) {
  return {
    id: event.id,
    name: event.name,
    aliases: event.aliases,
    acronym: event.acronym ?? null,
    city: event.city ?? null,
    timezone: event.timezone ?? null,
    startDate: event.startDate ?? null,
    endDate: event.endDate ?? null,
    url: event.url ?? null,
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
    links: { page: `${publicUrl}/e/${encodeURIComponent(event.id)}` },
  };
}

export const talkPageUrl = (publicUrl: string, id: string): string => `${publicUrl}/t/${encodeURIComponent(id)}`;

/** API shape of a lookup candidate (HTTP and CLI). */
export function lookupResultDto(r: LookupResult, publicUrl: string) {
  return {
    id: r.talk.id,
    score: Math.round(r.score * 1000) / 1000,
    title: r.talk.title,
    speakers: r.talk.speakers.map((s) => s.name),
    event: r.event ? { id: r.event.id, name: r.event.name } : { id: r.talk.eventId, name: null },
    start: r.talk.start ?? null,
    status: r.talk.recording.status,
    recordingUrl: recordingUrlOf(r.talk),
    url: talkPageUrl(publicUrl, r.talk.id),
    watchUrl: `${talkPageUrl(publicUrl, r.talk.id)}/watch`,
    matched: r.matched,
  };
}

/** A mention with the talk's title and page, for people reading detection results (HTTP and CLI). */
export async function mentionDtos(
  mentions: readonly Mention[],
  catalogue: Pick<CatalogueReader, 'getTalks'>,
  publicUrl: string,
) {
  const titles = new Map((await catalogue.getTalks(mentions.map((m) => m.talkId))).map((t) => [t.id, t.title]));
  return Promise.all(
    mentions.map(async (m) => ({
      ...m,
      title: titles.get(m.talkId) ?? null,
      url: talkPageUrl(publicUrl, m.talkId),
    })),
  );
}

/** The URL a reader should follow for a talk, or null while nothing is published. */
export const recordingUrlOf = (talk: Talk): string | null =>
  talk.recording.status === 'published' ? talk.recording.url : null;
