import { expect } from 'chai';
import { nextCronRun } from '../../../src/recordings/next-run.ts';

describe('nextCronRun', () => {
  const cases: [string, string, string][] = [
    ['*/15 * * * *', '2024-05-01T10:07:00.000Z', '2024-05-01T10:15:00.000Z'],
    ['*/15 * * * *', '2024-05-01T10:15:00.000Z', '2024-05-01T10:30:00.000Z'],
    ['0 3 * * *', '2024-05-01T10:07:00.000Z', '2024-05-02T03:00:00.000Z'],
    ['0 0 1 * *', '2024-12-31T23:59:30.000Z', '2025-01-01T00:00:00.000Z'],
    ['30 */10 * * * *', '2024-05-01T10:07:00.000Z', '2024-05-01T10:10:30.000Z'],
  ];
  for (const [expression, now, next] of cases)
    it(`${expression} after ${now} is ${next}`, () => {
      expect(nextCronRun(expression, new Date(now))?.toISOString()).to.equal(next);
    });

  it('is evaluated in UTC whatever the process time zone', () => {
    // 09:00 UTC, not 09:00 local time
    expect(nextCronRun('0 9 * * *', new Date('2024-05-01T08:00:00.000Z'))?.toISOString()).to.equal(
      '2024-05-01T09:00:00.000Z',
    );
  });

  it('returns null for an expression it cannot parse', () => {
    expect(nextCronRun('not a cron', new Date('2024-05-01T10:07:00.000Z'))).to.equal(null);
  });
});
