/**
 * The PostgreSQL backend (`TALKREEL_DATABASE_URL`). Same behaviour as `MemoryBackend`, proven by the
 * shared contract suite, with these mechanics:
 *
 * - A write is one SERIALIZABLE transaction on a pooled client. A serialization failure or deadlock
 *   rolls it back and runs the write's function again (bounded, jittered backoff), so a concurrent
 *   read-modify-write is retried, never lost.
 * - A write that changed something takes the commit lock (a transaction-scoped advisory lock) just
 *   before it commits, then numbers itself and its events from `change_seq`. Sequence numbers thus
 *   follow commit order: a reader paging `eventsSince` never skips a late committer.
 * - The write appends its `Commit` (JSON) to the change log (`commits`) with this instance's id and
 *   `pg_notify`s its number, in the same transaction (`change-log.ts`).
 * - Listeners see every commit in sequence order, this instance's and the others' alike
 *   (`change-feed.ts`); a local write resolves once its listeners ran. Other instances' commits are
 *   read when a notification arrives on the LISTEN connection, on a safety poll and after a
 *   reconnection (`change-listener.ts`).
 * - Connection failures surface as `StoreUnavailableError`; the pool reconnects by itself later.
 */
import pg from 'pg';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../../platform/logger.ts';
import type { Backend, BackendStats, Commit, ReadTx, SequencedEvent, WriteTx } from '../backend.ts';
import { COLLECTION_NAMES, type CollectionName } from '../records.ts';
import { StoreUnavailableError } from '../errors.ts';
import { migrate } from './migrations.ts';
import { isRetryable, isUnavailable, RetryWrite } from './pg-errors.ts';
import { PgReadTx, PgWriteTx, table, type Query } from './pg-tx.ts';
import { ChangeFeed, type LocalCommit } from './change-feed.ts';
import { ChangeListener } from './change-listener.ts';
import {
  appendCommit,
  changeLogHead,
  changeLogStatus,
  numberCommit,
  numberCommitBare,
  readChanges,
  trimChangeLog,
  type CommitDoc,
} from './change-log.ts';
import { PgClaims } from './pg-claims.ts';

export type PgBackendOptions = {
  /** Most connections the pool opens. @default 10 */
  readonly poolSize?: number;
  /** Give up connecting (or waiting for a pooled connection) after this long. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Attempts of one write under contention before its conflict error is thrown. @default 50 */
  readonly maxAttempts?: number;
  /** Recorded with each commit in the change log (`TALKREEL_INSTANCE_ID`). @default 'unnamed' */
  readonly instanceId?: string;
  /**
   * Follow other instances' commits (LISTEN connection, safety poll) and hand them to `onCommit`
   * listeners. Off: only this instance's own commits are seen. @default true
   */
  readonly follow?: boolean;
  /** Safety poll of the change log while following, ms. @default 1000 */
  readonly followPollMs?: number;
  /**
   * Off: record commits without their payload or a notification, as before migration 3, so no
   * other instance can follow them. Only for measuring what the change log costs. @default true
   */
  readonly changeLog?: boolean;
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
};

/** Advisory lock key of commits (per database; `migrations.ts` uses 0x7a1c_0001). */
const COMMIT_LOCK = 0x7a1c_0002;

export class PgBackend implements Backend {
  readonly kind = 'postgres';
  /** Claims and rate limits shared by every instance on the database (`pg-claims.ts`). */
  readonly claims: PgClaims = new PgClaims((text, params) => this.query(text, params));
  private readonly listeners = new Set<(c: Commit) => void>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** The order listeners see commits in (set by `open`). */
  private feed!: ChangeFeed;
  private listener: ChangeListener | undefined;
  private writes = 0;
  private closed = false;
  /**
   * At most `poolSize` queries and write transactions at once: a burst waits here, in order, instead
   * of in the pool, whose connection timeout would turn a long queue into false "unavailable" errors.
   */
  private readonly gate: LimitFunction;

  private constructor(
    private readonly pool: pg.Pool,
    /** `host:port/database`, for messages (never the password). */
    readonly target: string,
    private readonly maxAttempts: number,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'> | undefined,
    poolSize: number,
    private readonly instanceId: string,
    private readonly changeLog: boolean,
  ) {
    this.gate = pLimit(poolSize);
  }

  /** Connect and bring the schema up to date. Throws `StoreUnavailableError` if the server is unreachable. */
  static async open(url: string, options: PgBackendOptions = {}): Promise<PgBackend> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'talkreel',
    });
    const backend = new PgBackend(
      pool,
      describeTarget(url),
      options.maxAttempts ?? 50,
      options.logger,
      options.poolSize ?? 10,
      options.instanceId ?? 'unnamed',
      options.changeLog ?? true,
    );
    // An idle client whose connection dies (server restart, admin shutdown) must not crash the process.
    pool.on('error', (err) => options.logger?.warn({ err, target: backend.target }, 'idle PostgreSQL connection lost'));
    try {
      await backend.withClient((client) => migrate(client));
      backend.feed = backend.createFeed(await changeLogHead((t, p) => pool.query(t, p)));
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw backend.translate(err);
    }
    if (options.follow ?? true) {
      backend.listener = new ChangeListener({
        url,
        target: backend.target,
        onWake: (seq) => backend.feed.wake(seq),
        pollMs: options.followPollMs,
        connectTimeoutMs: options.connectTimeoutMs,
        logger: options.logger,
      });
      await backend.listener.start();
    }
    return backend;
  }

  /** Delete change-log rows recorded before `before` (ISO time), keeping the newest. */
  trimChangeLog(before: string): Promise<number> {
    return trimChangeLog((t, p) => this.query(t, p), before);
  }

  private createFeed(start: number): ChangeFeed {
    return new ChangeFeed({
      start,
      // Straight to the pool, not through the gate: writes holding the gate wait for this read.
      read: async (after, limit) => readChanges((t, p) => this.pool.query(t, p), after, limit),
      emit: (commit, own) => {
        if (own) this.writes += 1;
        this.emit(commit);
      },
      onReadError: (err) =>
        err === undefined
          ? this.logger?.info({ target: this.target }, 'change log readable again')
          : this.logger?.warn({ err, target: this.target }, 'change log unreadable; own commits go out ahead of order'),
    });
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const query: Query = async (text, params) => {
      try {
        return await this.gate(() => this.pool.query(text, params as unknown[]));
      } catch (err) {
        throw this.translate(err);
      }
    };
    return fn(new PgReadTx(query));
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const run = this.gate(() => this.runWrite(fn));
    this.inflight.add(run);
    const forget = () => void this.inflight.delete(run);
    run.then(forget, forget);
    return run;
  }

  async eventsSince(after: number, limit: number): Promise<SequencedEvent[]> {
    if (limit <= 0) return [];
    const { rows } = await this.query('select seq, doc from domain_events where seq > $1 order by seq limit $2', [
      after,
      limit,
    ]);
    return rows.map((r) => ({ ...(r.doc as object), seq: Number(r.seq) }) as SequencedEvent);
  }

  onCommit(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async stats(): Promise<BackendStats> {
    const [{ rows }, changeLog] = await Promise.all([
      this.query(
        `select ${COLLECTION_NAMES.map((n) => `(select count(*)::int from ${table(n)}) as "${n}"`).join(', ')},
          greatest((select max(seq) from commits), (select max(seq) from domain_events), 0) as last_seq`,
      ),
      changeLogStatus((t, p) => this.query(t, p), this.feed.position),
    ]);
    const row = rows[0]!;
    const counts = Object.fromEntries(COLLECTION_NAMES.map((n) => [n, row[n] as number])) as {
      [K in CollectionName]: number;
    };
    // Rows are written only by this code through typed operations: nothing to quarantine.
    return {
      writes: this.writes,
      commits: this.writes,
      counts,
      lastSeq: Number(row.last_seq),
      quarantined: 0,
      changeLog: { ...changeLog, ...(this.listener ? { listening: this.listener.listening } : {}) },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    this.feed.close();
    await this.listener?.close();
    await this.pool.end();
  }

  private async runWrite<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let outcome: { value: T; local?: LocalCommit };
      try {
        outcome = await this.attempt(client, fn);
      } catch (err) {
        // The transaction is over (rolled back, or its connection is gone).
        client.release(isUnavailable(err) ? asError(err) : undefined);
        if (isUnavailable(err)) throw this.translate(err);
        if (!isRetryable(err) || attempt >= this.maxAttempts) throw err;
        await sleep(Math.random() * Math.min(100, 2 ** attempt));
        continue;
      }
      client.release();
      await outcome.local?.notified;
      return outcome.value;
    }
  }

  /** One try: run `fn` in a SERIALIZABLE transaction, number the changes and commit. */
  private async attempt<T>(
    client: pg.PoolClient,
    fn: (tx: WriteTx) => Promise<T>,
  ): Promise<{ value: T; local?: LocalCommit }> {
    const query: Query = (text, params) => client.query(text, params as unknown[]);
    let pending: LocalCommit | undefined;
    let settled = false;
    let tx: PgWriteTx | undefined;
    try {
      await query('begin isolation level serializable');
      tx = new PgWriteTx(query);
      const value = await fn(tx);
      tx.close();
      // A statement failed (and fn caught it): PostgreSQL aborted the transaction; COMMIT would roll back.
      if (tx.failure !== undefined) throw tx.failure;
      if (!tx.changed) {
        await query('rollback');
        return { value };
      }
      const doc = buildDoc(tx);
      const seq = !this.changeLog
        ? await numberCommitBare(query, COMMIT_LOCK)
        : await numberCommit(query, COMMIT_LOCK, this.instanceId, tx.events.length === 0 ? doc : undefined);
      for (const event of tx.events) {
        const inserted = await query(
          `insert into domain_events (seq, id, type, "timestamp", doc) values (nextval('change_seq'), $1, $2, $3, $4)
           on conflict (id) do nothing returning seq`,
          [event.id, event.type, event.timestamp, JSON.stringify(event)],
        );
        // Taken by a writer that committed after our snapshot: run again, the function will see it.
        if (inserted.rows.length === 0) throw new RetryWrite(`event ${event.id} was recorded concurrently`);
        doc.events.push({ ...event, seq: Number(inserted.rows[0]!.seq) } as SequencedEvent);
      }
      if (this.changeLog && tx.events.length > 0) await appendCommit(query, seq, this.instanceId, doc);
      // Registered before COMMIT: a later write (of any instance) cannot be numbered before this point.
      pending = this.feed.reserve(seq, doc.events.at(-1)?.seq ?? seq);
      await query('commit');
      settled = true;
      this.feed.settle(pending, { ...doc, seq });
      return { value, local: pending };
    } catch (err) {
      if (pending && !settled) this.feed.settle(pending, undefined);
      // If fn caught a conflict or a lost connection and threw something else, the cause still decides.
      const failure = tx?.failure;
      const cause = failure !== undefined && (isRetryable(failure) || isUnavailable(failure)) ? failure : err;
      if (!isUnavailable(cause)) await query('rollback').catch(() => undefined);
      throw cause;
    }
  }

  /** Hand one commit to every listener; a failing listener is logged, the others still run. */
  private emit(commit: Commit): void {
    for (const listener of this.listeners) {
      try {
        listener(commit);
      } catch (err) {
        this.logger?.error({ err, seq: commit.seq }, 'store commit listener failed');
      }
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new Error('store is closed');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    // A checked-out client has no error listener of the pool's: without one a dropped
    // connection would crash the process. The failing query rejects on its own.
    const onError = (err: Error) => this.logger?.warn({ err, target: this.target }, 'PostgreSQL connection lost');
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = (err?: Error | boolean) => {
      client.removeListener('error', onError);
      return release(err);
    };
    return client;
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      const value = await fn(client);
      client.release();
      return value;
    } catch (err) {
      client.release(isUnavailable(err) ? asError(err) : undefined);
      throw err;
    }
  }

  private async query(text: string, params?: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.gate(() => this.pool.query(text, params));
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    if (err instanceof StoreUnavailableError) return err;
    if (this.closed && /after calling end on the pool/.test(String(err))) return new Error('store is closed');
    return isUnavailable(err) ? new StoreUnavailableError(this.target, { cause: err }) : err;
  }
}

/** What the write changed, as listeners (and other instances, through the change log) receive it. */
function buildDoc(tx: PgWriteTx): CommitDoc & { events: SequencedEvent[] } {
  const put: Record<string, unknown[]> = {};
  const deleted: Record<string, unknown[]> = {};
  const previous: Record<string, unknown[]> = {};
  for (const [name, records] of tx.touched) {
    for (const { original, final } of records.values()) {
      if (final === null) {
        if (original !== null) (deleted[name] ??= []).push(original);
      } else {
        (put[name] ??= []).push(final);
        if (original !== null) (previous[name] ??= []).push(original);
      }
    }
  }
  return { put, deleted, previous, events: [] } as CommitDoc & { events: SequencedEvent[] };
}

/** `host:port/database` of a connection string, without credentials. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'postgres (unparsable connection string)';
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
