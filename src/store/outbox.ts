/**
 * Writes that append domain events, and the outbox they feed. Every event a write appends is
 * fanned out (`notify/fan-out.ts`) inside the same transaction, so an event and the deliveries it
 * owes are durable together. Saving a post appends `talk.mentioned` for each talk it newly mentions.
 */
import type { ReadTx, WriteTx } from './backend.ts';
import type { DomainEvent } from './records.ts';
import type { Post } from '../posts/types.ts';
import { stableId } from '../catalogue/ids.ts';
import { fanOut, type FanOutReader, type OutboxOptions } from '../notify/fan-out.ts';

export type { OutboxOptions };

/** Append events (duplicates are refused by id) and queue the deliveries each new one owes. */
export async function emitAll(tx: WriteTx, events: readonly DomainEvent[], options: OutboxOptions): Promise<void> {
  for (const event of events) {
    if (!(await tx.emit(event))) continue;
    const owed = await fanOut(fanOutReader(tx), event, options);
    // One read for all: a delivery already held (same subscriber, talk and type) is not owed again.
    const held = new Set(
      (
        await tx.getMany(
          'deliveries',
          owed.map((d) => d.id),
        )
      ).map((d) => d.id),
    );
    await tx.putMany(
      'deliveries',
      owed.filter((d) => !held.has(d.id)),
    );
  }
}

/** Put a post; each talk it mentions that `previous` did not is a `talk.mentioned` event. */
export async function putPost(
  tx: WriteTx,
  next: Post,
  previous: Post | undefined,
  options: OutboxOptions,
): Promise<void> {
  await tx.put('posts', next);
  const before = new Set(previous?.mentions.map((m) => m.talkId));
  const added = [...new Set(next.mentions.map((m) => m.talkId))].filter((id) => !before.has(id));
  if (added.length === 0) return;
  const events: DomainEvent[] = [];
  for (const talk of await tx.getMany('talks', added)) {
    events.push({
      id: stableId('evt', 'talk.mentioned', next.id, talk.id),
      type: 'talk.mentioned',
      timestamp: next.updatedAt,
      data: { talkId: talk.id, eventId: talk.eventId, postId: next.id, postUrl: next.url, postTitle: next.title },
    });
  }
  await emitAll(tx, events, options);
}

function fanOutReader(tx: ReadTx): FanOutReader {
  return {
    getTalk: (id) => tx.get('talks', id),
    getEvent: (id) => tx.get('events', id),
    postsMentioningTalk: (talkId) => tx.find('posts', 'talk', talkId),
    activeSubscriptions: (key) => tx.find('subscriptions', 'active', key),
  };
}
