import type { Services } from '../src/app/services.ts';
import type { DeliveryRunCounts } from '../src/notify/deliverer.ts';

/**
 * The deliver-notifications job: sends every due delivery of the outbox (webhooks, mails,
 * outgoing Webmentions) once; retries come due on their backoff schedule. Called by the cron
 * schedule (`TALKREEL_DELIVER_CRON`, every minute by default), the CLI (`deliver --once`) and the
 * tests. A run already going (the in-process worker woken by a commit) is shared, not doubled.
 */
export function deliverNotifications(services: Pick<Services, 'deliverer'>): Promise<DeliveryRunCounts> {
  return services.deliverer.runOnce();
}
