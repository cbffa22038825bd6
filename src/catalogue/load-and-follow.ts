import type { CatalogueChange, CatalogueStore } from './store-port.ts';

/**
 * Build something from the store's content and keep it in step with every commit after, missing
 * none: listen first, load, then replay the commits made meanwhile (by this process or, with
 * PostgreSQL, by another instance), so the newest version of each record wins. Returns the
 * unsubscribe function.
 */
export async function loadAndFollow(
  store: Pick<CatalogueStore, 'onCommit'>,
  load: () => Promise<void>,
  apply: (change: CatalogueChange) => void,
): Promise<() => void> {
  let held: CatalogueChange[] | undefined = [];
  const unsubscribe = store.onCommit((change) => (held ? held.push(change) : apply(change)));
  try {
    await load();
  } catch (err) {
    unsubscribe();
    throw err;
  }
  for (const change of held) apply(change);
  held = undefined;
  return unsubscribe;
}
