import { createHmac } from 'node:crypto';

import { DomainError } from '../platform/errors.ts';
import { secureEqual } from '../platform/secure-compare.ts';
import type { SourceRunResult } from './poll-types.ts';
import type { RecordingPoller } from './poller.ts';
import { SourceParseError } from './source.ts';
import type { Source } from './types.ts';
import { youtubeSource } from './youtube.ts';

/**
 * WebSub (W3C) push intake for YouTube sources: the hub's verification of a (un)subscription, and
 * content notifications. A pushed body is trusted only when signed with our hub.secret (WebSub §8);
 * then its entries are matched at once. Signed or not, every push makes the source poll, because
 * its feed is the authority.
 */

/** The hub's verification request (`hub.mode`, `hub.topic`, `hub.challenge` of the callback's query). */
export type WebSubVerification = {
  readonly mode: 'subscribe' | 'unsubscribe' | 'denied';
  readonly topic: string;
  readonly challenge?: string | undefined;
};

/** What to answer the hub: echo the challenge, or acknowledge a denied subscription with an empty body. */
export type VerificationAnswer =
  { readonly kind: 'challenge'; readonly challenge: string } | { readonly kind: 'denied' };

/**
 * What became of a push: whether its entries were matched now (signed), what that did, and
 * whether it scheduled a poll (at most one per source per interval; never while backing off).
 */
export type PushReceipt = {
  readonly ingested: boolean;
  readonly result: SourceRunResult | null;
  readonly pollScheduled: boolean;
};

/** A push schedules at most one poll of its source per this many milliseconds. */
export const PUSH_POLL_INTERVAL_MS = 5 * 60_000;

export type WebSubDeps = {
  readonly poller: RecordingPoller;
  /**
   * The hub.secret given to the hub when subscribing (`TALKREEL_WEBSUB_SECRET`).
   * @default undefined: no push is trusted; every push only triggers a poll
   */
  readonly secret?: string | undefined;
  /** @default Date.now */
  readonly now?: () => number;
};

export class WebSubService {
  /** Source id → when a push last scheduled its poll (bounded: oldest dropped past 10,000 sources). */
  private readonly lastPushPoll = new Map<string, number>();

  constructor(private readonly deps: WebSubDeps) {}

  /**
   * Answer the hub's verification for a source. Only a YouTube source's own feed URL is a topic
   * this callback subscribes to (otherwise NOT_FOUND); subscribe and unsubscribe need a challenge.
   */
  verifySubscription(source: Source, request: WebSubVerification): VerificationAnswer {
    if (source.kind !== 'youtube' || request.topic !== source.url)
      throw new DomainError('NOT_FOUND', 'this callback does not subscribe to that topic', { topic: request.topic });
    if (request.mode === 'denied') return { kind: 'denied' };
    if (!request.challenge)
      throw new DomainError('VALIDATION_FAILED', 'hub.challenge is required', { field: 'hub.challenge' });
    return { kind: 'challenge', challenge: request.challenge };
  }

  /**
   * A content notification for a source: the body must be a YouTube Atom feed (UNPROCESSABLE
   * otherwise). Signed with our secret, its entries are matched now, through the same matching as
   * a poll; either way the source is polled (in the background, its failures are the poller's).
   *
   * @param signatureHeader `X-Hub-Signature` (`sha1=<hex>`, or sha256/384/512), empty when absent
   */
  async receivePush(
    source: Source,
    body: string,
    signatureHeader: string | undefined,
    contentType?: string,
  ): Promise<PushReceipt> {
    let items;
    try {
      items = youtubeSource.parse(body, contentType);
    } catch (err) {
      if (err instanceof SourceParseError) throw new DomainError('UNPROCESSABLE', err.message);
      throw err;
    }
    const signed = verifyHubSignature(this.deps.secret, signatureHeader ?? '', body);
    const result = signed ? await this.deps.poller.ingest(source.id, items) : null;
    return { ingested: signed, result, pollScheduled: this.schedulePoll(source) };
  }

  /**
   * Anyone can push to a callback URL, so a push may only *suggest* a poll: at most one per source
   * per {@link PUSH_POLL_INTERVAL_MS}, and none while the source backs off after failures (a flood
   * of pushes must not turn into a flood of fetches that earns the source a longer backoff).
   */
  private schedulePoll(source: Source): boolean {
    const now = (this.deps.now ?? Date.now)();
    const backingOff =
      source.health.consecutiveFailures > 0 &&
      source.health.nextPollAt !== undefined &&
      Date.parse(source.health.nextPollAt) > now;
    const last = this.lastPushPoll.get(source.id);
    if (backingOff || (last !== undefined && now - last < PUSH_POLL_INTERVAL_MS)) return false;
    if (this.lastPushPoll.size >= 10_000) this.lastPushPoll.delete(this.lastPushPoll.keys().next().value!);
    this.lastPushPoll.delete(source.id);
    this.lastPushPoll.set(source.id, now);
    this.deps.poller.run({ kind: 'ids', ids: [source.id] }).catch(() => undefined);
    return true;
  }
}

/** Check `X-Hub-Signature: sha1=<hex>` (or sha256/384/512) over the body with the shared secret. */
export function verifyHubSignature(secret: string | undefined, header: string, body: string): boolean {
  if (!secret || !header) return false;
  const m = /^(sha1|sha256|sha384|sha512)=([0-9a-f]+)$/i.exec(header.trim());
  if (!m) return false;
  const expected = createHmac(m[1]!.toLowerCase(), secret).update(body, 'utf8').digest('hex');
  return secureEqual(expected, m[2]!.toLowerCase());
}
