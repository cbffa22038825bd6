/**
 * Read and write transactions of the PostgreSQL adapter. Writes go to the database at once (inside
 * the SERIALIZABLE transaction), so reads in the same write see them; the transaction remembers,
 * per record, what it was before the write's first touch and what it is now, to build the `Commit`.
 */
import type { ReadTx, WriteTx } from '../backend.ts';
import { COLLECTION_NAMES, indexKeys, type CollectionName, type Collections, type DomainEvent } from '../records.ts';
import { EVENT_OWNED } from './migrations.ts';

export type Query = (text: string, params?: readonly unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

const OWNED: ReadonlySet<string> = new Set(EVENT_OWNED);
const KNOWN: ReadonlySet<string> = new Set(COLLECTION_NAMES);

/** The table of a collection; refuses anything else (table names are spliced into SQL). */
export function table(collection: string): string {
  if (!KNOWN.has(collection)) throw new Error(`unknown collection "${collection}"`);
  return collection;
}

export class PgReadTx implements ReadTx {
  constructor(private readonly send: Query) {}

  protected query(text: string, params?: readonly unknown[]): ReturnType<Query> {
    return this.send(text, params);
  }

  async get<K extends CollectionName>(collection: K, id: string): Promise<Collections[K] | undefined> {
    const { rows } = await this.query(`select doc from ${table(collection)} where id = $1`, [id]);
    return rows[0]?.doc as Collections[K] | undefined;
  }

  async getMany<K extends CollectionName>(collection: K, ids: readonly string[]): Promise<Collections[K][]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query(`select doc from ${table(collection)} where id = any($1::text[])`, [ids]);
    return rows.map((r) => r.doc as Collections[K]);
  }

  async find<K extends CollectionName>(collection: K, index: string, key: string): Promise<Collections[K][]> {
    const { rows } = await this.query(
      `select doc from ${table(collection)} where keys @> array[$1]::text[] order by id`,
      [`${index}:${key}`],
    );
    return rows.map((r) => r.doc as Collections[K]);
  }

  async all<K extends CollectionName>(collection: K): Promise<Collections[K][]> {
    const { rows } = await this.query(`select doc from ${table(collection)} order by id`);
    return rows.map((r) => r.doc as Collections[K]);
  }

  async count(collection: CollectionName): Promise<number> {
    const { rows } = await this.query(`select count(*)::int as n from ${table(collection)}`);
    return rows[0]!.n as number;
  }
}

type Touch = { readonly original: unknown; final: unknown };

/** Rows per multi-row INSERT (keeps one parameter well under PostgreSQL's limits). */
const PUT_MANY_CHUNK = 2000;

export class PgWriteTx extends PgReadTx implements WriteTx {
  /** collection → id → state before the write (null: absent) and now (null: deleted), first-touch order. */
  readonly touched = new Map<CollectionName, Map<string, Touch>>();
  readonly events: DomainEvent[] = [];
  /** The first statement that failed: PostgreSQL aborted the transaction, so it must not commit. */
  failure: unknown;
  private closed = false;

  protected override async query(text: string, params?: readonly unknown[]): ReturnType<Query> {
    if (this.closed) throw new Error('write transaction used after its function returned');
    try {
      return await super.query(text, params);
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }

  get changed(): boolean {
    return this.touched.size > 0 || this.events.length > 0;
  }

  close(): void {
    this.closed = true;
  }

  async put<K extends CollectionName>(collection: K, record: Collections[K]): Promise<void> {
    const t = table(collection);
    const owned = OWNED.has(collection);
    const params: unknown[] = [record.id, JSON.stringify(record), indexKeys(collection, record)];
    if (owned) params.push((record as { eventId: string }).eventId);
    const { rows } = await this.query(
      `with old as (select doc from ${t} where id = $1)
       insert into ${t} (id, doc, keys${owned ? ', event_id' : ''}) values ($1, $2, $3${owned ? ', $4' : ''})
       on conflict (id) do update set doc = excluded.doc, keys = excluded.keys${owned ? ', event_id = excluded.event_id' : ''}
       returning (select doc from old) as old`,
      params,
    );
    this.touch(collection, record.id, rows[0]?.old ?? null, record);
  }

  async putMany<K extends CollectionName>(collection: K, records: readonly Collections[K][]): Promise<void> {
    // Last wins for a repeated id: one INSERT may not touch a row twice.
    const unique = [...new Map(records.map((r) => [r.id, r])).values()];
    for (let i = 0; i < unique.length; i += PUT_MANY_CHUNK)
      await this.putChunk(collection, unique.slice(i, i + PUT_MANY_CHUNK));
  }

  /** One statement for many rows: the records travel as one JSON array, `json_to_recordset` unpacks them. */
  private async putChunk<K extends CollectionName>(collection: K, records: readonly Collections[K][]): Promise<void> {
    if (records.length === 0) return;
    const t = table(collection);
    const owned = OWNED.has(collection);
    const rows = records.map((r) => ({
      id: r.id,
      doc: r,
      keys: indexKeys(collection, r),
      ...(owned ? { event_id: (r as { eventId: string }).eventId } : {}),
    }));
    const { rows: out } = await this.query(
      `with input as (
         select x.id, x.doc, array(select json_array_elements_text(x.keys)) as keys${owned ? ', x.event_id' : ''}
         from json_to_recordset($1::json) as x(id text, doc json, keys json${owned ? ', event_id text' : ''})
       ), old as (
         select t.id, t.doc from ${t} t join input i on i.id = t.id
       )
       insert into ${t} (id, doc, keys${owned ? ', event_id' : ''})
       select id, doc, keys${owned ? ', event_id' : ''} from input
       on conflict (id) do update set doc = excluded.doc, keys = excluded.keys${owned ? ', event_id = excluded.event_id' : ''}
       returning id, (select old.doc from old where old.id = ${t}.id) as old`,
      [JSON.stringify(rows)],
    );
    const before = new Map(out.map((r) => [r.id as string, r.old ?? null]));
    for (const r of records) this.touch(collection, r.id, before.get(r.id) ?? null, r);
  }

  async delete(collection: CollectionName, id: string): Promise<void> {
    const { rows } = await this.query(`delete from ${table(collection)} where id = $1 returning doc`, [id]);
    this.touch(collection, id, rows[0]?.doc ?? null, null);
  }

  async emit(event: DomainEvent): Promise<boolean> {
    if (this.events.some((e) => e.id === event.id)) return false;
    const { rows } = await this.query('select 1 from domain_events where id = $1', [event.id]);
    if (rows.length > 0) return false;
    this.events.push(event);
    return true;
  }

  private touch(collection: CollectionName, id: string, before: unknown, now: unknown): void {
    let records = this.touched.get(collection);
    if (!records) this.touched.set(collection, (records = new Map()));
    const seen = records.get(id);
    if (seen) seen.final = now;
    else records.set(id, { original: before, final: now });
  }
}
