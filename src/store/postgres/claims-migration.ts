/**
 * Migration 4: what claims need on PostgreSQL (`pg-claims.ts`). Numbered 4 on purpose: 3 is the
 * change log's. The claimed collections get lease columns beside `doc` (record writes never touch
 * them): `due_at` (sources, blogs: due again from then on; null: due now), `lease_owner` and
 * `lease_until` (null: free). Partial indexes keep the delivery and Webmention queues cheap to
 * claim from; `rate_limits` holds the current window's count per key, shared by every instance (ms since the epoch).
 */
const leaseColumns = (table: string) =>
  `alter table ${table} add column due_at timestamptz, add column lease_owner text, add column lease_until timestamptz;`;

export const CLAIMS_MIGRATION: { readonly version: number; readonly name: string; readonly sql: string } = {
  version: 4,
  name: 'claims: leases, rate limits',
  sql: `
${['sources', 'blogs', 'deliveries', 'webmentions'].map(leaseColumns).join('\n')}
create index deliveries_pending_due on deliveries ((doc->>'nextAttemptAt')) where (doc->>'status') = 'pending';
create index webmentions_pending on webmentions ((doc->>'receivedAt')) where (doc->>'status') = 'pending';

create table rate_limits (
  key text collate "C" primary key,
  window_start bigint not null,
  expires_at bigint not null,
  count int not null
);
create index rate_limits_expires on rate_limits (expires_at);
`,
};
