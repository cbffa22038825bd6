import type { Services } from './app/services.ts';
import type { ExtraRoutes } from './http/app.ts';
import { sourceRoutes } from './http/routes/sources.ts';
import { postRoutes } from './http/routes/posts.ts';
import { subscriptionRoutes } from './http/routes/subscriptions.ts';
import {
  crawlPostsJob,
  deliverNotificationsJob,
  housekeepingJob,
  pollRecordingsJob,
  startScheduler,
  verifyWebmentionsJob,
} from '../jobs/schedule.ts';
import { feedRoutes } from './http/routes/feeds.ts';
import { assetRoutes } from './http/routes/assets.ts';
import { adminRoutes } from './http/routes/admin.ts';
import { embedRoutes } from './http/routes/embed.ts';

/** Route modules beyond the catalogue, in the order they are mounted. */
export const extraRoutes: readonly ExtraRoutes[] = [
  sourceRoutes,
  postRoutes,
  subscriptionRoutes,
  feedRoutes,
  assetRoutes,
  adminRoutes,
  embedRoutes,
];

export type RunningJobs = {
  /** Re-read sources and blogs now (changes are also picked up on every commit). */
  sync(): Promise<void>;
  stop(): Promise<void>;
};

/** Start the in-process cron jobs; `stop` ends the schedule and waits for the running jobs. */
export function startJobs(services: Services): RunningJobs {
  const scheduler = startScheduler(services, [
    pollRecordingsJob(services),
    crawlPostsJob(services),
    deliverNotificationsJob(services),
    housekeepingJob(services),
    verifyWebmentionsJob(services),
  ]);
  // The outbox worker: woken by every commit that queues a delivery, and at start for what is due.
  services.deliverer.start();
  return {
    sync: () => scheduler.sync(),
    async stop() {
      await scheduler.stop();
      await services.poller.stop();
      await services.blogs.stop();
      await services.webmentions.stop();
      await services.deliverer.stop();
    },
  };
}
