/**
 * A small catalogue for the `/admin` tests: one event, a talk with an unmatched recording whose
 * best candidate is that talk, a talk linked automatically (evidence), and a recap post that
 * mentions a talk. Titles carry markup so a test can see that nothing is interpreted.
 */
import { expect } from 'chai';
import type { TestApp } from './start-app.ts';
import { attachRecording } from '../../src/recordings/recording.ts';
import { recordingKeyOf } from '../../src/text/video-urls.ts';

export const ADMIN_EVENT = 'review-conf-2026';
/** The unmatched recording's title: markup that must stay text. */
export const HOSTILE_TITLE = '<img src=x onerror="window.pwned=1"> Segments & Services (live)';
export const UNMATCHED_URL = 'https://www.youtube.com/watch?v=vidUnmatch1';
export const AUTO_URL = 'https://www.youtube.com/watch?v=vidAutoLnk2';

export type AdminSeed = { readonly segments: string; readonly cloud: string; readonly postId: string };

export async function seedAdminCatalogue(app: TestApp): Promise<AdminSeed> {
  const created = await app.request('/api/events', {
    method: 'POST',
    admin: true,
    json: { id: ADMIN_EVENT, name: 'Review Conf 2026', city: 'Lyon', startDate: '2026-03-02' },
  });
  expect(created.status, await created.clone().text()).to.equal(201);
  const talk = async (title: string, speaker: string): Promise<string> => {
    const res = await app.request(`/api/events/${ADMIN_EVENT}/talks`, {
      method: 'POST',
      admin: true,
      json: { title, speakers: [{ name: speaker }] },
    });
    expect(res.status, await res.clone().text()).to.equal(201);
    return ((await res.json()) as { id: string }).id;
  };
  const segments = await talk('From Segments to Services', 'Mark McClain');
  const cloud = await talk('The Open Cloud <b>Futures</b>', 'Randy Bias');

  const now = new Date();
  const at = now.toISOString();
  const key = recordingKeyOf(UNMATCHED_URL);
  await app.services.store.applyRecordings(async (view) => {
    const target = (await view.findTalk(cloud))!;
    const auto = attachRecording(
      target,
      {
        url: AUTO_URL,
        provider: 'youtube',
        title: 'Open Cloud Futures — Randy Bias',
        match: { method: 'evidence', confidence: 0.81, evidence: ['title 0.86', 'speaker "Randy Bias" in title'] },
      },
      now,
    );
    return {
      talks: [auto.talk],
      domainEvents: auto.events,
      unmatched: [
        {
          id: `${ADMIN_EVENT}|${key}`,
          eventId: ADMIN_EVENT,
          key,
          url: UNMATCHED_URL,
          provider: 'youtube',
          title: HOSTILE_TITLE,
          candidates: [{ talkId: segments, score: 0.64, evidence: ['title 0.64'] }],
          reason: 'below threshold',
          firstSeenAt: at,
          lastSeenAt: at,
        },
      ],
      result: undefined,
    };
  });

  const post = await app.request('/api/posts', {
    method: 'POST',
    admin: true,
    json: {
      url: 'https://blog.example/review-conf-recap',
      title: 'My <script>alert(1)</script> recap',
      text: 'At Review Conf 2026 in Lyon, Mark McClain gave "From Segments to Services", the best talk of the day.',
      event: ADMIN_EVENT,
    },
  });
  expect(post.status, await post.clone().text()).to.equal(201);
  const postId = ((await post.json()) as { post: { id: string } }).post.id;
  return { segments, cloud, postId };
}
