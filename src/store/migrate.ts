import { COLLECTION_NAMES, type CollectionName, type Collections } from './store.ts';

/** Version of the document shape this code writes. Bump it and add a step below when the shape changes. */
export const CURRENT_SCHEMA_VERSION = 1;

export type StoreDocument = { schemaVersion: number } & { [K in CollectionName]: Record<string, Collections[K]> };

/**
 * Upgrade a document read from disk to the current shape (json-server's normalising adapter idea).
 * Throws on a document this code cannot understand; the caller leaves the file untouched.
 */
export function migrate(raw: unknown): StoreDocument {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('top level is not an object');
  const doc = raw as Record<string, unknown>;
  const version = doc.schemaVersion ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new Error(`bad schemaVersion ${String(version)}`);
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new Error(
      `schemaVersion ${version} is newer than this Talkreel understands (${CURRENT_SCHEMA_VERSION}); upgrade Talkreel`,
    );
  }
  for (const name of COLLECTION_NAMES) {
    const table = doc[name];
    if (table === undefined) doc[name] = {};
    else if (typeof table !== 'object' || table === null || Array.isArray(table))
      throw new Error(`"${name}" is not an object`);
  }
  doc.schemaVersion = CURRENT_SCHEMA_VERSION;
  return doc as StoreDocument;
}
