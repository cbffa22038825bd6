/**
 * A structural check of records read from a store file, before anything serves them: a record of
 * the wrong shape (edited by hand, written by a bug) is set aside (quarantined) with the reason,
 * instead of crashing requests with a raw `TypeError` later. Light on purpose: the fields code
 * dereferences without checking.
 */
import type { CollectionName } from './records.ts';

type Check = (r: Record<string, unknown>) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str =
  (field: string): Check =>
  (r) =>
    typeof r[field] === 'string' ? undefined : `${field} is not a string`;
const arr =
  (field: string): Check =>
  (r) =>
    Array.isArray(r[field]) ? undefined : `${field} is not an array`;
const obj =
  (field: string): Check =>
  (r) =>
    isObj(r[field]) ? undefined : `${field} is not an object`;

const RECORDING_STATES = new Set(['pending', 'not-recorded', 'published', 'withdrawn']);

const CHECKS: { readonly [K in CollectionName]: readonly Check[] } = {
  events: [str('name'), arr('aliases')],
  talks: [
    str('eventId'),
    str('title'),
    arr('aliases'),
    arr('speakers'),
    arr('recordings'),
    obj('externalIds'),
    (r) =>
      isObj(r.recording) && RECORDING_STATES.has(String(r.recording.status))
        ? undefined
        : 'recording is not a known recording state',
    (r) =>
      (r.speakers as unknown[]).every((s) => isObj(s) && typeof s.name === 'string')
        ? undefined
        : 'a speaker has no name',
  ],
  sources: [str('eventId'), str('url'), str('kind'), obj('health'), obj('cache')],
  unmatched: [str('eventId')],
  posts: [str('text'), arr('mentions'), arr('links')],
  blogs: [str('feedUrl'), obj('health'), obj('cache')],
  webmentions: [str('source'), str('target'), str('status')],
  subscriptions: [str('channel'), obj('filter'), arr('types'), str('status')],
  deliveries: [str('channel'), str('status'), obj('content'), str('nextAttemptAt'), arr('log')],
};

/** Why `record` (stored under `key` in `collection`) cannot be served, or undefined when it can. */
export function recordProblem(collection: CollectionName, key: string, record: unknown): string | undefined {
  if (!isObj(record)) return 'not an object';
  if (record.id !== key) return `id ${JSON.stringify(record.id)} does not match its key`;
  for (const check of CHECKS[collection]) {
    const problem = check(record);
    if (problem) return problem;
  }
  return undefined;
}
