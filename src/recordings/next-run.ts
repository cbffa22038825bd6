import { createTask } from 'node-cron';

const cache = new Map<string, { at: number; next: Date | null }>();

/** The next time (UTC) a cron expression fires after now; cached for a few seconds per expression. */
export function nextCronRun(expression: string, now: Date = new Date()): Date | null {
  const hit = cache.get(expression);
  if (hit && now.getTime() - hit.at < 5_000 && (!hit.next || hit.next > now)) return hit.next;
  const task = createTask(expression, () => undefined, { timezone: 'UTC' });
  let next: Date | null = null;
  try {
    next = task.getNextRun();
  } finally {
    void task.destroy();
  }
  cache.set(expression, { at: now.getTime(), next });
  return next;
}
