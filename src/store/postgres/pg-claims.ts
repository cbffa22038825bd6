/**
 * Claims on PostgreSQL, shared by every instance on the database (rules in `../claims.ts`). A claim
 * is one statement: the due, free rows are selected `FOR UPDATE SKIP LOCKED` (rows another claim
 * is taking right now are skipped, never waited for) and leased (`lease_owner`, `lease_until`) in
 * the same UPDATE, so two instances claiming at once get disjoint sets. Lease columns live beside
 * `doc` (migration 4, `claims-migration.ts`): record writes never touch them, and claiming writes
 * no change-log entry.
 *
 * A rate-limit hit is one upsert on the key, opening a new window when the last one ended,
 * returning the count.
 */
import type { ClaimRequest, LeaseKind, LeaseRelease, NamedClaim } from '../../platform/lease.ts';
import type { ClaimBackend, ClaimFilter } from '../claims.ts';
import type { Collections } from '../records.ts';

export type SqlQuery = (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

const TABLES: { readonly [K in LeaseKind]: K } = {
  sources: 'sources',
  blogs: 'blogs',
  deliveries: 'deliveries',
  webmentions: 'webmentions',
};

/** Expired rate-limit windows are deleted every this many hits (per instance). */
const SWEEP_EVERY = 500;

export class PgClaims implements ClaimBackend {
  private hits = 0;

  constructor(private readonly query: SqlQuery) {}

  async claim<K extends LeaseKind>(
    kind: K,
    req: ClaimRequest,
    filter: ClaimFilter = {},
  ): Promise<NamedClaim<Collections[K]>> {
    const t = TABLES[kind];
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const now = p(req.now);
    const where = [`(lease_until is null or lease_until <= ${now}::timestamptz)`];
    const ids = filter.ids;
    if (ids) where.push(`id = any(${p(ids)}::text[])`);
    let order: string;
    if (kind === 'sources' || kind === 'blogs') {
      order = 'due_at nulls first, id';
      if (!ids) {
        const nowText = p(req.now);
        where.push(`(due_at is null or due_at <= ${now}::timestamptz)`);
        where.push(`((doc->'health'->>'nextPollAt') is null or (doc->'health'->>'nextPollAt') <= ${nowText}::text)`);
        if (filter.schedule !== undefined) where.push(`(doc->>'schedule') = ${p(filter.schedule)}::text`);
      }
    } else if (kind === 'deliveries') {
      order = `(doc->>'nextAttemptAt'), id`;
      where.push(`(doc->>'status') = 'pending'`);
      if (!ids) where.push(`(doc->>'nextAttemptAt') <= ${p(req.now)}::text`);
    } else {
      order = `(doc->>'receivedAt'), id`;
      where.push(`(doc->>'status') = 'pending'`);
    }
    const until = new Date(Date.parse(req.now) + req.leaseMs).toISOString();
    const { rows } = await this.query(
      `with c as (
         select id from ${t} where ${where.join(' and ')}
         order by ${order} limit ${p(req.limit)}::int
         for update skip locked
       )
       update ${t} r set lease_owner = ${p(req.owner)}::text, lease_until = ${p(until)}::timestamptz
       from c where r.id = c.id
       returning r.id, r.doc, r.due_at`,
      params,
    );
    const claimed = rows
      .map((r) => ({ doc: r.doc as Collections[K], key: sortKey(kind, r) }))
      .sort((a, b) => cmp(a.key, b.key))
      .map((r) => r.doc);
    let busy: string[] = [];
    if (ids && ids.length > claimed.length) {
      const taken = claimed.map((r) => r.id);
      const held = await this.query(
        `select id from ${t} where id = any($1::text[]) and not (id = any($2::text[]))
         and lease_until > $3::timestamptz and lease_owner <> $4::text order by id`,
        [ids, taken, req.now, req.owner],
      );
      busy = held.rows.map((r) => r.id as string);
    }
    return { claimed, busy };
  }

  async renewLeases(kind: LeaseKind, owner: string, ids: readonly string[], until: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query(
      `update ${TABLES[kind]} set lease_until = $3::timestamptz
       where id = any($1::text[]) and lease_owner = $2::text returning id`,
      [ids, owner, until],
    );
    return rows.map((r) => r.id as string);
  }

  async releaseLeases(kind: LeaseKind, owner: string, releases: readonly LeaseRelease[]): Promise<void> {
    if (releases.length === 0) return;
    const t = TABLES[kind];
    await this.query(
      `update ${t} r set lease_owner = null, lease_until = null, due_at = coalesce(x.due_at, r.due_at)
       from json_to_recordset($2::json) as x(id text, due_at timestamptz)
       where r.id = x.id and r.lease_owner = $1::text`,
      [owner, JSON.stringify(releases.map((r) => ({ id: r.id, due_at: r.dueAt ?? null })))],
    );
  }

  async countHit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    // In SET, `r.` is the row as it was: an ended window restarts at this hit.
    const { rows } = await this.query(
      `insert into rate_limits as r (key, window_start, expires_at, count) values ($1::text, $2::bigint, $2::bigint + $3::bigint, 1)
       on conflict (key) do update set
         count = case when r.expires_at <= $2 then 1 else r.count + 1 end,
         window_start = case when r.expires_at <= $2 then $2 else r.window_start end,
         expires_at = case when r.expires_at <= $2 then $2 + $3 else r.expires_at end
       returning count, expires_at`,
      [key, Math.floor(now), Math.floor(windowMs)],
    );
    this.hits += 1;
    if (this.hits % SWEEP_EVERY === 0)
      await this.query('delete from rate_limits where expires_at <= $1::bigint', [now]);
    return { count: Number(rows[0]!.count), resetAt: Number(rows[0]!.expires_at) };
  }
}

/** The claim order of a returned row, as a comparable string (the UPDATE's RETURNING has none). */
function sortKey(kind: LeaseKind, row: Record<string, unknown>): string {
  const doc = row.doc as Record<string, unknown>;
  const id = String(row.id);
  if (kind === 'deliveries') return `${String(doc.nextAttemptAt)}\u0000${id}`;
  if (kind === 'webmentions') return `${String(doc.receivedAt)}\u0000${id}`;
  // due_at nulls first: '' sorts before any ISO time.
  const due = row.due_at instanceof Date ? row.due_at.toISOString() : '';
  return `${due}\u0000${id}`;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
