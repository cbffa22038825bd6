/**
 * The outbox rule: which deliveries one domain event owes. Pure over a reader; the store runs it
 * inside the write that appends the event, so the event and its deliveries are committed together
 * or not at all.
 *
 * Delivery ids are derived from subscription + talk + type (post + talk for Webmentions), so the
 * same talk published on a second provider, or re-polled, owes nothing new: the store refuses an
 * id it already holds.
 */
import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import { stableId } from '../catalogue/ids.ts';
import type { Post } from '../posts/types.ts';
import { filterKeysOfTalk } from './filters.ts';
import type { Delivery, DeliveryContent, Subscription, TalkSummary } from './types.ts';

/** Deployment settings the fan-out needs. */
export type OutboxOptions = {
  /** WebSub hub of the recording feeds: each publication owes it a publish ping. */
  readonly websubHub?: string | undefined;
};

export type FanOutReader = {
  getTalk(id: string): Promise<Talk | undefined>;
  getEvent(id: string): Promise<Event | undefined>;
  postsMentioningTalk(talkId: string): Promise<Post[]>;
  /** Active subscriptions whose filter key (`talk:<id>`, `speaker:<name>`, …) is this. */
  activeSubscriptions(filterKey: string): Promise<Subscription[]>;
};

/** The deliveries `event` owes, new or not (the store keeps those it does not hold yet). */
export async function fanOut(
  reader: FanOutReader,
  event: DomainEvent,
  options: OutboxOptions = {},
): Promise<Delivery[]> {
  const talk = await reader.getTalk(event.data.talkId);
  if (!talk) return [];
  const posts = await reader.postsMentioningTalk(talk.id);
  const summary = summarize(talk, await reader.getEvent(talk.eventId));
  const content = contentOf(event, summary);
  const out: Delivery[] = [];

  const seen = new Set<string>();
  for (const key of filterKeysOfTalk(
    talk,
    posts.map((p) => p.id),
  )) {
    for (const sub of await reader.activeSubscriptions(key)) {
      if (seen.has(sub.id) || !sub.types.includes(event.type)) continue;
      seen.add(sub.id);
      const once = event.type === 'talk.mentioned' ? [event.data.postId] : [];
      out.push(
        newDelivery(stableId('msg', sub.id, talk.id, event.type, ...once), event, content, {
          channel: sub.channel,
          subscriptionId: sub.id,
          target: sub.channel === 'email' ? sub.email : sub.url,
        }),
      );
    }
  }

  // Tell the recap authors: once per post and talk, when the talk has its recording.
  const published = event.type === 'recording.published' || talk.recording.status === 'published';
  if (published && event.type !== 'recording.withdrawn') {
    const targets = event.type === 'talk.mentioned' ? posts.filter((p) => p.id === event.data.postId) : posts;
    for (const post of targets) {
      if (!post.url) continue;
      const wm: DeliveryContent = { type: 'webmention', timestamp: event.timestamp, talk: summary, postId: post.id };
      out.push(newDelivery(stableId('wm', post.id, talk.id), event, wm, { channel: 'webmention', target: post.url }));
    }
  }
  // The recording feeds changed: tell their hub (durably, like any other delivery).
  if (event.type === 'recording.published' && options.websubHub) {
    out.push(
      newDelivery(
        stableId('hub', event.id),
        event,
        { type: 'websub.publish', timestamp: event.timestamp, eventId: talk.eventId },
        { channel: 'websub', target: options.websubHub },
      ),
    );
  }
  return out;
}

function summarize(talk: Talk, event: Event | undefined): TalkSummary {
  return {
    id: talk.id,
    title: talk.title,
    speakers: talk.speakers.map((s) => s.name),
    eventId: talk.eventId,
    eventName: event?.name,
    start: talk.start,
  };
}

function contentOf(event: DomainEvent, talk: TalkSummary): DeliveryContent {
  switch (event.type) {
    case 'recording.published': {
      const r = event.data.recording;
      return {
        type: event.type,
        timestamp: event.timestamp,
        talk,
        recording: { url: r.url, provider: r.provider, embedUrl: r.embedUrl, language: r.language, title: r.title },
      };
    }
    case 'recording.withdrawn':
      return { type: event.type, timestamp: event.timestamp, talk, url: event.data.url, reason: event.data.reason };
    case 'talk.mentioned':
      return {
        type: event.type,
        timestamp: event.timestamp,
        talk,
        post: { id: event.data.postId, url: event.data.postUrl, title: event.data.postTitle },
      };
  }
}

export function newDelivery(
  id: string,
  cause: { readonly id?: string; readonly timestamp: string } | undefined,
  content: DeliveryContent,
  to: Pick<Delivery, 'channel' | 'target'> & { readonly subscriptionId?: string | undefined },
): Delivery {
  const at = cause?.timestamp ?? content.timestamp;
  return {
    id,
    channel: to.channel,
    subscriptionId: to.subscriptionId,
    target: to.target,
    eventId: cause?.id,
    content,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    log: [],
    createdAt: at,
    updatedAt: at,
  };
}
