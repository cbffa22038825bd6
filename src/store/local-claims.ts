/**
 * Claims of one process (memory and lowdb stores): the same rules as PostgreSQL's (see
 * `claims.ts`), with the leases and due times in a map instead of columns. They are not written to
 * the file: after a restart nothing is leased and every source and blog is due, as before claims
 * existed. Claims, renewals and releases run one at a time, so two claims never take the same
 * record, and a claim never sees a record between its outcome's write and its release.
 */
import type { ClaimRequest, LeaseKind, LeaseRelease, NamedClaim } from '../platform/lease.ts';
import { LocalRateCounter } from '../platform/rate-limit.ts';
import type { Backend, ReadTx } from './backend.ts';
import type { ClaimBackend, ClaimFilter } from './claims.ts';
import type { Collections } from './records.ts';

type LeaseState = { owner?: string | undefined; until?: number | undefined; dueAt?: number | undefined };
type Claimable = Collections[LeaseKind];

export class LocalClaims implements ClaimBackend {
  private readonly state = new Map<LeaseKind, Map<string, LeaseState>>();
  private readonly rates = new LocalRateCounter();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly backend: Pick<Backend, 'read'>) {}

  claim<K extends LeaseKind>(
    kind: K,
    req: ClaimRequest,
    filter: ClaimFilter = {},
  ): Promise<NamedClaim<Collections[K]>> {
    return this.serial(async () => {
      const now = Date.parse(req.now);
      const leases = this.leases(kind);
      const named = filter.ids !== undefined;
      const candidates = await this.backend.read((tx) => candidatesOf(tx, kind, req.now, filter));
      const dueAt = (r: Claimable) => leases.get(r.id)?.dueAt ?? -Infinity;
      if (kind === 'sources' || kind === 'blogs') candidates.sort((a, b) => dueAt(a) - dueAt(b) || cmp(a.id, b.id));
      const claimed: Collections[K][] = [];
      const busy: string[] = [];
      for (const record of candidates) {
        const s = leases.get(record.id);
        if (s?.owner !== undefined && (s.until ?? 0) > now) {
          if (named && s.owner !== req.owner) busy.push(record.id);
          continue;
        }
        if (!named && (s?.dueAt ?? -Infinity) > now) continue;
        if (claimed.length >= req.limit) break;
        leases.set(record.id, { ...s, owner: req.owner, until: now + req.leaseMs });
        claimed.push(record as Collections[K]);
      }
      return { claimed, busy };
    });
  }

  renewLeases(kind: LeaseKind, owner: string, ids: readonly string[], until: string): Promise<string[]> {
    return this.serial(async () => {
      const leases = this.leases(kind);
      const kept: string[] = [];
      for (const id of ids) {
        const s = leases.get(id);
        if (s?.owner !== owner) continue;
        s.until = Date.parse(until);
        kept.push(id);
      }
      return kept;
    });
  }

  releaseLeases(kind: LeaseKind, owner: string, releases: readonly LeaseRelease[]): Promise<void> {
    return this.serial(async () => {
      const leases = this.leases(kind);
      for (const { id, dueAt } of releases) {
        const s = leases.get(id);
        if (s?.owner !== owner) continue;
        const due = dueAt !== undefined ? Date.parse(dueAt) : s.dueAt;
        // Deliveries and webmentions have no due time of their own: nothing left to remember.
        if (due === undefined) leases.delete(id);
        else leases.set(id, { dueAt: due });
      }
    });
  }

  countHit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    return this.rates.countHit(key, windowMs, now);
  }

  private leases(kind: LeaseKind): Map<string, LeaseState> {
    let m = this.state.get(kind);
    if (!m) this.state.set(kind, (m = new Map()));
    return m;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** The records of `kind` the due and status rules let through (leases are checked by the caller). */
async function candidatesOf(tx: ReadTx, kind: LeaseKind, now: string, filter: ClaimFilter): Promise<Claimable[]> {
  const ids = filter.ids;
  switch (kind) {
    case 'sources':
    case 'blogs': {
      const all = ids ? await tx.getMany(kind, ids) : await tx.all(kind);
      if (ids) return all;
      return all.filter(
        (r) =>
          (filter.schedule === undefined || r.schedule === filter.schedule) &&
          (r.health.nextPollAt === undefined || r.health.nextPollAt <= now),
      );
    }
    case 'deliveries':
      return (await tx.find('deliveries', 'status', 'pending'))
        .filter((d) => (ids ? ids.includes(d.id) : d.nextAttemptAt <= now))
        .sort((a, b) => cmp(a.nextAttemptAt, b.nextAttemptAt) || cmp(a.id, b.id));
    case 'webmentions':
      return (await tx.find('webmentions', 'status', 'pending'))
        .filter((w) => !ids || ids.includes(w.id))
        .sort((a, b) => cmp(a.receivedAt, b.receivedAt) || cmp(a.id, b.id));
    default: {
      const never: never = kind;
      return never;
    }
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One `LocalClaims` per backend: every store object over the same backend shares its leases. */
const perBackend = new WeakMap<object, LocalClaims>();

export function localClaims(backend: Pick<Backend, 'read'>): LocalClaims {
  let claims = perBackend.get(backend);
  if (!claims) perBackend.set(backend, (claims = new LocalClaims(backend)));
  return claims;
}
