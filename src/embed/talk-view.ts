/**
 * What pages, embeds, oEmbed and the widget show of a talk: a view model built once from the
 * stored records, with this deployment's links. Pure.
 */
import type { Event, Recording, RecordingState, Talk } from '../catalogue/types.ts';
import { embedUrlOf, providerOf, youtubeVideoId } from '../text/video-urls.ts';
import { safeUrl } from './html.ts';

export type RecordingView = {
  readonly id: string;
  /** The recording's own page or file (always an http(s) URL). */
  readonly url: string;
  readonly provider: string;
  /** Player to load in an iframe after the reader's click (youtube-nocookie, Vimeo, media.ccc.de). */
  readonly embedUrl: string | undefined;
  /** Audio or video file played by the browser itself. */
  readonly mediaUrl: string | undefined;
  readonly language: string | undefined;
  /** Human label: `media.ccc.de (de)`. */
  readonly label: string;
  readonly primary: boolean;
  /** Thumbnail at the provider (oEmbed and JSON-LD only: pages never load it before a click). */
  readonly thumbnailUrl: string | undefined;
};

export type TalkView = {
  readonly id: string;
  readonly title: string;
  readonly subtitle: string | undefined;
  readonly speakers: readonly string[];
  readonly eventId: string;
  readonly eventName: string | undefined;
  readonly start: string | undefined;
  /** `YYYY-MM-DD` of the slot, as the schedule gave it. */
  readonly day: string | undefined;
  readonly durationMinutes: number | undefined;
  readonly room: string | undefined;
  readonly track: string | undefined;
  readonly abstract: string | undefined;
  readonly status: RecordingState['status'];
  readonly withdrawnReason: string | undefined;
  /** Playable recordings, primary first; empty unless published. */
  readonly recordings: readonly RecordingView[];
  readonly pageUrl: string;
  readonly watchUrl: string;
};

const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  youtube: 'YouTube',
  vimeo: 'Vimeo',
  mediaccc: 'media.ccc.de',
  fosdem: 'FOSDEM video',
  podcast: 'Podcast',
  web: 'Web',
};

export const providerName = (provider: string): string => PROVIDER_NAMES[provider] ?? provider;

export function recordingView(r: Recording): RecordingView | undefined {
  const url = safeUrl(r.url);
  if (!url) return undefined;
  const provider = r.provider || providerOf(url);
  const embed = safeUrl(r.embedUrl) ?? embedUrlOf(url);
  const media = /\.(mp4|webm|ogv|mp3|m4a|ogg|opus|oga)(\?|$)/i.test(url) ? url : undefined;
  const yt = youtubeVideoId(url);
  return {
    id: r.id,
    url,
    provider,
    embedUrl: embed,
    mediaUrl: embed ? undefined : media,
    language: r.language,
    label: `${providerName(provider)}${r.language ? ` (${r.language})` : ''}`,
    primary: r.primary,
    thumbnailUrl: yt ? `https://i.ytimg.com/vi/${encodeURIComponent(yt)}/hqdefault.jpg` : undefined,
  };
}

export function talkView(talk: Talk, event: Event | undefined, publicUrl: string): TalkView {
  const published = talk.recording.status === 'published';
  const recordings = published
    ? talk.recordings
        .map(recordingView)
        .filter((r): r is RecordingView => r !== undefined)
        .sort((a, b) => Number(b.primary) - Number(a.primary))
    : [];
  const page = `${publicUrl}/t/${encodeURIComponent(talk.id)}`;
  return {
    id: talk.id,
    title: talk.title,
    subtitle: talk.subtitle,
    speakers: talk.speakers.map((s) => s.name),
    eventId: talk.eventId,
    eventName: event?.name,
    start: talk.start,
    day: talk.start && /^\d{4}-\d{2}-\d{2}/.test(talk.start) ? talk.start.slice(0, 10) : undefined,
    durationMinutes: talk.durationMinutes,
    room: talk.room,
    track: talk.track,
    abstract: talk.abstract,
    status: talk.recording.status,
    withdrawnReason: talk.recording.status === 'withdrawn' ? talk.recording.reason : undefined,
    recordings,
    pageUrl: page,
    watchUrl: `${page}/watch`,
  };
}

/** Status words readers see. */
export function statusLabel(v: Pick<TalkView, 'status'>): string {
  switch (v.status) {
    case 'published':
      return 'recording available';
    case 'pending':
      return 'recording pending';
    case 'withdrawn':
      return 'recording withdrawn';
    case 'not-recorded':
      return 'not recorded';
  }
}
