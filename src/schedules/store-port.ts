/** What schedule imports need from the store. */
import type { DomainEvent, Event, Talk } from '../catalogue/types.ts';
import type { CatalogueReader } from '../catalogue/store-port.ts';

/** What an import writes: the event (created or refreshed), talks, and the events they caused. */
export type ImportWrite<R> = {
  readonly events: readonly Event[];
  readonly talks: readonly Talk[];
  readonly domainEvents: readonly DomainEvent[];
  readonly result: R;
};

export interface ScheduleStore {
  /**
   * Run an import plan over the current catalogue and write its result in one transaction. The
   * plan must be a pure function of what it reads: after a conflicting write it runs again.
   */
  saveImport<R>(plan: (view: CatalogueReader) => Promise<ImportWrite<R>>): Promise<R>;
}
