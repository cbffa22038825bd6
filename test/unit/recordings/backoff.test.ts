import { expect } from 'chai';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../../src/recordings/backoff.ts';

describe('retryAfterMs', () => {
  const now = new Date('2024-05-01T10:07:00.000Z');
  const table: [string | undefined, number | undefined][] = [
    ['120', 120_000],
    [' 0 ', 0],
    ['Wed, 01 May 2024 10:17:00 GMT', 600_000],
    ['Wed, 01 May 2024 09:00:00 GMT', 0], // already past
    ['864000', MAX_RETRY_AFTER_MS], // ten days: clamped
    ['Sat, 01 Jun 2024 00:00:00 GMT', MAX_RETRY_AFTER_MS],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [value, ms] of table)
    it(`${JSON.stringify(value)} → ${ms}`, () => {
      expect(retryAfterMs(value, now)).to.equal(ms);
    });

  it('takes a smaller cap', () => {
    expect(retryAfterMs('7200', now, 3_600_000)).to.equal(3_600_000);
  });
});
