import { COLLECTION_NAMES } from './records.ts';
import { recordProblem } from './record-shapes.ts';
import { CURRENT_SCHEMA_VERSION, type StoreDocument } from './memory-backend.ts';
import type { SequencedEvent } from './backend.ts';

/**
 * Upgrade a document read from disk to the current shape (json-server's normalising adapter idea).
 * Throws on a document this code cannot understand; the caller leaves the file untouched.
 *
 * - v1 → v2: domain events get a monotonic `seq` (in timestamp order) and the document a `seq`
 *   counter; event ids are kept as they were.
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
  for (const name of [...COLLECTION_NAMES, 'domainEvents'] as const) {
    const table = doc[name];
    if (table === undefined) doc[name] = {};
    else if (typeof table !== 'object' || table === null || Array.isArray(table))
      throw new Error(`"${name}" is not an object`);
  }
  if (version < 2) {
    const events = Object.values(doc.domainEvents as Record<string, { timestamp?: string }>).sort((a, b) =>
      String(a.timestamp).localeCompare(String(b.timestamp)),
    );
    let seq = 0;
    for (const e of events) (e as { seq: number }).seq = ++seq;
    doc.seq = seq;
  }
  if (typeof doc.seq !== 'number' || !Number.isInteger(doc.seq) || doc.seq < 0) {
    const seqs = Object.values(doc.domainEvents as Record<string, SequencedEvent>).map((e) => e.seq);
    doc.seq = Math.max(0, ...seqs.filter((s) => Number.isInteger(s)));
  }
  // Records of the wrong shape are set aside, not served (and not lost: the file keeps them).
  const quarantine = (doc.quarantine ?? {}) as Record<string, unknown>;
  if (typeof quarantine !== 'object' || Array.isArray(quarantine)) throw new Error('"quarantine" is not an object');
  for (const name of COLLECTION_NAMES) {
    const table = doc[name] as Record<string, unknown>;
    for (const [key, record] of Object.entries(table)) {
      const problem = recordProblem(name, key, record);
      if (!problem) continue;
      quarantine[`${name}/${key}`] = { collection: name, key, problem, record };
      delete table[key];
    }
  }
  if (Object.keys(quarantine).length > 0) doc.quarantine = quarantine;
  doc.schemaVersion = CURRENT_SCHEMA_VERSION;
  return doc as StoreDocument;
}
