/**
 * Standard Webhooks 1.0: the body of a notification and its signature.
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the
 * base64 part of the subscription's `whsec_…` secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DeliveryContent, TalkSummary } from './types.ts';

/** A new signing secret: `whsec_` + 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The `webhook-*` headers of one attempt. */
export function signWebhook(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/** Public links of this deployment, added to frozen delivery content when it is sent. */
export type Links = { readonly publicUrl: string };

export const talkPageUrl = (links: Links, talkId: string): string =>
  `${links.publicUrl}/t/${encodeURIComponent(talkId)}`;

function talkData(links: Links, talk: TalkSummary) {
  return {
    id: talk.id,
    title: talk.title,
    speakers: talk.speakers,
    event: { id: talk.eventId, name: talk.eventName ?? null },
    start: talk.start ?? null,
    url: talkPageUrl(links, talk.id),
  };
}

/** `{type, timestamp, data}`: what the receiver gets for a domain-event delivery. */
export function webhookPayload(
  links: Links,
  content: DeliveryContent,
): { type: string; timestamp: string; data: unknown } {
  switch (content.type) {
    case 'recording.published':
      return {
        type: content.type,
        timestamp: content.timestamp,
        data: {
          talk: talkData(links, content.talk),
          recording: {
            url: content.recording.url,
            provider: content.recording.provider,
            embedUrl: content.recording.embedUrl ?? null,
            language: content.recording.language ?? null,
          },
        },
      };
    case 'recording.withdrawn':
      return {
        type: content.type,
        timestamp: content.timestamp,
        data: { talk: talkData(links, content.talk), recording: { url: content.url }, reason: content.reason },
      };
    case 'talk.mentioned':
      return {
        type: content.type,
        timestamp: content.timestamp,
        data: {
          talk: talkData(links, content.talk),
          post: { id: content.post.id, url: content.post.url ?? null, title: content.post.title ?? null },
        },
      };
    case 'subscription.confirm':
    case 'webmention':
    case 'websub.publish':
      return { type: content.type, timestamp: content.timestamp, data: {} };
  }
}
