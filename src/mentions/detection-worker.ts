/**
 * Mention detection off the main event loop: one worker thread (`detect-worker.ts`) holding its own
 * index, fed a snapshot of the catalogue at start and every catalogue commit after it, in order.
 *
 * - Requests carry an id and are answered by id; one runs in the worker at a time, the rest wait
 *   here (internal callers first, then public ones, each in arrival order), so a request that runs
 *   out of time while waiting is never sent.
 * - Bounded: at most `queueLimit` public requests wait; beyond that, `DETECTION_UNAVAILABLE`
 *   (503 with `Retry-After`). Every request ends by `deadlineMs`, waiting included.
 * - A detection still running after `deadlineMs` is a runaway: the worker is terminated and
 *   restarted. A crash (uncaught error, out of memory, `kill()`) fails the running request with
 *   `DETECTION_UNAVAILABLE`, restarts the worker (a fresh snapshot; backoff after repeated crashes)
 *   and never leaves a caller hanging.
 * - Until a worker has its index (start-up, restart), public requests are refused with 503 and
 *   `Retry-After`; internal ones (post submission, Webmention verification, which bound their own
 *   concurrency) run on this thread, over the main thread's index, as before the worker existed.
 */
import { Worker } from 'node:worker_threads';
import type { CatalogueChange, CatalogueStore } from '../catalogue/store-port.ts';
import type { Talk } from '../catalogue/types.ts';
import type { Logger } from '../platform/logger.ts';
import type { DomainError } from '../platform/errors.ts';
import type { PostDocument } from '../text/extract.ts';
import type { DetectWorkerData, FromDetectWorker, ToDetectWorker } from './detect-protocol.ts';
import type { DetectOptions } from './detect.ts';
import { workerEntry } from './detect-worker-entry.ts';
import { detectionUnavailable, type DetectRequestOptions, type MentionDetector } from './detector.ts';
import type { Mention } from './types.ts';

export type DetectionWorkerOptions = {
  readonly store: Pick<CatalogueStore, 'listEvents' | 'talksOfEvent' | 'onCommit'>;
  /**
   * Detection on this thread, over the main thread's index: for internal callers while no worker
   * is ready. A function, so the worker can be launched before the main thread builds its index.
   */
  readonly inThread: (doc: PostDocument, opts: DetectOptions) => Mention[];
  readonly publicUrl: string;
  readonly logger: Logger;
  /** Public requests waiting for the worker before new ones are refused. @default 32 */
  readonly queueLimit?: number;
  /**
   * Longest a request waits and runs, ms; also the longest one detection may run before the worker
   * is deemed stuck and restarted. Generous: a 1 MiB post (the post size limit) can legitimately
   * take seconds (bench `detectFlood`, `detectCost`). @default 30000
   */
  readonly deadlineMs?: number;
  /** Events or talks per snapshot message (the main thread yields between messages). @default 500 */
  readonly snapshotChunk?: number;
  /**
   * Start the worker only once this settles (the main thread's own index build: the two builds
   * would compete for the CPU). @default start at once
   */
  readonly after?: Promise<void>;
};

export type DetectionWorkerStatus = {
  readonly state: 'starting' | 'ready' | 'restarting' | 'closed';
  /** Workers started after the first (crashes, runaways, `kill()`). */
  readonly restarts: number;
  readonly queued: number;
  /** Build time of the current worker's index, ms (when ready). */
  readonly buildMs?: number | undefined;
  /** Node's id of the latest worker thread; -1 once that thread has exited. */
  readonly threadId: number;
};

type Request = {
  readonly id: number;
  readonly doc: PostDocument;
  readonly opts: DetectRequestOptions;
  readonly resolve: (mentions: Mention[]) => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout | undefined;
  settled: boolean;
};

type Generation = {
  readonly worker: Worker;
  ready: boolean;
  readyAt?: number;
  buildMs?: number;
  /** Commits since this generation's snapshot began, sent once the snapshot is out. */
  backlog: CatalogueChange[] | undefined;
  /** Resolves when the thread has exited. */
  readonly exited: Promise<void>;
};

/** A crash right after a start waits this long before the next start (doubling, capped). */
const BACKOFF_START_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** A worker that served this long before crashing restarts at once. */
const HEALTHY_AFTER_MS = 60_000;

/** The main thread's side of the detection worker. Start with {@link DetectionWorker.launch}. */
export class DetectionWorker implements MentionDetector {
  private gen: Generation | undefined;
  /** The latest thread, kept after it exits (its `threadId` is then -1). */
  private latest: Worker | undefined;
  private readonly internal: Request[] = [];
  private readonly public: Request[] = [];
  private running: { request: Request; watchdog: NodeJS.Timeout } | undefined;
  private nextId = 1;
  private crashes = 0;
  private restarts = 0;
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readyWaiters: (() => void)[] = [];
  private readonly unsubscribe: () => void;
  private readonly queueLimit: number;
  private readonly deadlineMs: number;
  private readonly chunk: number;

  private constructor(private readonly opts: DetectionWorkerOptions) {
    this.queueLimit = opts.queueLimit ?? 32;
    this.deadlineMs = opts.deadlineMs ?? 30_000;
    this.chunk = opts.snapshotChunk ?? 500;
    // One subscription for the client's life; each generation gets the commits after its snapshot began.
    this.unsubscribe = opts.store.onCommit((change) => this.forward(change));
  }

  /**
   * Start the worker and send it the catalogue. {@link DetectionWorker.started} tells when it is
   * ready; until then public requests get 503 and internal ones run in-thread.
   */
  static launch(opts: DetectionWorkerOptions): DetectionWorker {
    const client = new DetectionWorker(opts);
    if (!opts.after) client.spawn();
    else
      void opts.after.then(
        () => client.closed || client.spawn(),
        () => undefined,
      );
    return client;
  }

  /** Resolves once the first worker is ready, or has failed to start (it is then retried in the background). */
  started(): Promise<void> {
    return (this.opts.after ?? Promise.resolve()).then(
      () => Promise.race([this.whenReady(), this.gen?.exited ?? Promise.resolve()]),
      () => undefined,
    );
  }

  async detect(doc: PostDocument, opts: DetectRequestOptions = {}): Promise<Mention[]> {
    if (this.closed) throw detectionUnavailable('stopping');
    if (!this.gen?.ready) {
      if (opts.offThreadOnly)
        throw detectionUnavailable(this.restarts > 0 || this.crashes > 0 ? 'restarting' : 'starting');
      return this.opts.inThread(doc, opts);
    }
    if (opts.offThreadOnly && this.public.length >= this.queueLimit) throw detectionUnavailable('busy');
    return new Promise<Mention[]>((resolve, reject) => {
      const request: Request = { id: this.nextId++, doc, opts, resolve, reject, settled: false };
      const queue = opts.offThreadOnly ? this.public : this.internal;
      request.timer = setTimeout(() => {
        // Still waiting: it leaves the queue unsent. Running: its answer, if any, is dropped.
        const at = queue.indexOf(request);
        if (at >= 0) queue.splice(at, 1);
        this.settle(request, detectionUnavailable('timeout'));
      }, this.deadlineMs);
      queue.push(request);
      this.dispatch();
    });
  }

  status(): DetectionWorkerStatus {
    const state = this.closed ? 'closed' : this.gen?.ready ? 'ready' : this.restarts > 0 ? 'restarting' : 'starting';
    return {
      state,
      restarts: this.restarts,
      queued: this.internal.length + this.public.length,
      buildMs: this.gen?.buildMs,
      threadId: this.latest?.threadId ?? -1,
    };
  }

  /** Resolves when a worker is ready (at once if one is). */
  whenReady(): Promise<void> {
    if (this.gen?.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * Terminate the current worker as a crash would (tests, diagnostics): the running request fails
   * with `DETECTION_UNAVAILABLE` and a new worker is started.
   */
  async kill(): Promise<void> {
    const gen = this.gen;
    if (!gen) return;
    await gen.worker.terminate();
    await gen.exited;
  }

  /** Stop for good: refuse new requests, fail waiting ones, terminate the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.restartTimer);
    this.failAll(detectionUnavailable('stopping'), false);
    const gen = this.gen;
    this.gen = undefined;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    if (gen) {
      await gen.worker.terminate();
      await gen.exited;
    }
  }

  // ---- the thread ---------------------------------------------------------------------------

  private spawn(): void {
    if (this.closed) return;
    const workerData: DetectWorkerData = { publicUrl: this.opts.publicUrl };
    let worker: Worker;
    try {
      worker = new Worker(workerEntry(), { workerData, name: 'talkreel-detect' });
    } catch (err) {
      // Never thrown out of a restart timer: log, and try again later.
      this.opts.logger.error({ err }, 'detection worker could not be started');
      return this.scheduleRestart(false);
    }
    let exited!: () => void;
    this.latest = worker;
    const gen: Generation = { worker, ready: false, backlog: [], exited: new Promise((r) => (exited = r)) };
    this.gen = gen;
    worker.on('message', (m: FromDetectWorker) => this.receive(gen, m));
    worker.on('error', (err) => this.opts.logger.error({ err }, 'detection worker failed'));
    worker.on('messageerror', (err) => this.opts.logger.error({ err }, 'detection worker message unreadable'));
    worker.on('exit', (code) => {
      exited();
      this.exited(gen, code);
    });
    void this.sendSnapshot(gen).catch((err: unknown) => {
      this.opts.logger.error({ err }, 'detection worker: reading the catalogue snapshot failed');
      void gen.worker.terminate();
    });
  }

  /**
   * Events, then talks in chunks, then the commits since. The event loop is serving meanwhile, so
   * talks are read event by event, yielding after each read and each message: one `allTalks()` at
   * 100,000 talks alone stalls it ~100 ms, posting all 2,000 events at once ~50 ms.
   */
  private async sendSnapshot(gen: Generation): Promise<void> {
    const post = (m: ToDetectWorker): void => gen.worker.postMessage(m);
    const pause = () => new Promise((resolve) => setImmediate(resolve));
    const events = await this.opts.store.listEvents();
    for (let i = 0; i < events.length; i += this.chunk) {
      post({ type: 'snapshot-events', events: events.slice(i, i + this.chunk) });
      await pause();
    }
    let batch: Talk[] = [];
    for (const event of events) {
      batch.push(...(await this.opts.store.talksOfEvent(event.id)));
      if (this.gen !== gen) return;
      if (batch.length >= this.chunk) {
        post({ type: 'snapshot-talks', talks: batch });
        batch = [];
      }
      await pause();
    }
    if (this.gen !== gen) return;
    post({ type: 'snapshot-talks', talks: batch });
    post({ type: 'snapshot-end' });
    for (const change of gen.backlog ?? []) post({ type: 'commit', change });
    gen.backlog = undefined;
  }

  /** A store commit: its catalogue records go to the worker, in order (held while its snapshot is sent). */
  private forward(commit: CatalogueChange): void {
    const gen = this.gen;
    if (!gen) return; // between workers: the next one starts from a fresh snapshot
    const change: CatalogueChange = {
      put: { events: commit.put.events, talks: commit.put.talks },
      deleted: { events: commit.deleted.events, talks: commit.deleted.talks },
    };
    if (![change.put.events, change.put.talks, change.deleted.events, change.deleted.talks].some((l) => l?.length))
      return;
    if (gen.backlog) return void gen.backlog.push(change);
    try {
      gen.worker.postMessage({ type: 'commit', change } satisfies ToDetectWorker);
    } catch (err) {
      // Never throw into the store's listener loop; a worker that missed a commit is out of step: restart it.
      this.opts.logger.error({ err }, 'detection worker: a commit could not be forwarded; restarting it');
      void gen.worker.terminate();
    }
  }

  private receive(gen: Generation, message: FromDetectWorker): void {
    if (gen !== this.gen) return;
    switch (message.type) {
      case 'ready': {
        gen.ready = true;
        // Once ready, the thread never keeps the process alive by itself (requests have their timers;
        // `close()` ends it). Until then it must: `started()` may be all the process waits on.
        gen.worker.unref();
        gen.readyAt = performance.now();
        gen.buildMs = message.buildMs;
        this.opts.logger.info({ talks: message.talks, buildMs: message.buildMs }, 'detection worker ready');
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return this.dispatch();
      }
      case 'detected':
      case 'failed': {
        const running = this.running;
        if (running?.request.id !== message.id) return;
        clearTimeout(running.watchdog);
        this.running = undefined;
        if (message.type === 'detected') this.settle(running.request, undefined, [...message.mentions]);
        else {
          this.opts.logger.error({ error: message.message }, 'mention detection failed in the worker');
          this.settle(running.request, new Error(`mention detection failed: ${message.message}`));
        }
        return this.dispatch();
      }
      default: {
        const never: never = message;
        this.opts.logger.error({ message: never }, 'detection worker: unknown message');
      }
    }
  }

  /** Send the next waiting request, if the worker is ready and idle. */
  private dispatch(): void {
    const gen = this.gen;
    if (!gen?.ready || this.running) return;
    let request: Request | undefined;
    do request = this.internal.shift() ?? this.public.shift();
    while (request?.settled);
    if (!request) return;
    const watchdog = setTimeout(() => {
      this.opts.logger.error(
        { deadlineMs: this.deadlineMs },
        'mention detection ran past its deadline; restarting the worker',
      );
      void gen.worker.terminate();
    }, this.deadlineMs);
    this.running = { request, watchdog };
    const { eventId, limit } = request.opts;
    gen.worker.postMessage({
      type: 'detect',
      id: request.id,
      doc: request.doc,
      eventId,
      limit,
    } satisfies ToDetectWorker);
  }

  private exited(gen: Generation, code: number): void {
    if (gen !== this.gen || this.closed) return;
    this.gen = undefined;
    if (this.running) clearTimeout(this.running.watchdog);
    this.opts.logger.warn({ code, ready: gen.ready }, 'detection worker exited; restarting it');
    // The running request may be what killed it: it fails. Waiting internal ones never reached the
    // worker: they run here, as when no worker is ready; waiting public ones fail.
    this.failAll(detectionUnavailable('restarting'), true);
    this.scheduleRestart(gen.readyAt !== undefined && performance.now() - gen.readyAt > HEALTHY_AFTER_MS);
  }

  /** Start a new worker: at once after a healthy run or a first crash, then backing off. */
  private scheduleRestart(healthy: boolean): void {
    this.crashes = healthy ? 1 : this.crashes + 1;
    const delay = this.crashes <= 1 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (this.crashes - 2));
    this.restarts += 1;
    this.restartTimer = setTimeout(() => this.spawn(), delay);
    this.restartTimer.unref();
  }

  private failAll(err: DomainError, internalInThread: boolean): void {
    if (this.running) {
      clearTimeout(this.running.watchdog);
      this.settle(this.running.request, err);
      this.running = undefined;
    }
    for (const request of this.public.splice(0)) this.settle(request, err);
    for (const request of this.internal.splice(0)) {
      if (!internalInThread) this.settle(request, err);
      else if (!request.settled) {
        try {
          this.settle(request, undefined, this.opts.inThread(request.doc, request.opts));
        } catch (e) {
          this.settle(request, e as Error);
        }
      }
    }
  }

  private settle(request: Request, err: Error | undefined, mentions?: Mention[]): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    if (err) request.reject(err);
    else request.resolve(mentions ?? []);
  }
}
