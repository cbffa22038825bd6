/**
 * The notification part of the store contract (the outbox): the same cases against every adapter.
 */
import { expect } from 'chai';
import type { Store } from '../../src/store/store.ts';
import type { DomainEvent } from '../../src/catalogue/types.ts';
import type { Delivery, EmailSubscription, WebhookSubscription } from '../../src/notify/types.ts';
import type { Post } from '../../src/posts/types.ts';
import { event, talk, type OpenedStore } from './store.contract.ts';

const T0 = '2013-12-05T09:00:00.000Z';

const webhook = (
  id: string,
  kind: 'talk' | 'event' | 'speaker' | 'post',
  key: string,
  extra: Partial<WebhookSubscription> = {},
): WebhookSubscription => ({
  id,
  channel: 'webhook',
  url: `https://hooks.example/${id}`,
  secret: 'whsec_c2VjcmV0',
  filter: { kind, key, label: key },
  types: ['recording.published', 'talk.mentioned'],
  status: 'active',
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

const published = (talkId: string, key: string): DomainEvent => ({
  id: `evt_${talkId}_${key}`,
  type: 'recording.published',
  timestamp: T0,
  data: {
    talkId,
    eventId: 'ev',
    recording: {
      id: `rec_${key}`,
      url: `https://youtu.be/${key}`,
      provider: 'youtube',
      key,
      discoveredAt: T0,
      match: { method: 'manual', confidence: 1, evidence: [] },
      primary: true,
    },
  },
});

const post = (id: string, talkIds: string[], at = T0): Post => ({
  id,
  url: `https://blog.example/${id}`,
  text: 'recap',
  links: [],
  contentHash: `${id}-${talkIds.join()}`,
  origin: 'submitted',
  mentions: talkIds.map((talkId) => ({ talkId, confidence: 0.9, evidence: ['title'], snippet: '', start: 0, end: 1 })),
  createdAt: at,
  updatedAt: at,
});

export function describeNotifyContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`store contract (outbox): ${name}`, function () {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await store.createEvent(event('ev'));
      await store.createTalk(talk('t1', 'ev'));
      await store.createTalk(talk('t2', 'ev', { speakers: [{ name: 'Thierry Carrez' }] }));
    });
    afterEach(async () => {
      await store.close();
      await opened.cleanup();
    });

    const deliveries = async () =>
      (await store.deliveriesWithStatus('pending'))
        .map(
          (d) => `${d.subscriptionId ?? d.channel}:${d.content.type}:${'talk' in d.content ? d.content.talk.id : ''}`,
        )
        .sort();

    it('writes the deliveries an event owes in the same write, once per subscriber, talk and type', async () => {
      await store.addSubscription(webhook('s-talk', 'talk', 't1'));
      await store.addSubscription(webhook('s-event', 'event', 'ev'));
      await store.addSubscription(webhook('s-speaker', 'speaker', 'thierry carrez'));
      await store.addSubscription(webhook('s-other', 'talk', 't2'));
      await store.addSubscription(webhook('s-paused', 'talk', 't1', { status: 'disabled' }));
      await store.addSubscription(webhook('s-withdrawn-only', 'talk', 't1', { types: ['recording.withdrawn'] }));
      const seen: Delivery[] = [];
      const off = store.onCommit((c) => seen.push(...(c.put.deliveries ?? [])));
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'a')], result: 0 }));
      // The same talk on a second provider, and the same event reported again: nothing new owed.
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'b'), published('t1', 'a')], result: 0 }));
      off();
      expect(await deliveries()).to.deep.equal(['s-event:recording.published:t1', 's-talk:recording.published:t1']);
      expect(seen.map((d) => d.subscriptionId).sort()).to.deep.equal(['s-event', 's-talk']);
      await store.applyRecordings(() => ({ domainEvents: [published('t2', 'c')], result: 0 }));
      expect(await deliveries()).to.include.members([
        's-speaker:recording.published:t2',
        's-other:recording.published:t2',
      ]);
      const d = (await store.deliveriesOfSubscription('s-talk'))[0]!;
      expect(d).to.deep.include({
        channel: 'webhook',
        target: 'https://hooks.example/s-talk',
        status: 'pending',
        attempts: 0,
      });
    });

    it('a plan that throws writes neither the event nor its deliveries', async () => {
      await store.addSubscription(webhook('s', 'talk', 't1'));
      await store
        .applyRecordings(async (view) => {
          await view.findTalk('t1');
          throw new Error('boom');
        })
        .catch(() => undefined);
      expect(await store.eventsSince(0, 10)).to.deep.equal([]);
      expect(await store.deliveriesWithStatus('pending')).to.deep.equal([]);
    });

    it('a post mentioning a talk appends talk.mentioned once, reaches post subscribers, and owes the post a Webmention once published', async () => {
      await store.addSubscription(webhook('s-post', 'post', 'p1'));
      await store.savePost('p1', () => post('p1', []));
      await store.applyRecordings(async (view) => {
        const t = (await view.findTalk('t1'))!;
        const recording = {
          status: 'published',
          url: 'https://youtu.be/a',
          recordingId: 'rec_a',
          publishedAt: T0,
        } as const;
        return { talks: [{ ...t, recording }], domainEvents: [published('t1', 'a')], result: 0 };
      });
      expect(await deliveries()).to.deep.equal([]);
      await store.savePost('p1', () => post('p1', ['t1'], '2013-12-06T00:00:00.000Z'));
      await store.savePost('p1', () => post('p1', ['t1', 't2'], '2013-12-07T00:00:00.000Z'));
      const events = (await store.eventsSince(0, 10)).filter((e) => e.type === 'talk.mentioned');
      expect(events.map((e) => e.data.talkId)).to.deep.equal(['t1', 't2']);
      expect(await deliveries()).to.deep.equal([
        's-post:talk.mentioned:t1',
        's-post:talk.mentioned:t2',
        'webmention:webmention:t1',
      ]);
      // t2 published later: the post subscriber and the post's author are told, once.
      await store.applyRecordings(() => ({ domainEvents: [published('t2', 'b'), published('t2', 'c')], result: 0 }));
      const wm = (await store.deliveriesWithStatus('pending')).filter((d) => d.channel === 'webmention');
      expect(wm.map((d) => ('talk' in d.content ? d.content.talk.id : '')).sort()).to.deep.equal(['t1', 't2']);
      expect(wm.every((d) => d.target === 'https://blog.example/p1')).to.equal(true);
    });

    it('hands out due deliveries oldest first and records outcomes; 410 disables the subscription and cancels the rest', async () => {
      await store.addSubscription(webhook('s', 'event', 'ev'));
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'a'), published('t2', 'b')], result: 0 }));
      const due = await store.dueDeliveries('2013-12-05T09:00:00.000Z', 10);
      expect(due).to.have.length(2);
      expect(await store.dueDeliveries('2013-12-05T08:59:59.000Z', 10)).to.deep.equal([]);
      const [first, second] = due;
      await store.recordDeliveries([
        {
          id: first!.id,
          change: (d) => ({ ...d, status: 'failed', attempts: 1 }),
          disableSubscription: { reason: '410', at: '2013-12-05T10:00:00.000Z' },
        },
        { id: 'missing', change: (d) => d },
      ]);
      expect((await store.getSubscription('s'))?.status).to.equal('disabled');
      expect((await store.getDelivery(first!.id))?.status).to.equal('failed');
      expect((await store.getDelivery(second!.id))?.status).to.equal('cancelled');
      const again = await store.redeliver(first!.id, '2013-12-05T11:00:00.000Z');
      expect(again).to.deep.include({ status: 'pending', attempts: 0, nextAttemptAt: '2013-12-05T11:00:00.000Z' });
    });

    it('finds email subscriptions by address and token; unsubscribing cancels pending mail; delete takes deliveries along', async () => {
      const sub: EmailSubscription = {
        id: 'e1',
        channel: 'email',
        email: 'reader@example.org',
        filter: { kind: 'talk', key: 't1', label: 'Talk' },
        types: ['recording.published'],
        status: 'active',
        confirmToken: 'confirm-token-1',
        unsubscribeToken: 'unsub-token-1',
        confirmationSentAt: T0,
        confirmationsSent: 1,
        createdAt: T0,
        updatedAt: T0,
      };
      const seen = await store.subscribeEmail('reader@example.org', (existing) => ({
        subscription: sub,
        result: existing.length,
      }));
      expect(seen).to.equal(0);
      expect(
        await store.subscribeEmail('reader@example.org', (existing) => ({ result: existing.map((s) => s.id) })),
      ).to.deep.equal(['e1']);
      expect((await store.subscriptionByToken('unsub-token-1'))?.id).to.equal('e1');
      expect((await store.subscriptionByToken('confirm-token-1'))?.id).to.equal('e1');
      expect(await store.subscriptionByToken('nope')).to.equal(undefined);
      await store.applyRecordings(() => ({ domainEvents: [published('t1', 'a')], result: 0 }));
      expect(await store.deliveriesOfSubscription('e1')).to.have.length(1);
      await store.updateSubscription('e1', (s) => ({
        ...s,
        status: 'unsubscribed',
        updatedAt: '2013-12-06T00:00:00.000Z',
      }));
      expect((await store.deliveriesOfSubscription('e1'))[0]?.status).to.equal('cancelled');
      expect(await store.deleteSubscription('e1')).to.equal(true);
      expect(await store.deliveriesOfSubscription('e1')).to.deep.equal([]);
      expect(await store.deleteSubscription('e1')).to.equal(false);
    });

    it('finds talks by recording status', async () => {
      await store.applyRecordings(async (view) => {
        const t = (await view.findTalk('t2'))!;
        return {
          talks: [
            { ...t, recording: { status: 'published', url: 'https://youtu.be/x', recordingId: 'r', publishedAt: T0 } },
          ],
          result: 0,
        };
      });
      expect((await store.talksWithRecordingStatus('published')).map((t) => t.id)).to.deep.equal(['t2']);
      expect((await store.talksWithRecordingStatus('pending')).map((t) => t.id)).to.deep.equal(['t1']);
    });
  });
}
