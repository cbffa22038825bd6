import { Cron } from 'croner';

/**
 * The next time a cron expression fires strictly after `now`, evaluated in UTC.
 *
 * @param expression five-field cron expression (six with leading seconds), as node-cron accepts
 * @param now the reference instant @default new Date()
 * @returns the next tick, or null when the expression never fires again or cannot be parsed
 */
/** True when `expression` is a cron expression the scheduler accepts (five fields, or six with seconds). */
export function isValidCron(expression: string): boolean {
  try {
    new Cron(expression, { timezone: 'UTC', paused: true });
    return true;
  } catch {
    return false;
  }
}

export function nextCronRun(expression: string, now: Date = new Date()): Date | null {
  let job: Cron;
  try {
    // `paused`: the job only evaluates the pattern, it never schedules a timer.
    job = new Cron(expression, { timezone: 'UTC', paused: true });
  } catch {
    return null;
  }
  return job.nextRun(now);
}
