/**
 * The one order in which an instance hands commits to its `onCommit` listeners: its own writes and
 * every other instance's, by sequence number, none skipped, none twice.
 *
 * Why a sequence number seen means everything below it is settled (no "late" commits): a write
 * takes the commit lock (`pg_advisory_xact_lock`, see `pg-backend.ts`) before it draws its numbers
 * from `change_seq`, and holds it until its transaction ends. PostgreSQL makes a committed
 * transaction visible (ProcArrayEndTransaction) *before* it releases its locks, so when commit N
 * becomes visible, every write numbered below N has either committed and become visible already or
 * rolled back (a gap that stays a gap forever). A lower number can never appear after a higher one.
 * That costs one serialisation point per commit (the lock is taken just before COMMIT, not for the
 * whole transaction); it buys a reader that needs no snapshot bookkeeping (xmin horizons, re-read
 * windows): "every row with seq > position, in order" is always complete.
 *
 * Own writes are recognised by their sequence number, not by the instance id of the row: a local
 * write is registered (`reserve`) before its COMMIT is sent, so a row that is ours is always known
 * here, and two processes given the same `TALKREEL_INSTANCE_ID` by mistake still see each other.
 * An own commit is handed over as the object the write built (no JSON round trip). When nothing can
 * lie between it and the position (`seq === position + 1`) it goes out at once, without a query;
 * otherwise other instances' rows in the gap are read and emitted first, so a listener never sees
 * a newer version of a record before an older one.
 */
import type { Commit } from '../backend.ts';

/** A change-log row: a commit and the highest sequence number it used (its events follow it). */
export type ChangeRow = { readonly seq: number; readonly commit: Commit | undefined };

/** A local write between numbering and emission. `notified` settles once listeners saw it. */
export type LocalCommit = {
  readonly seq: number;
  /** Highest sequence number the write drew (its last domain event), `seq` without events. */
  readonly last: number;
  readonly notified: Promise<void>;
};

type Slot = LocalCommit & {
  done: boolean;
  commit: Commit | undefined;
  /** Handed to listeners ahead of order because the change log could not be read (see `emitAhead`). */
  emitted: boolean;
  notify: () => void;
};

export type ChangeFeedDeps = {
  /** Every sequence number up to this one is already reflected in the state the instance starts from. */
  readonly start: number;
  /** Change-log rows with `seq > after`, oldest first, at most `limit`. */
  read(after: number, limit: number): Promise<ChangeRow[]>;
  /** Hand a commit to the listeners; `own`: written by this instance. */
  emit(commit: Commit, own: boolean): void;
  /** Reading failed (`err`), or works again (`undefined`) after a failure. */
  onReadError(err: unknown): void;
  /** Rows per read. @default 100 */
  readonly pageSize?: number;
};

export class ChangeFeed {
  private current: number;
  /** Local writes numbered and not yet released, in sequence order. */
  private readonly slots: Slot[] = [];
  private readonly pageSize: number;
  /** Another instance may have committed: read the change log. */
  private dirty = false;
  private pumping = false;
  private again = false;
  private failing = false;
  private closed = false;

  constructor(private readonly deps: ChangeFeedDeps) {
    this.current = deps.start;
    this.pageSize = deps.pageSize ?? 100;
  }

  /** Every commit with a sequence number up to this one has been handed to the listeners (or never existed). */
  get position(): number {
    return this.current;
  }

  /**
   * A local write drew `seq`..`last` and is about to COMMIT. Must be called under the commit lock,
   * so slots arrive in sequence order.
   */
  reserve(seq: number, last: number): LocalCommit {
    let notify!: () => void;
    const notified = new Promise<void>((resolve) => (notify = resolve));
    const slot: Slot = { seq, last, notified, notify, done: false, commit: undefined, emitted: false };
    this.slots.push(slot);
    return slot;
  }

  /** The write committed (`commit`) or did not (`undefined`: its numbers stay unused). */
  settle(local: LocalCommit, commit: Commit | undefined): void {
    const slot = local as Slot;
    slot.done = true;
    slot.commit = commit;
    void this.pump();
  }

  /** Another instance committed `seq` (a notification), or may have (`undefined`: the safety poll). */
  wake(seq?: number): void {
    if (this.closed) return;
    // Our own commit's notification, or one already read: nothing new.
    if (seq !== undefined && (seq <= this.current || this.slots.some((s) => s.seq === seq))) return;
    this.dirty = true;
    void this.pump();
  }

  close(): void {
    this.closed = true;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      for (;;) {
        this.again = false;
        this.releaseInOrder();
        const head = this.slots[0];
        // A committed local write waits on a gap below it: read what fills the gap.
        const barrier = head?.done ? head.seq : undefined;
        if (this.closed || (!this.dirty && barrier === undefined)) {
          if (this.again) continue;
          return;
        }
        this.dirty = false;
        let rows: ChangeRow[];
        try {
          rows = await this.deps.read(this.current, this.pageSize);
        } catch (err) {
          if (this.closed) return;
          this.dirty = true;
          if (!this.failing) this.deps.onReadError(err);
          this.failing = true;
          this.emitAhead();
          return; // the next wake (poll, notification, reconnect) tries again
        }
        if (this.failing) this.deps.onReadError(undefined);
        this.failing = false;
        const blocked = this.apply(rows);
        if (rows.length >= this.pageSize) this.dirty = true;
        // The read began after commit `barrier` was acknowledged, so it saw everything below it.
        else if (!blocked && barrier !== undefined) this.releaseThrough(barrier);
        if (blocked && !this.again) return; // the awaited write's `settle` pumps again
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Emit rows in order. Returns true when a row is one of our writes whose COMMIT is not acknowledged yet. */
  private apply(rows: readonly ChangeRow[]): boolean {
    for (const row of rows) {
      if (row.seq <= this.current) continue;
      // Every number below row.seq is settled (see the top of this file): our writes below it too.
      if (!this.releaseThrough(row.seq - 1)) return this.block();
      const own = this.slots[0]?.seq === row.seq ? this.slots[0] : undefined;
      if (own) {
        if (!own.done) return this.block();
        this.release(own);
        continue;
      }
      if (row.commit) this.deps.emit(row.commit, false);
      this.current = Math.max(this.current, lastSeq(row));
    }
    return false;
  }

  private block(): true {
    this.dirty = true; // the rows after the blocking one are read again
    return true;
  }

  /** Release local writes numbered up to `seq`. False if one of them has not settled yet. */
  private releaseThrough(seq: number): boolean {
    while (this.slots[0] && this.slots[0].seq <= seq) {
      if (!this.slots[0].done) return false;
      this.release(this.slots[0]);
    }
    return true;
  }

  /** The fast path: settled local writes with nothing possibly between them and the position. */
  private releaseInOrder(): void {
    for (let head = this.slots[0]; head?.done; head = this.slots[0]) {
      // Not committed: nothing to hand over or wait for. Committed: only when nothing can lie below it.
      if (!head.commit || head.seq <= this.current + 1) this.release(head);
      else break;
    }
  }

  private release(slot: Slot): void {
    this.slots.shift();
    slot.notify();
    // A write whose COMMIT failed moves nothing: if the connection died after the server committed
    // it after all, its row is read like another instance's.
    if (!slot.commit) return;
    if (!slot.emitted) this.deps.emit(slot.commit, true);
    this.current = Math.max(this.current, slot.last);
  }

  /**
   * The change log cannot be read (database away): hand settled local writes to the listeners
   * anyway, rather than holding their callers until the database returns. They keep their place
   * (the position does not move past a gap it has not read); other instances' commits below them
   * are emitted late, when reading works again. A record written on both sides meanwhile may then
   * show its older version until its next change: the price of not blocking writes on an outage.
   */
  private emitAhead(): void {
    for (const slot of this.slots) {
      if (!slot.done) break;
      if (slot.commit && !slot.emitted) this.deps.emit(slot.commit, true);
      slot.emitted = true;
      slot.notify();
    }
  }
}

function lastSeq(row: ChangeRow): number {
  return Math.max(row.seq, ...(row.commit?.events.map((e) => e.seq) ?? []));
}
