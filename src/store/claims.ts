/**
 * Claims in the store (service-provider side): which records are due, who holds them, until when.
 * One `ClaimBackend` per adapter — `LocalClaims` (memory, lowdb: one process, in-process leases)
 * and `PgClaims` (PostgreSQL: `FOR UPDATE SKIP LOCKED` and lease columns, shared by every
 * instance) — with the same rules, proven by the claims contract suite:
 *
 * - A record is free when it has no lease or its lease expired (`until <= now`).
 * - sources, blogs: due when their due time (set by the last release) has passed or was never set,
 *   and their stored backoff (`health.nextPollAt`) has passed; `schedule` narrows to one cron
 *   expression. Oldest due first.
 * - deliveries: `pending` and `nextAttemptAt <= now`, oldest due first.
 * - webmentions: `pending`, oldest received first.
 * - Claiming by `ids` skips the due rules (a person asked): those leased to another owner are
 *   answered as `busy`. Status rules (pending) still apply.
 *
 * Times are the callers' clocks (ISO strings): instances should keep their clocks in sync (NTP);
 * a skew of s seconds moves lease expiry by s.
 */
import type { ClaimRequest, LeaseKind, LeaseStore, NamedClaim } from '../platform/lease.ts';
import type { RateCounter } from '../platform/rate-limit.ts';
import type { Collections } from './records.ts';
import type { Source } from '../recordings/types.ts';
import type { Blog, Webmention } from '../posts/types.ts';
import type { Delivery } from '../notify/types.ts';

export type ClaimFilter = {
  /** sources, blogs: only records polled on this cron expression. */
  readonly schedule?: string | undefined;
  /** Only these records, whether due or not. */
  readonly ids?: readonly string[] | undefined;
};

export interface ClaimBackend extends LeaseStore, RateCounter {
  /** Lease up to `req.limit` free records of `kind` that are due (or named) to `req.owner`, in one atomic step. */
  claim<K extends LeaseKind>(kind: K, req: ClaimRequest, filter?: ClaimFilter): Promise<NamedClaim<Collections[K]>>;
}

/** The claim operations of the store port, over an adapter's `ClaimBackend`. */
export function claimOperations(claims: ClaimBackend) {
  return {
    claimDueSources: async (req: ClaimRequest, schedule?: string): Promise<Source[]> =>
      (await claims.claim('sources', req, { schedule })).claimed,
    claimSources: (ids: readonly string[], req: ClaimRequest): Promise<NamedClaim<Source>> =>
      claims.claim('sources', req, { ids }),
    claimDueBlogs: async (req: ClaimRequest, schedule?: string): Promise<Blog[]> =>
      (await claims.claim('blogs', req, { schedule })).claimed,
    claimBlogs: (ids: readonly string[], req: ClaimRequest): Promise<NamedClaim<Blog>> =>
      claims.claim('blogs', req, { ids }),
    claimDueDeliveries: async (req: ClaimRequest): Promise<Delivery[]> =>
      (await claims.claim('deliveries', req)).claimed,
    claimPendingWebmentions: async (req: ClaimRequest): Promise<Webmention[]> =>
      (await claims.claim('webmentions', req)).claimed,
    renewLeases: claims.renewLeases.bind(claims),
    releaseLeases: claims.releaseLeases.bind(claims),
    countHit: claims.countHit.bind(claims),
  };
}
