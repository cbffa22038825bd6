import type { Services } from './services.ts';
import type { ExtraRoutes } from './http/app.ts';

/** Route modules beyond the catalogue (sources, posts, webmention), added as capabilities land. */
export const extraRoutes: readonly ExtraRoutes[] = [];

export type RunningJobs = { stop(): Promise<void> };

/** Start the in-process cron jobs. */
export function startJobs(_services: Services): RunningJobs {
  return { stop: async () => undefined };
}
