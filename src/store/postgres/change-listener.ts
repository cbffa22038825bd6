/**
 * The wake-up of the change log: one dedicated connection (outside the pool) that `LISTEN`s on the
 * channel every commit notifies, plus a safety poll. A notification is only a hint — the sequence
 * number in the change log is the truth — so a notification lost with a dropped connection costs
 * at most one poll interval: the poll, and a read right after every (re)connection, catch up.
 * A dropped connection is reopened with jittered exponential backoff.
 */
import pg from 'pg';
import type { Logger } from '../../platform/logger.ts';

/** The NOTIFY channel of commits; the payload is the commit's sequence number. */
export const CHANGES_CHANNEL = 'talkreel_changes';

export type ChangeListenerOptions = {
  readonly url: string;
  /** Called on every notification (with its sequence number), every poll tick and after each (re)connection. */
  readonly onWake: (seq?: number) => void;
  /** Interval of the safety poll, ms. @default 1000 */
  readonly pollMs?: number;
  /** First reconnection delay, ms; doubles per failed attempt. @default 100 */
  readonly minBackoffMs?: number;
  /** Longest reconnection delay, ms. @default 5000 */
  readonly maxBackoffMs?: number;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  readonly logger?: Pick<Logger, 'info' | 'warn'> | undefined;
  /** For messages (never the password). */
  readonly target: string;
};

export class ChangeListener {
  private client: pg.Client | undefined;
  private readonly lost = new WeakSet<pg.Client>();
  private poll: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: ChangeListenerOptions) {}

  /** The LISTEN connection is up (notifications arrive); when false, only the safety poll wakes. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Start polling and make the first connection attempt (a failure is retried in the background). */
  async start(): Promise<void> {
    this.poll = setInterval(() => this.options.onWake(), this.options.pollMs ?? 1000);
    this.poll.unref();
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (client) {
      this.lost.add(client);
      await client.end().catch(() => undefined);
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      application_name: 'talkreel-listen',
    });
    client.on('error', (err) => this.drop(client, err));
    client.on('end', () => this.drop(client, undefined));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGES_CHANNEL) return;
      const seq = Number(msg.payload);
      this.options.onWake(Number.isSafeInteger(seq) ? seq : undefined);
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANGES_CHANNEL}`);
    } catch (err) {
      this.drop(client, err);
      return;
    }
    if (this.closed || this.lost.has(client)) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failures > 0)
      this.options.logger?.info({ target: this.options.target }, 'change-log listener connected again');
    this.failures = 0;
    // Whatever was committed while nobody listened.
    this.options.onWake();
  }

  /** The connection failed or ended: forget it and schedule the next attempt (once per connection). */
  private drop(client: pg.Client, err: unknown): void {
    if (this.lost.has(client)) return;
    this.lost.add(client);
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.closed) return;
    const attempt = this.failures++;
    const ceiling = Math.min(this.options.maxBackoffMs ?? 5000, (this.options.minBackoffMs ?? 100) * 2 ** attempt);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    if (attempt === 0)
      this.options.logger?.warn(
        { err, target: this.options.target },
        'change-log listener connection lost; polling until it is back',
      );
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}
