import cron, { type ScheduledTask } from 'node-cron';
import { nextCronRun } from '../src/recordings/next-run.ts';
import type { Services } from '../src/app/services.ts';
import { pollRecordings } from './poll-recordings.ts';
import { crawlPosts } from './crawl-posts.ts';
import { deliverNotifications } from './deliver-notifications.ts';

export type JobDefinition = {
  readonly name: string;
  /** Cron expressions this job runs on, recomputed when its configuration changes. */
  schedules(): Promise<readonly string[]>;
  run(schedule: string, signal: AbortSignal): Promise<unknown>;
};

export type Scheduler = {
  /** Re-read the schedules (a source or blog was added or removed) and (re)create tasks. */
  sync(): Promise<void>;
  stop(): Promise<void>;
};

/** Ticks are spread by a random delay of at most this, or a quarter of the expression's interval if shorter. */
const MAX_RANDOM_DELAY_MS = 5_000;

/**
 * The random delay of a cron expression's ticks: spreads instances that tick together, yet stays
 * well inside the interval (a delay longer than the interval would skip ticks).
 */
export function randomDelayFor(schedule: string, now = new Date()): number {
  const first = nextCronRun(schedule, now);
  const second = first && nextCronRun(schedule, first);
  if (!first || !second) return MAX_RANDOM_DELAY_MS;
  return Math.min(MAX_RANDOM_DELAY_MS, Math.floor((second.getTime() - first.getTime()) / 4));
}

/**
 * Register node-cron tasks: one per job and distinct cron expression, UTC, no overlap. Each tick
 * calls the same job function the CLI and the tests call.
 */
export function startScheduler(services: Services, jobs: readonly JobDefinition[]): Scheduler {
  const logger = services.logger.child({ module: 'scheduler' });
  cron.setLogger({
    info: (m: string) => logger.debug(m),
    warn: (m: string) => logger.warn(m),
    error: (m: string | Error, e?: Error) => logger.error({ err: e ?? m }, typeof m === 'string' ? m : m.message),
    debug: (m: string) => logger.trace(m),
  });
  const tasks = new Map<string, ScheduledTask>();
  const abort = new AbortController();
  let syncing: Promise<void> = Promise.resolve();

  const syncNow = async (): Promise<void> => {
    const wanted = new Map<string, { job: JobDefinition; schedule: string }>();
    for (const job of jobs)
      for (const schedule of await job.schedules()) wanted.set(`${job.name}@${schedule}`, { job, schedule });
    for (const [key, task] of tasks) {
      if (!wanted.has(key)) {
        await task.destroy();
        tasks.delete(key);
      }
    }
    for (const [key, { job, schedule }] of wanted) {
      if (tasks.has(key)) continue;
      const task = cron.schedule(
        schedule,
        async () => {
          const log = logger.child({ job: job.name, schedule });
          try {
            const result = await job.run(schedule, abort.signal);
            log.info({ result }, 'job run finished');
          } catch (err) {
            log.error({ err }, 'job run failed');
          }
        },
        { name: key, timezone: 'UTC', noOverlap: true, maxRandomDelay: randomDelayFor(schedule) },
      );
      task.on('execution:overlap', () => logger.warn({ task: key }, 'previous run still going; tick skipped'));
      task.on('execution:failed', (ctx) => logger.error({ task: key, err: ctx.execution?.error }, 'task failed'));
      tasks.set(key, task);
    }
  };

  const unsubscribe = services.store.onCommit(({ put, deleted }) => {
    const touched = put.sources?.length || deleted.sources?.length || put.blogs?.length || deleted.blogs?.length;
    if (touched)
      syncing = syncing.then(syncNow).catch((err: unknown) => logger.error({ err }, 'scheduler sync failed'));
  });
  syncing = syncNow().catch((err: unknown) => logger.error({ err }, 'scheduler sync failed'));

  return {
    sync: () => (syncing = syncing.then(syncNow)),
    async stop() {
      unsubscribe();
      abort.abort();
      await syncing;
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
    },
  };
}

/** The recording poll job: due sources of one cron expression, skipped while a run is going. */
export function pollRecordingsJob(services: Services): JobDefinition {
  return {
    name: 'poll-recordings',
    async schedules() {
      return [...new Set((await services.store.listSources()).map((s) => s.schedule))];
    },
    run: (schedule, signal) =>
      pollRecordings(services, { selection: { kind: 'due', schedule }, skipIfRunning: true, signal }),
  };
}

/** The blog crawl job: due blogs of one cron expression, skipped while a crawl is going. */
export function crawlPostsJob(services: Services): JobDefinition {
  return {
    name: 'crawl-posts',
    async schedules() {
      return [...new Set((await services.store.listBlogs()).map((b) => b.schedule))];
    },
    run: (schedule) => crawlPosts(services, { due: true, schedule, skipIfRunning: true }),
  };
}

/** Daily housekeeping: expire old rejected and removed Webmention records, trim the change log. */
export function housekeepingJob(services: Services): JobDefinition {
  return {
    name: 'housekeeping',
    schedules: async () => ['17 3 * * *'],
    run: async () => ({
      webmentions: await services.webmentions.expire(services.config.webmentionRetentionDays),
      changeLog: await trimChangeLog(services),
    }),
  };
}

/** Forget change-log entries older than `TALKREEL_CHANGE_LOG_RETENTION_DAYS` (PostgreSQL; elsewhere 0). */
export async function trimChangeLog(services: Services): Promise<number> {
  const days = services.config.changeLogRetentionDays;
  const before = new Date(services.clock.now().getTime() - days * 86_400_000).toISOString();
  const n = await services.store.trimChangeLog(before);
  if (n > 0) services.logger.info({ trimmed: n, retentionDays: days }, 'trimmed the change log');
  return n;
}

/**
 * Webmention verifications nobody runs (an instance died holding them, or its queue was full):
 * claimed into this instance's queue, on `TALKREEL_DELIVER_CRON`.
 */
export function verifyWebmentionsJob(services: Services): JobDefinition {
  return {
    name: 'verify-webmentions',
    schedules: async () => [services.config.deliverCron],
    run: () => services.webmentions.resumePending(),
  };
}

/** The delivery job: everything due in the outbox, on `TALKREEL_DELIVER_CRON`. */
export function deliverNotificationsJob(services: Services): JobDefinition {
  return {
    name: 'deliver-notifications',
    schedules: async () => [services.config.deliverCron],
    run: () => deliverNotifications(services),
  };
}
