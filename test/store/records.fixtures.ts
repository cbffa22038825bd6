/** Small hand-made records of every persisted kind, for the store tests. */
import type { DomainEvent, Event, Talk } from '../../src/catalogue/types.ts';
import type { Source, UnmatchedRecording } from '../../src/recordings/types.ts';
import type { Blog, Post, Webmention } from '../../src/posts/types.ts';

const AT = '2013-11-05T09:00:00.000Z';

export const event = (id = 'oia-paris-2013', extra: Partial<Event> = {}): Event => ({
  id,
  name: 'OpenStack in Action Paris 2013',
  aliases: ['OIA Paris'],
  acronym: 'OIA',
  city: 'Paris',
  timezone: 'Europe/Paris',
  startDate: '2013-12-05',
  endDate: '2013-12-05',
  createdAt: AT,
  updatedAt: AT,
  ...extra,
});

export const talk = (id: string, eventId = 'oia-paris-2013', extra: Partial<Talk> = {}): Talk => ({
  id,
  eventId,
  title: `Talk ${id}`,
  aliases: [],
  speakers: [{ name: 'Mark McClain', affiliation: 'DreamHost' }],
  start: '2013-12-05T10:00:00+01:00',
  durationMinutes: 30,
  externalIds: { guid: `GUID-${id}`, scheduleId: '42' },
  recording: { status: 'pending' },
  recordings: [],
  createdAt: AT,
  updatedAt: AT,
  ...extra,
});

export const source = (id: string, eventId = 'oia-paris-2013'): Source => ({
  id,
  eventId,
  kind: 'youtube',
  url: 'https://www.youtube.com/feeds/videos.xml?playlist_id=PL1',
  schedule: '*/30 * * * *',
  cache: { etag: '"abc"' },
  health: { consecutiveFailures: 0, itemsSeen: 3, itemsMatched: 2 },
  createdAt: AT,
});

export const unmatched = (id: string, eventId = 'oia-paris-2013'): UnmatchedRecording => ({
  id,
  eventId,
  key: `youtube:${id}`,
  url: `https://www.youtube.com/watch?v=${id}`,
  provider: 'youtube',
  title: 'Segments to services',
  candidates: [{ talkId: 't1', score: 0.61, evidence: ['title 0.61'] }],
  reason: 'below threshold',
  firstSeenAt: AT,
  lastSeenAt: AT,
});

export const post = (id: string, talkIds: readonly string[], extra: Partial<Post> = {}): Post => ({
  id,
  url: `https://blog.example/${id}`,
  title: 'Recap',
  text: 'What I saw',
  links: [],
  contentHash: `sha256-${id}`,
  origin: 'submitted',
  mentions: talkIds.map((talkId, i) => ({
    talkId,
    confidence: 0.9,
    evidence: ['link'],
    snippet: talkId,
    start: i * 10,
    end: i * 10 + 5,
  })),
  createdAt: AT,
  updatedAt: AT,
  ...extra,
});

export const blog = (id: string, feedUrl = `https://${id}.example/feed.xml`): Blog => ({
  id,
  feedUrl,
  schedule: '0 * * * *',
  cache: {},
  health: { consecutiveFailures: 0, itemsSeen: 0, itemsMatched: 0 },
  createdAt: AT,
});

export const webmention = (id: string, status: Webmention['status'], postId?: string): Webmention => ({
  id,
  source: `https://blog.example/${id}`,
  target: 'https://talkreel.test/t/t1',
  status,
  ...(postId ? { postId } : {}),
  receivedAt: AT,
});

export const published = (id: string, talkId = 't1'): DomainEvent => ({
  id,
  type: 'recording.published',
  timestamp: '2013-12-06T08:00:00.000Z',
  data: {
    talkId,
    eventId: 'oia-paris-2013',
    recording: {
      id: `rec-${id}`,
      url: 'https://www.youtube.com/watch?v=x',
      provider: 'youtube',
      discoveredAt: AT,
      match: { method: 'guid', confidence: 1, evidence: ['guid'] },
      key: 'youtube:x',
      primary: true,
    },
  },
});
