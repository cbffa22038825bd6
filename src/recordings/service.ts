import type { RecordingStore } from './store-port.ts';
import { isValidCron } from './next-run.ts';
import type { Clock } from '../platform/clock.ts';
import type { HttpClient } from '../platform/http-client.ts';
import { FetchError } from '../platform/http-client.ts';
import type { Talk } from '../catalogue/types.ts';
import { emptyHealth, SOURCE_KINDS, type Source, type SourceKind, type UnmatchedRecording } from './types.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { randomId } from '../catalogue/ids.ts';
import { attachRecording, detachRecording } from './recording.ts';
import { recordingKeyOf } from '../text/video-urls.ts';
import type { RecordingPoller } from './poller.ts';

export type SourceServiceDeps = {
  readonly store: RecordingStore;
  readonly clock: Clock;
  readonly http: HttpClient;
  readonly poller: RecordingPoller;
  readonly defaultCron: string;
};

export type ManualLinkInput = {
  readonly url: string;
  readonly provider?: string | undefined;
  readonly language?: string | undefined;
  readonly title?: string | undefined;
  readonly primary?: boolean | undefined;
};

/** voctopublish's release notification (c3voc publishing pipeline). */
export type VoctopublishRelease = {
  readonly fahrplan: {
    readonly conference?: string | undefined;
    readonly guid: string;
    readonly id?: string | number | undefined;
    readonly slug?: string | undefined;
    readonly title?: string | undefined;
  };
  readonly voctoweb?:
    { readonly frontend_url?: string | undefined; readonly enabled?: boolean | undefined } | undefined;
  readonly youtube?:
    | {
        readonly urls?: readonly string[] | undefined;
        readonly privacy?: string | undefined;
        readonly enabled?: boolean | undefined;
      }
    | undefined;
};

/** Use-cases of recording sources, the unmatched queue and manual recording decisions. */
export class SourceService {
  constructor(private readonly deps: SourceServiceDeps) {}

  /** Register a source. Refuses unknown kinds, invalid cron expressions and non-http(s) or disallowed URLs. */
  async addSource(
    eventId: string,
    input: { kind: string; url: string; schedule?: string | undefined },
  ): Promise<Source> {
    if (!(await this.deps.store.getEvent(eventId))) throw notFound('EVENT_NOT_FOUND', 'event', eventId);
    if (!SOURCE_KINDS.includes(input.kind as SourceKind)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `unknown source kind "${input.kind}"; expected one of ${SOURCE_KINDS.join(', ')}`,
        { field: 'kind' },
      );
    }
    const schedule = input.schedule?.trim() || this.deps.defaultCron;
    if (!isValidCron(schedule))
      throw new DomainError('VALIDATION_FAILED', `invalid cron expression "${schedule}"`, { field: 'schedule' });
    this.checkUrl(input.url, 'url');
    const candidate: Source = {
      id: randomId('src'),
      eventId,
      kind: input.kind as SourceKind,
      url: input.url,
      schedule,
      cache: {},
      health: emptyHealth(),
      createdAt: this.deps.clock.now().toISOString(),
    };
    const { source, created } = await this.deps.store.addSource(candidate);
    if (!created)
      throw new DomainError('CONFLICT', `event "${eventId}" already has a source for ${input.url}`, {
        id: source.id,
      });
    return source;
  }

  async listSources(): Promise<readonly Source[]> {
    const all = await this.deps.store.listSources();
    return [...all]
      .map((s) => this.withHealth(s))
      .sort((a, b) => a.eventId.localeCompare(b.eventId) || a.createdAt.localeCompare(b.createdAt));
  }

  async getSource(id: string): Promise<Source> {
    const s = await this.deps.store.getSource(id);
    if (!s) throw notFound('SOURCE_NOT_FOUND', 'source', id);
    return this.withHealth(s);
  }

  async deleteSource(id: string): Promise<void> {
    if (!(await this.deps.store.deleteSource(id))) throw notFound('SOURCE_NOT_FOUND', 'source', id);
  }

  async listUnmatched(eventId: string): Promise<readonly UnmatchedRecording[]> {
    if (!(await this.deps.store.getEvent(eventId))) throw notFound('EVENT_NOT_FOUND', 'event', eventId);
    return (await this.deps.store.listUnmatched(eventId))
      .filter((u) => !u.dismissed)
      .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.id.localeCompare(b.id));
  }

  /**
   * A person links (or re-links) a recording to a talk. A recording currently on another talk of
   * any event is moved: unlinked there (and remembered as rejected) in the same commit.
   */
  async linkRecording(talkRef: string, input: ManualLinkInput): Promise<Talk> {
    this.checkUrl(input.url, 'url');
    const now = this.deps.clock.now();
    const key = recordingKeyOf(input.url);
    return this.deps.store.applyRecordings(async (view) => {
      const talk = await view.findTalk(talkRef);
      if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', talkRef);
      const puts: Talk[] = [];
      const events = [];
      for (const other of await view.talksOfEvent(talk.eventId)) {
        if (other.id === talk.id) continue;
        const rec = other.recordings.find((r) => r.key === key);
        if (rec) {
          const res = detachRecording(other, rec.id, `moved by hand to ${talk.id}`, now, 'unlinked');
          puts.push({ ...res.talk, rejectedRecordingKeys: addKey(res.talk.rejectedRecordingKeys, key) });
          events.push(...res.events);
        }
      }
      const res = attachRecording(
        { ...talk, rejectedRecordingKeys: talk.rejectedRecordingKeys?.filter((k) => k !== key) },
        {
          url: input.url,
          key,
          provider: input.provider,
          language: input.language,
          title: input.title,
          primary: input.primary,
          match: { method: 'manual', confidence: 1, evidence: ['linked by hand'] },
        },
        now,
      );
      puts.push(res.talk);
      events.push(...res.events);
      const queueId = `${talk.eventId}|${key}`;
      return { talks: puts, domainEvents: events, unmatchedDeletes: [queueId], result: res.talk };
    });
  }

  /** A person unlinks a recording; later polls will not link that recording to this talk again. */
  async unlinkRecording(talkRef: string, recordingId: string): Promise<Talk> {
    const now = this.deps.clock.now();
    return this.deps.store.applyRecordings(async (view) => {
      const talk = await view.findTalk(talkRef);
      if (!talk) throw notFound('TALK_NOT_FOUND', 'talk', talkRef);
      const rec = talk.recordings.find((r) => r.id === recordingId || r.key === recordingId);
      if (!rec)
        throw new DomainError('RECORDING_NOT_FOUND', `talk "${talk.id}" has no recording "${recordingId}"`, {
          talkId: talk.id,
          recordingId,
        });
      const res = detachRecording(talk, rec.id, 'unlinked by hand', now, 'unlinked');
      const next = { ...res.talk, rejectedRecordingKeys: addKey(res.talk.rejectedRecordingKeys, rec.key) };
      return { talks: [next], domainEvents: res.events, result: next };
    });
  }

  /**
   * Record what a voctopublish release carries (the media.ccc.de page, public YouTube URLs) on the
   * talk its schedule guid names, then poll that event's sources now.
   */
  async intakeVoctopublish(
    release: VoctopublishRelease,
  ): Promise<{ talkId: string | null; recordings: number; polled: number }> {
    const guid = release.fahrplan.guid.toLowerCase();
    const urls: { url: string; provider: string }[] = [];
    if (release.voctoweb?.frontend_url && release.voctoweb.enabled !== false)
      urls.push({ url: release.voctoweb.frontend_url, provider: 'mediaccc' });
    if (release.youtube && release.youtube.enabled !== false && (release.youtube.privacy ?? 'public') === 'public') {
      for (const url of release.youtube.urls ?? []) urls.push({ url, provider: 'youtube' });
    }
    // These become watch redirects: only http(s) URLs.
    for (const u of urls)
      if (!/^https?:\/\//i.test(u.url) || !URL.canParse(u.url))
        throw new DomainError('VALIDATION_FAILED', `not an http(s) URL: ${u.url}`, { field: 'url' });
    const now = this.deps.clock.now();
    const talk = await this.deps.store.applyRecordings(async (view) => {
      const talk = await view.findTalk(guid);
      if (!talk || urls.length === 0) return { result: talk };
      let current = talk;
      const events = [];
      for (const u of urls) {
        const res = attachRecording(
          current,
          {
            url: u.url,
            provider: u.provider,
            match: {
              method: 'webhook',
              confidence: 1,
              evidence: [`voctopublish release for guid ${release.fahrplan.guid}`],
            },
          },
          now,
        );
        current = res.talk;
        events.push(...res.events);
      }
      const queued = urls.map((u) => `${talk.eventId}|${recordingKeyOf(u.url)}`);
      if (current === talk) return { result: talk };
      return { talks: [current], domainEvents: events, unmatchedDeletes: queued, result: current };
    });
    const eventId = talk?.eventId;
    const sourceIds = eventId ? (await this.deps.store.listSources({ eventId })).map((s) => s.id) : [];
    // The poller logs its own failures and the next scheduled poll reconciles anyway.
    if (sourceIds.length > 0) this.deps.poller.run({ kind: 'ids', ids: sourceIds }).catch(() => undefined);
    return { talkId: talk?.id ?? null, recordings: talk ? urls.length : 0, polled: sourceIds.length };
  }

  private withHealth(s: Source): Source {
    return { ...s, health: this.deps.poller.health(s) };
  }

  private checkUrl(url: string, field: string): void {
    try {
      this.deps.http.checkUrl(url);
    } catch (err) {
      if (err instanceof FetchError)
        throw new DomainError(err.kind === 'blocked' ? 'URL_NOT_ALLOWED' : 'VALIDATION_FAILED', err.message, { field });
      throw err;
    }
  }
}

function addKey(keys: readonly string[] | undefined, key: string): string[] {
  return [...new Set([...(keys ?? []), key])];
}
