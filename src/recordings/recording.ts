import type { DomainEvent, MatchInfo, Recording, RecordingState, Talk } from '../catalogue/types.ts';
import { DomainError } from '../platform/errors.ts';
import { stableId } from '../catalogue/ids.ts';
import { embedUrlOf, providerOf, recordingKeyOf } from '../text/video-urls.ts';

export type NewRecording = {
  readonly url: string;
  readonly key?: string | undefined;
  readonly provider?: string | undefined;
  readonly embedUrl?: string | undefined;
  readonly language?: string | undefined;
  readonly title?: string | undefined;
  readonly publishedAt?: string | undefined;
  readonly sourceId?: string | undefined;
  readonly match: MatchInfo;
  /** Make it the primary recording even if the talk already has one. */
  readonly primary?: boolean | undefined;
};

export type TransitionResult = {
  readonly talk: Talk;
  readonly events: readonly DomainEvent[];
  readonly changed: boolean;
};

/**
 * Attach a recording to a talk. Idempotent on the recording key: the same recording again only
 * refreshes what changed. The first recording of a talk becomes primary and moves the talk from
 * pending/withdrawn/not-recorded to published, emitting `recording.published` once.
 */
export function attachRecording(talk: Talk, input: NewRecording, now: Date): TransitionResult {
  const key = input.key ?? recordingKeyOf(input.url);
  const nowIso = now.toISOString();
  // A person unlinked this recording from this talk: nothing automatic links it back.
  if (input.match.method !== 'manual' && talk.rejectedRecordingKeys?.includes(key))
    return { talk, events: [], changed: false };
  const existing = talk.recordings.find((r) => r.key === key);
  let recordings: Recording[];
  let recording: Recording;
  if (existing) {
    // A manual decision is never overwritten by automatic matching.
    if (existing.match.method === 'manual' && input.match.method !== 'manual')
      return { talk, events: [], changed: false };
    recording = {
      ...existing,
      url: input.url,
      provider: input.provider ?? existing.provider,
      embedUrl: input.embedUrl ?? existing.embedUrl,
      language: input.language ?? existing.language,
      title: input.title ?? existing.title,
      publishedAt: input.publishedAt ?? existing.publishedAt,
      match: input.match,
      primary: input.primary ? true : existing.primary,
    };
    recordings = talk.recordings.map((r) => (r.key === key ? recording : input.primary ? { ...r, primary: false } : r));
  } else {
    const makePrimary = input.primary === true || !talk.recordings.some((r) => r.primary);
    recording = {
      id: stableId('rec', talk.id, key),
      key,
      url: input.url,
      provider: input.provider ?? providerOf(input.url),
      embedUrl: input.embedUrl ?? embedUrlOf(input.url),
      language: input.language,
      title: input.title,
      publishedAt: input.publishedAt,
      discoveredAt: nowIso,
      match: input.match,
      sourceId: input.sourceId,
      primary: makePrimary,
    };
    recordings = [...talk.recordings.map((r) => (makePrimary ? { ...r, primary: false } : r)), recording];
  }
  const primary = recordings.find((r) => r.primary) ?? recording;
  const state: RecordingState = {
    status: 'published',
    url: primary.url,
    recordingId: primary.id,
    publishedAt: talk.recording.status === 'published' ? talk.recording.publishedAt : (primary.publishedAt ?? nowIso),
  };
  const next: Talk = { ...talk, recordings, recording: state };
  if (JSON.stringify(next) === JSON.stringify(talk)) return { talk, events: [], changed: false };
  const events: DomainEvent[] =
    talk.recording.status === 'published'
      ? []
      : [
          {
            id: stableId('evt', 'recording.published', talk.id, primary.key),
            type: 'recording.published',
            timestamp: nowIso,
            data: { talkId: talk.id, eventId: talk.eventId, recording: primary },
          },
        ];
  return { talk: { ...next, updatedAt: nowIso }, events, changed: true };
}

/**
 * Remove a recording. `withdrawn` (a provider took it down): when the last recording goes, the talk
 * becomes `withdrawn` (keeping the last URL) and `recording.withdrawn` is emitted. `unlinked` (a
 * person took back a wrong match): the talk returns to `pending` and nothing is emitted.
 */
export function detachRecording(
  talk: Talk,
  recordingId: string,
  reason: string,
  now: Date,
  mode: 'withdrawn' | 'unlinked' = 'withdrawn',
): TransitionResult {
  const target = talk.recordings.find((r) => r.id === recordingId || r.key === recordingId);
  if (!target)
    throw new DomainError('RECORDING_NOT_FOUND', `talk "${talk.id}" has no recording "${recordingId}"`, {
      talkId: talk.id,
      recordingId,
    });
  const nowIso = now.toISOString();
  const rest = talk.recordings.filter((r) => r !== target);
  if (rest.length > 0) {
    const primary = rest.find((r) => r.primary) ?? rest[0]!;
    const recordings = rest.map((r) => ({ ...r, primary: r === primary }));
    const p = recordings.find((r) => r.primary)!;
    const publishedAt = talk.recording.status === 'published' ? talk.recording.publishedAt : nowIso;
    return {
      talk: {
        ...talk,
        recordings,
        recording: { status: 'published', url: p.url, recordingId: p.id, publishedAt },
        updatedAt: nowIso,
      },
      events: [],
      changed: true,
    };
  }
  if (mode === 'unlinked') {
    // A wrong match taken back by a person: the talk was never really published, so it is pending
    // again and nothing is announced.
    return {
      talk: { ...talk, recordings: [], recording: { status: 'pending' }, updatedAt: nowIso },
      events: [],
      changed: true,
    };
  }
  const recording: RecordingState = { status: 'withdrawn', withdrawnAt: nowIso, reason, lastUrl: target.url };
  return {
    talk: { ...talk, recordings: [], recording, updatedAt: nowIso },
    events: [
      {
        id: stableId(
          'evt',
          'recording.withdrawn',
          talk.id,
          target.key,
          talk.recording.status === 'published' ? talk.recording.publishedAt : '',
        ),
        type: 'recording.withdrawn',
        timestamp: nowIso,
        data: { talkId: talk.id, eventId: talk.eventId, url: target.url, reason },
      },
    ],
    changed: true,
  };
}

/** Apply the schedule's recording opt-out without ever dropping a recording already found. */
export function applyOptOut(state: RecordingState, doNotRecord: boolean): RecordingState {
  switch (state.status) {
    case 'pending':
      return doNotRecord ? { status: 'not-recorded' } : state;
    case 'not-recorded':
      return doNotRecord ? state : { status: 'pending' };
    case 'published':
    case 'withdrawn':
      return state;
    default: {
      const never: never = state;
      return never;
    }
  }
}
