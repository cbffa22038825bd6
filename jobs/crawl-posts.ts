import type { Services } from '../src/app/services.ts';

/**
 * The crawl-posts job: polls registered blog feeds (conditional GET, backoff, health) and ingests
 * new and changed posts. Called by the cron schedule (due blogs of one expression), the CLI
 * (`crawl --once`: every blog) and the tests.
 */
export function crawlPosts(
  services: Pick<Services, 'blogs'>,
  opts: { due?: boolean; schedule?: string; skipIfRunning?: boolean } = {},
) {
  return services.blogs.crawl(opts);
}
