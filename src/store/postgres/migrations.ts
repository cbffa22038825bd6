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
  CLAIMS_MIGRATION,
];

export const MIGRATIONS_TABLE = `
create table if not exists schema_migrations (
  version int primary key,
  name text not null,
  applied_at timestamptz not null default now()
)`;
