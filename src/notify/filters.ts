/**
 * One filter language for subscriptions and feeds: a talk (any id it resolves from), a speaker
 * (matched like lookup matches names), an event, or a recap post (by URL: the talks it mentions,
 * including those linked to it later).
 */
import type { Talk } from '../catalogue/types.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { normalizeText, similarity } from '../text/normalize.ts';
import { parseHttpUrl } from '../text/urls.ts';
import { postIdOf } from '../posts/service.ts';
import type { SubscriptionFilter } from './types.ts';

export type FilterInput = {
  readonly talk?: string | undefined;
  readonly speaker?: string | undefined;
  readonly event?: string | undefined;
  readonly post?: string | undefined;
};

export type FilterDeps = {
  findTalk(ref: string): Promise<Talk | undefined>;
  getEvent(id: string): Promise<{ readonly id: string; readonly name: string } | undefined>;
  /** Talks that a free-text search for this name ranks first (lookup's index). */
  searchTalks(query: string, limit: number): Promise<readonly Talk[]>;
};

/** A speaker's name as the fan-out compares it: case, accents, punctuation and spacing folded. */
export const speakerKey = (name: string): string => normalizeText(name);

/** Lowest name similarity at which a typed name is taken for a catalogue speaker. */
const SAME_SPEAKER = 0.85;

/**
 * Turn exactly one of talk/speaker/event/post into a filter. Unknown talks and events are 404;
 * an unknown speaker is kept as typed (their talks may be imported later).
 */
export async function resolveFilter(deps: FilterDeps, input: FilterInput): Promise<SubscriptionFilter> {
  const given = (['talk', 'speaker', 'event', 'post'] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1)
    throw new DomainError('VALIDATION_FAILED', 'give exactly one of talk, speaker, event or post', {
      given,
    });
  const kind = given[0]!;
  const value = input[kind]!.trim();
  switch (kind) {
    case 'talk': {
      const talk = await deps.findTalk(value);
      if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', value);
      return { kind, key: talk.id, label: talk.title };
    }
    case 'event': {
      const event = await deps.getEvent(value);
      if (!event) throw notFound('EVENT_NOT_FOUND', 'event', value);
      return { kind, key: event.id, label: event.name };
    }
    case 'speaker': {
      const key = speakerKey(value);
      if (key.length < 2) throw new DomainError('VALIDATION_FAILED', 'speaker name is empty', { speaker: value });
      const known = await canonicalSpeaker(deps, value);
      return { kind, key: known ? speakerKey(known) : key, label: known ?? value };
    }
    case 'post': {
      const url = parseHttpUrl(value);
      if (!url) throw new DomainError('VALIDATION_FAILED', 'post must be an http(s) URL', { post: value });
      return { kind, key: postIdOf(url.toString()), label: url.toString() };
    }
  }
}

/** The catalogue's spelling of a typed speaker name ("mark mcclain", "Mark McClian"), if any. */
async function canonicalSpeaker(deps: FilterDeps, typed: string): Promise<string | undefined> {
  const wanted = speakerKey(typed);
  let best: { name: string; score: number } | undefined;
  for (const talk of await deps.searchTalks(typed, 10)) {
    for (const s of talk.speakers) {
      const score = speakerKey(s.name) === wanted ? 1 : similarity(s.name, typed);
      if (score >= SAME_SPEAKER && (!best || score > best.score)) best = { name: s.name, score };
    }
  }
  return best?.name;
}

/** The `kind:key` strings under which subscriptions about this talk are found. */
export function filterKeysOfTalk(talk: Talk, mentioningPostIds: readonly string[]): string[] {
  const keys = new Set([`talk:${talk.id}`, `event:${talk.eventId}`]);
  for (const s of talk.speakers) keys.add(`speaker:${speakerKey(s.name)}`);
  for (const id of mentioningPostIds) keys.add(`post:${id}`);
  return [...keys];
}

export const filterKey = (f: SubscriptionFilter): string => `${f.kind}:${f.key}`;
