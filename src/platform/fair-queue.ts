/**
 * A work queue that is fair between keys (e.g. source hosts): tasks wait in one queue per key, and
 * the workers take the next task from each key in turn, so one key with a thousand tasks delays a
 * key with one task by at most one task per worker. Bounded per key and overall.
 */
export class FairQueue {
  private readonly queues = new Map<string, (() => Promise<void>)[]>();
  /** Keys with waiting tasks, in round-robin order. */
  private readonly order: string[] = [];
  private running = 0;
  private waiting = 0;

  constructor(
    private readonly concurrency: number,
    private readonly maxPerKey: number,
    private readonly maxTotal: number,
  ) {}

  /** Tasks waiting (not running), overall and for one key. */
  get size(): number {
    return this.waiting;
  }
  sizeOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** Would a task for `key` be refused right now? */
  isFull(key: string): boolean {
    return this.waiting >= this.maxTotal || this.sizeOf(key) >= this.maxPerKey;
  }

  /** Queue a task; resolves with its result. Throws `RangeError` when the key or the queue is full. */
  add<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.isFull(key)) throw new RangeError(`queue full for ${key}`);
    return new Promise<T>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        this.queues.set(key, (queue = []));
        this.order.push(key);
      }
      queue.push(() => task().then(resolve, reject));
      this.waiting += 1;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.order.length > 0) {
      const key = this.order.shift()!;
      const queue = this.queues.get(key)!;
      const next = queue.shift()!;
      this.waiting -= 1;
      if (queue.length > 0) this.order.push(key);
      else this.queues.delete(key);
      this.running += 1;
      void next().finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }
}
