/**
 * The PostgreSQL schema as ordered, append-only migrations. Never edit a released step: add one.
 * `PgBackend.open` applies the missing ones in one transaction under an advisory lock, so
 * instances starting together apply each step once.
 *
 * Records keep the whole document in `doc` (type `json`, not `jsonb`: it keeps the text exactly as
 * written, key order included, and accepts every string JSON.stringify produces, `\u0000` and lone
 * surrogates too, which `jsonb` refuses). Lookups go through `keys` (`index:key` strings from
 * `indexKeys`, GIN-indexed); `event_id` ties records that belong to an event to it. The foreign
 * keys are checked at commit (DEFERRABLE INITIALLY DEFERRED), so one write may delete an event
 * and its talks, or add them, in any statement order.
 *
 * `change_seq` numbers commits and domain events alike (the change log's sequence).
 */
import type pg from 'pg';

/** Advisory lock key (per database) held while migrating. */
const MIGRATION_LOCK = 0x7a1c_0001;
import { CLAIMS_MIGRATION } from './claims-migration.ts';

export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/** Collections whose records carry `eventId` and belong to an event. */
export const EVENT_OWNED = ['talks', 'sources', 'unmatched'] as const;

const recordTable = (name: string): string => {
  const owned = (EVENT_OWNED as readonly string[]).includes(name);
  return `
create table ${name} (
  id text collate "C" primary key,
  doc json not null,
  keys text[] not null default '{}'${
    owned
      ? `,
  event_id text collate "C" not null references events (id) deferrable initially deferred`
      : ''
  }
);
create index ${name}_keys on ${name} using gin (keys);${owned ? `\ncreate index ${name}_event on ${name} (event_id);` : ''}`;
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, change log',
    sql: `
${['events', 'talks', 'sources', 'unmatched', 'posts', 'blogs', 'webmentions'].map(recordTable).join('\n')}

create sequence change_seq;

create table commits (
  seq bigint primary key,
  at timestamptz not null default now()
);

create table domain_events (
  seq bigint primary key,
  id text collate "C" not null unique,
  type text not null,
  "timestamp" timestamptz not null,
  doc json not null,
  recorded_at timestamptz not null default now()
);
create index domain_events_type on domain_events (type, seq);
`,
  },
  {
    version: 2,
    name: 'subscriptions, deliveries',
    sql: `
${['subscriptions', 'deliveries'].map(recordTable).join('\n')}

-- talks are now also found by recording status (INDEXES.talks.recording)
update talks set keys = keys || array['recording:' || (doc->'recording'->>'status')];
`,
  },
  {
    version: 3,
    name: 'change log payloads',
    // `commits` becomes the change log other instances follow: who wrote each commit and what it
    // changed (the JSON of its `Commit`, without `seq`: the row has it). Older rows keep null.
    sql: `
alter table commits add column instance text, add column doc json;
`,
  },
  CLAIMS_MIGRATION,
];

export const MIGRATIONS_TABLE = `
create table if not exists schema_migrations (
  version int primary key,
  name text not null,
  applied_at timestamptz not null default now()
)`;

/** Apply the missing migrations in one transaction, under the migration lock. */
export async function migrate(client: pg.PoolClient): Promise<void> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<{ version: number }>('select version from schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = MIGRATIONS.at(-1)?.version ?? 0;
    if (newest > known) throw new Error(`database schema version ${newest} is newer than this build knows (${known})`);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('insert into schema_migrations (version, name, applied_at) values ($1, $2, now())', [
        m.version,
        m.name,
      ]);
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}
