/**
 * The change log's SQL: appending a commit (in the writing transaction, with its NOTIFY), reading
 * what other instances committed, the position report of `/health`, and trimming. The table is
 * `commits` (migration 3 gave it `instance` and `doc`); its `seq` comes from `change_seq`, drawn
 * under the commit lock — why that makes the log safe to read in order is told in `change-feed.ts`.
 *
 * Cost per write: the JSON of the commit (records after, records before, deletions, events) is
 * written once more, into `doc`, and the notification is queued. docs/scaling.md has the numbers.
 * A commit that puts more than `INLINE_PUT_LIMIT` records (a bulk load, `talkreel migrate`) logs
 * the ids of what it put instead of the records, and no `previous`: its readers fetch the records
 * as they are then. That keeps one row (and one JS string) bounded; a follower may thus see a
 * version newer than that commit's, which the later commits it then applies leave as it should.
 */
import type { ChangeLogStatus, Commit } from '../backend.ts';
import type { ChangeRow } from './change-feed.ts';
import { CHANGES_CHANNEL } from './change-listener.ts';
import { table } from './pg-tx.ts';

/** Records a commit may put and still carry them in the change log (more: their ids). */
export const INLINE_PUT_LIMIT = 5_000;

type Query = (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** What a commit row carries: the `Commit` without `seq` (the row's own column). */
export type CommitDoc = Omit<Commit, 'seq'>;

/** The JSON of `doc` as logged: `putIds` (collection → ids) instead of `put` for a bulk commit. */
function logged(doc: CommitDoc): string {
  const puts = Object.values(doc.put).reduce((n, records) => n + (records?.length ?? 0), 0);
  if (puts <= INLINE_PUT_LIMIT) return JSON.stringify(doc);
  const putIds = Object.fromEntries(Object.entries(doc.put).map(([name, rs]) => [name, rs!.map((r) => r.id)]));
  return JSON.stringify({ put: {}, putIds, deleted: doc.deleted, previous: {}, events: doc.events });
}

/**
 * Take the commit lock and draw the commit's number. With `doc` (a write without domain events,
 * whose payload is known before numbering) the row is appended and notified in the same statement.
 */
export async function numberCommit(
  query: Query,
  lock: number,
  instance: string,
  doc: CommitDoc | undefined,
): Promise<number> {
  const { rows } = doc
    ? await query(
        `with l as (select pg_advisory_xact_lock($1)),
         c as (insert into commits (seq, at, instance, doc)
               select nextval('change_seq'), clock_timestamp(), $2, $3::json from l returning seq)
         select seq, pg_notify($4, seq::text) from c`,
        [lock, instance, logged(doc), CHANGES_CHANNEL],
      )
    : await query(`with l as (select pg_advisory_xact_lock($1)) select nextval('change_seq') as seq from l`, [lock]);
  return Number(rows[0]!.seq);
}

/** Append a commit numbered by `numberCommit` without a doc (its events are numbered after it), and notify. */
export async function appendCommit(query: Query, seq: number, instance: string, doc: CommitDoc): Promise<void> {
  await query(
    `with c as (insert into commits (seq, at, instance, doc) values ($1, clock_timestamp(), $2, $3::json) returning seq)
     select pg_notify($4, seq::text) from c`,
    [seq, instance, logged(doc), CHANGES_CHANNEL],
  );
}

/** The change log without payloads or notifications: how commits were recorded before migration 3 (benchmarks). */
export async function numberCommitBare(query: Query, lock: number): Promise<number> {
  const { rows } = await query(
    `with l as (select pg_advisory_xact_lock($1))
     insert into commits (seq) select nextval('change_seq') from l returning seq`,
    [lock],
  );
  return Number(rows[0]!.seq);
}

/** Commits after `after`, oldest first. Rows without a payload (before migration 3) come with none. */
export async function readChanges(query: Query, after: number, limit: number): Promise<ChangeRow[]> {
  const { rows } = await query('select seq, doc from commits where seq > $1 order by seq limit $2', [after, limit]);
  const out: ChangeRow[] = [];
  for (const r of rows) {
    const seq = Number(r.seq);
    const doc = r.doc as (CommitDoc & { putIds?: Record<string, string[]> }) | null;
    if (!doc) {
      out.push({ seq, commit: undefined });
      continue;
    }
    const { putIds, ...commit } = doc;
    if (putIds) {
      const put: Record<string, unknown[]> = {};
      for (const [name, ids] of Object.entries(putIds)) {
        const found = await query(`select doc from ${table(name)} where id = any($1::text[])`, [ids]);
        put[name] = found.rows.map((x) => x.doc);
      }
      out.push({ seq, commit: { ...commit, put, seq } as Commit });
    } else out.push({ seq, commit: { ...commit, seq } as Commit });
  }
  return out;
}

/** Highest sequence number visible now: everything up to it is settled (see `change-feed.ts`). */
export async function changeLogHead(query: Query): Promise<number> {
  const { rows } = await query(
    'select greatest((select max(seq) from commits), (select max(seq) from domain_events), 0) as head',
  );
  return Number(rows[0]!.head);
}

/** Head and lag for `/health`, seen from `position`. */
export async function changeLogStatus(query: Query, position: number): Promise<ChangeLogStatus> {
  const { rows } = await query(
    `select greatest((select max(seq) from commits), (select max(seq) from domain_events), 0) as head,
       coalesce(extract(epoch from clock_timestamp() - (select min(at) from commits where seq > $1)), 0)::float8 as lag`,
    [position],
  );
  const row = rows[0]!;
  return { position, head: Number(row.head), lagSeconds: Math.max(0, Math.round(Number(row.lag) * 1000) / 1000) };
}

/** Delete commits recorded before `before` (ISO time), always keeping the newest. Returns how many went. */
export async function trimChangeLog(query: Query, before: string): Promise<number> {
  const { rows } = await query(
    `with gone as (delete from commits where at < $1 and seq < (select max(seq) from commits) returning 1)
     select count(*)::int as n from gone`,
    [before],
  );
  return rows[0]!.n as number;
}
