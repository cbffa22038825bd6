/**
 * Choosing and opening an adapter: the only place that knows them all. The composition roots
 * (services, CLI, benches) call these; capabilities see only the `Store` port.
 */
import { createStore } from './create-store.ts';
import { LowdbBackend, type LowdbBackendOptions } from './lowdb-backend.ts';
import { MemoryBackend } from './memory-backend.ts';
import type { Store } from './store.ts';

/** The embedded default: one lowdb file (locked unless read-only). */
export async function openLowdbStore(options: LowdbBackendOptions): Promise<Store> {
  return createStore(await LowdbBackend.open(options));
}

/** A store that lives in memory only (tests, benchmarks, dry runs). */
export function openMemoryStore(): Store {
  return createStore(new MemoryBackend());
}
