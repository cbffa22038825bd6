/**
 * Copy one store into another (`talkreel migrate`): every record and the change log, in one
 * write on the target, then verified record by record. Idempotent: records are upserted as they
 * are and domain events keep their ids, so running it again changes nothing.
 */
import { COLLECTION_NAMES, type CollectionName } from './records.ts';
import type { Store } from './store.ts';

export type CopyReport = {
  /** Per collection (and `domainEvents`): records in the source, and how many the target holds identically. */
  readonly counts: Readonly<Record<CollectionName | 'domainEvents', { source: number; verified: number }>>;
  readonly ok: boolean;
};

export async function copyStore(from: Store, to: Store): Promise<CopyReport> {
  const snapshot = await from.snapshot();
  await to.load(snapshot);
  await to.flush();
  const copied = await to.snapshot();
  const counts = {} as Record<CollectionName | 'domainEvents', { source: number; verified: number }>;
  for (const name of COLLECTION_NAMES) {
    const target = new Map<string, string>(copied[name].map((r) => [r.id, canonical(r)]));
    const records = snapshot[name] as { id: string }[];
    counts[name] = {
      source: records.length,
      verified: records.filter((r) => target.get(r.id) === canonical(r)).length,
    };
  }
  // Sequence numbers are the target's own; the events themselves must be identical.
  const events = new Map(copied.domainEvents.map(({ seq: _seq, ...e }) => [e.id, canonical(e)]));
  counts.domainEvents = {
    source: snapshot.domainEvents.length,
    verified: snapshot.domainEvents.filter(({ seq: _seq, ...e }) => events.get(e.id) === canonical(e)).length,
  };
  return { counts, ok: Object.values(counts).every((c) => c.source === c.verified) };
}

/** JSON with sorted keys and undefined dropped: PostgreSQL's jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
