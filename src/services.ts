import path from 'node:path';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Store } from './store/store.ts';
import { LowdbStore } from './store/lowdb-store.ts';
import { Catalogue } from './domain/catalogue.ts';
import { CatalogueIndex } from './matcher/catalogue-index.ts';
import { importSchedule, type ImportOptions, type ImportReport } from './schedule/import.ts';

/** Everything the HTTP app, the CLI and the jobs use, built once by `createServices`. */
export type Services = {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Store;
  readonly index: CatalogueIndex;
  readonly catalogue: Catalogue;
  importSchedule(text: string, opts?: ImportOptions): Promise<ImportReport>;
  /** Flush the store and release its lock. */
  close(): Promise<void>;
};

export type ServiceOverrides = {
  readonly clock?: Clock;
  /** Use this store instead of opening `<dataDir>/db.json`. */
  readonly store?: Store;
  /** Open the store without the lock, refusing writes (read-only CLI verbs while a server runs). */
  readonly readOnly?: boolean;
};

/** The composition of store, index and services over one data directory. */
export async function createServices(config: Config, logger: Logger, overrides: ServiceOverrides = {}): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const store =
    overrides.store ?? (await LowdbStore.open({ file: path.join(config.dataDir, 'db.json'), readOnly: overrides.readOnly }));
  const index = await CatalogueIndex.attach(store);
  const catalogue = new Catalogue({ store, clock, logger: logger.child({ module: 'catalogue' }), index });
  return {
    config,
    logger,
    clock,
    store,
    index,
    catalogue,
    importSchedule: (text, opts) => importSchedule({ store, clock, catalogue }, text, opts),
    async close() {
      index.detach();
      await store.close();
    },
  };
}
