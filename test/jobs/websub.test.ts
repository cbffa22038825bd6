import { createHmac } from 'node:crypto';
import { expect } from 'chai';

import { createServices, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Source } from '../../src/recordings/types.ts';
import { PUSH_POLL_INTERVAL_MS, WebSubService } from '../../src/recordings/websub.ts';
import { seedIfEmpty } from '../../src/seed.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import { youtubeFeed } from '../helpers/feeds.ts';
import { tempDir, testEnv } from '../helpers/start-app.ts';

const DEMO = 'openstack-in-action-paris-2013';
const SECRET = 'hub-secret';
const sign = (body: string, secret = SECRET): string => `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;

function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  return expect.fail('expected a DomainError');
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  return expect.fail('expected a DomainError');
}

describe('WebSub use-case (without HTTP)', function () {
  this.timeout(15_000);
  let services: Services;
  let cleanup: () => void;
  let feed: Awaited<ReturnType<typeof startFakeServer>>;
  let source: Source;
  let websub: WebSubService;

  beforeEach(async () => {
    feed = await startFakeServer((_q, res) => {
      res.setHeader('content-type', 'application/atom+xml');
      res.end(youtubeFeed([]));
    });
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    services = await createServices(loadConfig(testEnv(tmp.dir)), createLogger('silent'));
    await seedIfEmpty(services);
    source = await services.sources.addSource(DEMO, {
      kind: 'youtube',
      url: `${feed.url}/feeds/videos.xml?channel_id=UCx`,
    });
    websub = new WebSubService({ poller: services.poller, secret: SECRET });
  });
  afterEach(async () => {
    await services.close();
    cleanup();
    await feed.close();
  });

  const havana = async () => (await services.store.talksOfEvent(DEMO)).find((t) => t.title === 'Havana to Icehouse')!;

  describe('verifySubscription', () => {
    it("echoes the challenge for the source's own topic, on subscribe and unsubscribe", () => {
      for (const mode of ['subscribe', 'unsubscribe'] as const)
        expect(websub.verifySubscription(source, { mode, topic: source.url, challenge: 'abc123' })).to.deep.equal({
          kind: 'challenge',
          challenge: 'abc123',
        });
    });

    it('acknowledges a denied subscription without a challenge', () => {
      expect(websub.verifySubscription(source, { mode: 'denied', topic: source.url })).to.deep.equal({
        kind: 'denied',
      });
    });

    it('refuses another topic, and any topic of a source that is not YouTube', () => {
      const other = domainError(() =>
        websub.verifySubscription(source, { mode: 'subscribe', topic: 'https://evil.example/feed', challenge: 'x' }),
      );
      expect(other.code).to.equal('NOT_FOUND');
      expect(other.details).to.deep.equal({ topic: 'https://evil.example/feed' });
      const feedSource: Source = { ...source, kind: 'feed' };
      expect(
        domainError(() =>
          websub.verifySubscription(feedSource, { mode: 'subscribe', topic: source.url, challenge: 'x' }),
        ).code,
      ).to.equal('NOT_FOUND');
    });

    it('wants a challenge to echo', () => {
      const error = domainError(() => websub.verifySubscription(source, { mode: 'subscribe', topic: source.url }));
      expect(error.code).to.equal('VALIDATION_FAILED');
      expect(error.details).to.deep.equal({ field: 'hub.challenge' });
    });
  });

  describe('receivePush', () => {
    const push = youtubeFeed([
      { id: 'pushHavana01', title: 'Havana to Icehouse | OpenStack in Action 4', description: 'Thierry Carrez' },
    ]);

    it('matches a signed push now, and polls the source as well', async () => {
      const receipt = await websub.receivePush(source, push, sign(push), 'application/atom+xml');
      expect(receipt.ingested).to.equal(true);
      expect(receipt.result).to.deep.include({ sourceId: source.id, status: 'ok', items: 1, matched: 1 });
      expect(receipt.result?.published).to.deep.equal([(await havana()).id]);
      expect((await havana()).recording).to.include({
        status: 'published',
        url: 'https://www.youtube.com/watch?v=pushHavana01',
      });
      await services.poller.idle();
      expect(feed.requests.length, 'the source was polled').to.be.greaterThan(0);
    });

    it('links nothing from an unsigned or wrongly signed push, which only makes the source poll', async () => {
      const receipts = [];
      for (const header of [undefined, '', sign(push, 'wrong')])
        receipts.push(await websub.receivePush(source, push, header));
      expect(receipts.every((r) => !r.ingested && r.result === null)).to.equal(true);
      await services.poller.idle();
      expect((await havana()).recording.status).to.equal('pending');
      expect(feed.requests.length).to.be.greaterThan(0);
    });

    it('300 unsigned pushes schedule one poll, and none while the source backs off', async () => {
      let now = Date.parse('2031-01-01T00:00:00Z');
      const guarded = new WebSubService({ poller: services.poller, secret: 'hub-secret', now: () => now });
      const receipts = [];
      for (let i = 0; i < 300; i += 1) receipts.push(await guarded.receivePush(source, push, undefined));
      await services.poller.idle();
      expect(receipts.filter((r) => r.pollScheduled)).to.have.length(1);
      expect(feed.requests).to.have.length(1);
      now += PUSH_POLL_INTERVAL_MS;
      expect((await guarded.receivePush(source, push, undefined)).pollScheduled).to.equal(true);
      const backingOff = {
        ...source,
        health: { ...source.health, consecutiveFailures: 3, nextPollAt: new Date(now + 3_600_000).toISOString() },
      };
      now += PUSH_POLL_INTERVAL_MS;
      expect((await guarded.receivePush(backingOff, push, undefined)).pollScheduled).to.equal(false);
      await services.poller.idle();
    });

    it('trusts no push when no secret is configured', async () => {
      const unconfigured = new WebSubService({ poller: services.poller });
      expect(await unconfigured.receivePush(source, push, sign(push))).to.deep.include({
        ingested: false,
        result: null,
      });
      await services.poller.idle();
      expect((await havana()).recording.status).to.equal('pending');
    });

    it('refuses a body that is not a YouTube Atom feed as UNPROCESSABLE, without polling', async () => {
      const body = '<html><body>nope</body></html>';
      const error = await rejection(websub.receivePush(source, body, sign(body)));
      expect(error.code).to.equal('UNPROCESSABLE');
      expect(error.message).to.match(/^expected an Atom feed, got HTML/);
      await services.poller.idle();
      expect(feed.requests).to.have.length(0);
    });
  });
});
