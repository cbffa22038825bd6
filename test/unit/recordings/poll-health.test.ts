import { expect } from 'chai';

import {
  afterFailure,
  afterNotModified,
  afterSuccess,
  isSelected,
  mergedHealth,
} from '../../../src/recordings/poll-health.ts';
import { emptyHealth, type FeedHealth, type Source } from '../../../src/recordings/types.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const source = (health: Partial<FeedHealth> = {}, extra: Partial<Source> = {}): Source => ({
  id: 'src-1',
  eventId: 'ev',
  kind: 'youtube',
  url: 'https://www.youtube.com/feeds/videos.xml?channel_id=x',
  schedule: '0 * * * *',
  cache: {},
  health: { ...emptyHealth(), ...health },
  createdAt: '2024-01-01T00:00:00.000Z',
  ...extra,
});

describe('poll health (pure)', () => {
  describe('mergedHealth', () => {
    it('overlays the live fields and gives the next cron tick as nextPollAt', () => {
      const health = mergedHealth(source(), { lastPollAt: '2024-05-01T11:00:00.000Z' }, NOW);
      expect(health).to.deep.equal({
        ...emptyHealth(),
        lastPollAt: '2024-05-01T11:00:00.000Z',
        nextPollAt: '2024-05-01T13:00:00.000Z',
      });
    });

    it('keeps the end of a backoff that is later than the next tick', () => {
      const backingOff = source({ nextPollAt: '2024-05-01T15:30:00.000Z' });
      expect(mergedHealth(backingOff, undefined, NOW).nextPollAt).to.equal('2024-05-01T15:30:00.000Z');
      expect(mergedHealth(backingOff, { nextPollAt: undefined }, NOW).nextPollAt).to.equal('2024-05-01T13:00:00.000Z');
    });
  });

  describe('isSelected', () => {
    it('takes listed ids, everything, or the due sources of a schedule', () => {
      const s = source();
      expect(isSelected(s, undefined, { kind: 'ids', ids: ['other'] }, NOW)).to.equal(false);
      expect(isSelected(s, undefined, { kind: 'ids', ids: ['src-1'] }, NOW)).to.equal(true);
      expect(isSelected(source({ nextPollAt: '2099-01-01T00:00:00Z' }), undefined, { kind: 'all' }, NOW)).to.equal(
        true,
      );
      expect(isSelected(s, undefined, { kind: 'due' }, NOW)).to.equal(true);
      expect(isSelected(s, undefined, { kind: 'due', schedule: '*/5 * * * *' }, NOW)).to.equal(false);
    });

    it('skips a due selection while the source backs off, live fields first', () => {
      const backingOff = source({ nextPollAt: '2024-05-01T12:00:01.000Z' });
      expect(isSelected(backingOff, undefined, { kind: 'due' }, NOW)).to.equal(false);
      expect(isSelected(backingOff, { nextPollAt: undefined }, { kind: 'due' }, NOW)).to.equal(true);
      expect(isSelected(source({ nextPollAt: NOW.toISOString() }), undefined, { kind: 'due' }, NOW)).to.equal(true);
    });
  });

  it('afterNotModified keeps the poll times live and stores only a recovery', () => {
    const live = { lastPollAt: NOW.toISOString(), lastSuccessAt: NOW.toISOString(), nextPollAt: undefined };
    expect(afterNotModified(source(), NOW)).to.deep.equal({ live, put: undefined });
    const recovering = source({ consecutiveFailures: 2, lastError: { at: 'x', message: 'HTTP 500' }, nextPollAt: 'y' });
    expect(afterNotModified(recovering, NOW).put?.health).to.deep.equal({
      ...emptyHealth(),
      ...live,
      lastError: undefined,
    });
  });

  describe('afterFailure', () => {
    it('backs off exponentially with jitter and always stores the failure', () => {
      const first = afterFailure(source(), { error: 'HTTP 500' }, NOW, 0.5);
      expect(first.failures).to.equal(1);
      expect(first.nextPollAt).to.equal('2024-05-01T12:01:00.000Z');
      expect(first.live).to.equal(undefined);
      expect(first.put?.health).to.deep.equal({
        ...emptyHealth(),
        consecutiveFailures: 1,
        lastPollAt: NOW.toISOString(),
        lastError: { at: NOW.toISOString(), message: 'HTTP 500' },
        nextPollAt: '2024-05-01T12:01:00.000Z',
      });
      const third = afterFailure(source({ consecutiveFailures: 2 }), { error: 'timeout' }, NOW, 0);
      expect(third.nextPollAt).to.equal(new Date(NOW.getTime() + 0.9 * 240_000).toISOString());
    });

    it("takes the server's Retry-After as a floor, never shortening the backoff", () => {
      const later = afterFailure(source(), { error: 'HTTP 429', retryAfter: '3600' }, NOW, 0.5);
      expect(later.nextPollAt).to.equal('2024-05-01T13:00:00.000Z');
      const sooner = afterFailure(source({ consecutiveFailures: 4 }), { error: 'HTTP 503', retryAfter: '1' }, NOW, 0.5);
      expect(sooner.nextPollAt).to.equal('2024-05-01T12:16:00.000Z');
    });
  });

  describe('afterSuccess', () => {
    const cache = { etag: '"v1"', lastModified: undefined };

    it('stores counts and validators when they change, with the poll times', () => {
      const change = afterSuccess(source(), { items: 5, matched: 3 }, cache, NOW);
      expect(change.live).to.deep.equal({
        lastPollAt: NOW.toISOString(),
        lastSuccessAt: NOW.toISOString(),
        nextPollAt: undefined,
      });
      expect(change.put?.cache).to.deep.equal(cache);
      expect(change.put?.health).to.deep.include({
        itemsSeen: 5,
        itemsMatched: 3,
        lastPollAt: NOW.toISOString(),
        lastSuccessAt: NOW.toISOString(),
      });
    });

    it('writes nothing when the same content comes back, and clears the error of a recovering source', () => {
      const steady = source({ itemsSeen: 5, itemsMatched: 3 }, { cache });
      expect(afterSuccess(steady, { items: 5, matched: 3 }, cache, NOW).put).to.equal(undefined);
      const recovering = source({ consecutiveFailures: 1, lastError: { at: 'x', message: 'HTTP 500' } });
      const health = afterSuccess(recovering, { items: 0, matched: 0 }, cache, NOW).put?.health;
      expect(health).to.deep.include({ consecutiveFailures: 0, lastError: undefined, nextPollAt: undefined });
    });
  });
});
