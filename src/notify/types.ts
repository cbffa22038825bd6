/**
 * Notification records: who waits for what (subscriptions) and each message owed to one of them
 * (deliveries, the outbox). Pure data.
 */
import type { Recording } from '../catalogue/types.ts';

/** Domain event types a subscriber can ask for. */
export type NotificationType = 'recording.published' | 'recording.withdrawn' | 'talk.mentioned';
export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'recording.published',
  'recording.withdrawn',
  'talk.mentioned',
];

/**
 * What a subscription follows: exactly one of a talk, a speaker, an event or a recap post.
 * `key` is the normalised value the fan-out looks up (talk id, folded speaker name, event id,
 * canonical post URL); `label` is what a person typed or would recognise.
 */
export type SubscriptionFilter = {
  readonly kind: 'talk' | 'speaker' | 'event' | 'post';
  readonly key: string;
  readonly label: string;
};

export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed' | 'disabled';

type SubscriptionBase = {
  readonly id: string;
  readonly filter: SubscriptionFilter;
  readonly types: readonly NotificationType[];
  readonly status: SubscriptionStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Why it was disabled (a 410 from the receiver) or unsubscribed. */
  readonly statusReason?: string | undefined;
};

export type EmailSubscription = SubscriptionBase & {
  readonly channel: 'email';
  /** Lower-cased address. */
  readonly email: string;
  /** Secret of the confirmation link; kept once confirmed (the link may be followed again), cleared on unsubscribe. */
  readonly confirmToken?: string | undefined;
  /** Secret of the unsubscribe link in every mail. */
  readonly unsubscribeToken: string;
  readonly confirmationSentAt: string;
  readonly confirmationsSent: number;
  readonly confirmedAt?: string | undefined;
};

export type WebhookSubscription = SubscriptionBase & {
  readonly channel: 'webhook';
  readonly url: string;
  /** `whsec_<base64>`: shown once at creation, kept to sign every delivery. */
  readonly secret: string;
};

export type Subscription = EmailSubscription | WebhookSubscription;

/** The talk as a delivery carries it (frozen when the event fanned out). */
export type TalkSummary = {
  readonly id: string;
  readonly title: string;
  readonly speakers: readonly string[];
  readonly eventId: string;
  readonly eventName?: string | undefined;
  readonly start?: string | undefined;
};

/** What happened, frozen at fan-out; the sender adds the public URLs of this deployment. */
export type DeliveryContent =
  | {
      readonly type: 'recording.published';
      readonly timestamp: string;
      readonly talk: TalkSummary;
      readonly recording: Pick<Recording, 'url' | 'provider' | 'embedUrl' | 'language' | 'title'>;
    }
  | {
      readonly type: 'recording.withdrawn';
      readonly timestamp: string;
      readonly talk: TalkSummary;
      readonly url: string;
      readonly reason: string;
    }
  | {
      readonly type: 'talk.mentioned';
      readonly timestamp: string;
      readonly talk: TalkSummary;
      readonly post: { readonly id: string; readonly url?: string | undefined; readonly title?: string | undefined };
    }
  | {
      /** The double opt-in mail of an email subscription. */
      readonly type: 'subscription.confirm';
      readonly timestamp: string;
    }
  | {
      /** A WebSub publish ping for the recording feeds (the whole feed and the event's). */
      readonly type: 'websub.publish';
      readonly timestamp: string;
      readonly eventId: string;
    }
  | {
      /** An outgoing Webmention from the talk's page to a recap post that mentions it. */
      readonly type: 'webmention';
      readonly timestamp: string;
      readonly talk: TalkSummary;
      readonly postId: string;
    };

export type DeliveryChannel = 'webhook' | 'email' | 'webmention' | 'websub';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export type DeliveryAttempt = {
  readonly at: string;
  /** `delivered`, `retry`, `failed`, `gone` (410), `skipped`. */
  readonly outcome: 'delivered' | 'retry' | 'failed' | 'gone' | 'skipped';
  readonly httpStatus?: number | undefined;
  readonly error?: string | undefined;
  readonly ms: number;
};

/**
 * One message owed to one receiver. The id is deterministic (subscription + talk + type, or post +
 * talk for Webmentions), so a talk published on two providers, or re-polled, is owed once; it is
 * the `webhook-id` of every attempt.
 */
export type Delivery = {
  readonly id: string;
  readonly channel: DeliveryChannel;
  /** Absent for outgoing Webmentions. */
  readonly subscriptionId?: string | undefined;
  /** Webhook URL, email address or recap post URL. */
  readonly target: string;
  /** Domain event that caused it, if any. */
  readonly eventId?: string | undefined;
  readonly content: DeliveryContent;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** When the next attempt is due (pending only). */
  readonly nextAttemptAt: string;
  /** Most recent attempts, newest last (at most 10 kept). */
  readonly log: readonly DeliveryAttempt[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt?: string | undefined;
};
