/**
 * Claims with leases: how several instances on one store share jobs (polls, crawls, deliveries,
 * Webmention verifications) without doing any of them twice at once. An instance *claims* due work
 * in the store; the store leases it to that instance (owner + expiry) in the same statement, so a
 * second instance claiming at the same moment gets other work, or none. The owner renews its
 * leases while it works and releases them when it recorded the outcome; an instance that dies
 * stops renewing, its leases expire, and another instance claims the work again (at-least-once).
 *
 * The store ports of the capabilities declare the claim operations they need; the types they share
 * live here.
 */
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';

/** Collections whose records are claimed. */
export type LeaseKind = 'sources' | 'blogs' | 'deliveries' | 'webmentions';

/** Who claims, when, for how long, and how much at most. */
export type ClaimRequest = {
  /** The claiming instance (`Config.instanceId`). */
  readonly owner: string;
  /** ISO time the claim is made at: due-ness and lease expiry are measured from it. */
  readonly now: string;
  /** Lease length, milliseconds. */
  readonly leaseMs: number;
  /** Most records taken by one claim. */
  readonly limit: number;
};

/** The end of a lease: `dueAt` (sources, blogs) is when the record is due again; undefined keeps it as it was. */
export type LeaseRelease = { readonly id: string; readonly dueAt?: string | undefined };

/** Claiming records by id (a person asked for this one): those leased to someone else are `busy`. */
export type NamedClaim<T> = { readonly claimed: T[]; readonly busy: string[] };

/** The lease operations every claimed collection shares. */
export interface LeaseStore {
  /**
   * Extend the leases `owner` still holds on these records until `until` (ISO). Answers the ids
   * whose lease was extended: a lease that expired and was claimed by another instance is lost.
   */
  renewLeases(kind: LeaseKind, owner: string, ids: readonly string[], until: string): Promise<string[]>;
  /** End `owner`'s leases (others' leases are left alone), setting when each record is due again. */
  releaseLeases(kind: LeaseKind, owner: string, releases: readonly LeaseRelease[]): Promise<void>;
}

/** Lease settings of one instance. */
export type LeaseSettings = {
  /** This instance's id, the owner of its leases. @default `local` */
  readonly owner: string;
  /** Lease length, milliseconds; renewed every third of it while the work runs. @default 120000 */
  readonly leaseMs: number;
};

export const DEFAULT_LEASES: LeaseSettings = { owner: 'local', leaseMs: 120_000 };

/**
 * Keeps the leases of work in progress alive: every third of the lease length, the ids held are
 * renewed in one store call. Ids whose lease was lost (this instance stalled past the expiry and
 * another took the work) are logged and forgotten; the work goes on (at-least-once).
 */
export class LeaseKeeper {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kind: LeaseKind,
    private readonly store: Pick<LeaseStore, 'renewLeases'>,
    private readonly settings: LeaseSettings,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Start renewing these ids. */
  hold(ids: Iterable<string>): void {
    for (const id of ids) this.held.add(id);
    if (this.held.size > 0 && !this.timer) {
      this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.settings.leaseMs / 3)));
      this.timer.unref();
    }
  }

  /** Stop renewing these ids (their outcome is recorded, or they were released). */
  drop(ids: Iterable<string>): void {
    for (const id of ids) this.held.delete(id);
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async renew(): Promise<void> {
    const ids = [...this.held];
    if (ids.length === 0) return;
    const until = new Date(this.clock.now().getTime() + this.settings.leaseMs).toISOString();
    try {
      const kept = new Set(await this.store.renewLeases(this.kind, this.settings.owner, ids, until));
      const lost = ids.filter((id) => !kept.has(id) && this.held.has(id));
      if (lost.length > 0) {
        this.logger.warn({ kind: this.kind, lost }, 'leases lost: another instance may repeat this work');
        this.drop(lost);
      }
    } catch (err) {
      // The store is away: the next tick tries again; if the lease expires meanwhile, another instance takes over.
      this.logger.warn({ err, kind: this.kind }, 'renewing leases failed');
    }
  }
}

/** A claim request for `limit` records at the clock's now. */
export function claimRequest(settings: LeaseSettings, clock: Clock, limit: number): ClaimRequest {
  return { owner: settings.owner, now: clock.now().toISOString(), leaseMs: settings.leaseMs, limit };
}

/** Claim page after page (`req.limit` each) until a page comes back short: everything due, in bounded statements. */
export async function claimAll<T>(req: ClaimRequest, claimPage: (req: ClaimRequest) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (;;) {
    const page = await claimPage(req);
    all.push(...page);
    if (page.length < req.limit) return all;
  }
}
