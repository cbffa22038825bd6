/**
 * Choosing and opening an adapter: the only place that knows them all. The composition roots
 * (services, CLI, benches) call these; capabilities see only the `Store` port.
 */
import path from 'node:path';
import { createStore } from './create-store.ts';
import { PgBackend, describeTarget, type PgBackendOptions } from './postgres/pg-backend.ts';
import { LowdbBackend, type LowdbBackendOptions } from './lowdb-backend.ts';
import { MemoryBackend } from './memory-backend.ts';
import type { Store } from './store.ts';
import type { OutboxOptions } from './outbox.ts';

/** The embedded default: one lowdb file (locked unless read-only). */
export async function openLowdbStore(options: LowdbBackendOptions, outbox?: OutboxOptions): Promise<Store> {
  return createStore(await LowdbBackend.open(options), outbox);
}

/** A store that lives in memory only (tests, benchmarks, dry runs). */
export function openMemoryStore(): Store {
  return createStore(new MemoryBackend());
}

/** PostgreSQL at `url` (schema migrated at open). Throws StoreUnavailableError when unreachable. */
export async function openPostgresStore(
  url: string,
  options: PgBackendOptions = {},
  outbox?: OutboxOptions,
): Promise<Store> {
  return createStore(await PgBackend.open(url, options), outbox);
}

export { describeTarget };

/**
 * The store the configuration names: PostgreSQL when `databaseUrl` is set, else the lowdb file
 * `<dataDir>/db.json`.
 */
export async function openConfiguredStore(
  config: {
    readonly databaseUrl: string | undefined;
    readonly databasePoolSize: number;
    readonly instanceId?: string | undefined;
    readonly dataDir: string;
    readonly websubHub?: string | undefined;
    readonly fsync?: boolean | undefined;
  },
  options: { readonly readOnly?: boolean | undefined; readonly logger?: PgBackendOptions['logger'] } = {},
): Promise<Store> {
  const outbox: OutboxOptions = { websubHub: config.websubHub };
  if (config.databaseUrl)
    return openPostgresStore(
      config.databaseUrl,
      { poolSize: config.databasePoolSize, logger: options.logger, instanceId: config.instanceId },
      outbox,
    );
  return openLowdbStore(
    { file: path.join(config.dataDir, 'db.json'), readOnly: options.readOnly, fsync: config.fsync },
    outbox,
  );
}
