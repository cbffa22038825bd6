import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Store } from '../store/store.ts';
import { openConfiguredStore } from '../store/open.ts';
import { Catalogue } from '../catalogue/catalogue.ts';
import { CatalogueIndex } from '../search/catalogue-index.ts';
import { importSchedule, type ImportOptions, type ImportReport } from '../schedules/import.ts';
import { createHttpClient, type HttpClient } from '../platform/http-client.ts';
import { RecordingPoller } from '../recordings/poller.ts';
import { SourceService } from '../recordings/service.ts';
import { WebSubService } from '../recordings/websub.ts';
import { MentionIndex } from '../mentions/mention-index.ts';
import { detectMentions } from '../mentions/detect.ts';
import { DetectionWorker } from '../mentions/detection-worker.ts';
import { PostService } from '../posts/service.ts';
import { BlogCrawler } from '../posts/blogs.ts';
import { WebmentionService } from '../webmention/service.ts';
import { SubscriptionService } from '../notify/subscriptions.ts';
import { Deliverer } from '../notify/deliverer.ts';
import { createMailer, type Mailer } from '../notify/mailer.ts';
import type { FilterDeps } from '../notify/filters.ts';
import { sendWebmention } from '../notify/webmention-send.ts';
import { RecordingFeeds } from '../notify/feed-service.ts';
import { EmbedService } from '../embed/embed-service.ts';

/** Everything the HTTP app, the CLI and the jobs use, built once by `createServices`. */
export type Services = {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Store;
  readonly index: CatalogueIndex;
  readonly catalogue: Catalogue;
  readonly http: HttpClient;
  readonly poller: RecordingPoller;
  readonly sources: SourceService;
  readonly websub: WebSubService;
  readonly mentions: MentionIndex;
  /**
   * The search and mention indexes: `ready` once both hold the whole catalogue. Built before
   * `createServices` resolves unless `indexesInBackground` was asked for.
   */
  readonly indexes: { readonly ready: boolean; readonly whenReady: Promise<void> };
  /**
   * The detection worker (`TALKREEL_DETECT_WORKER=on`): public and submitted posts are detected
   * there, off the event loop. Launched once the main thread's indexes are built, not awaited: the
   * server listens while the worker builds its own (~30 s at 100,000 talks); `detector.started()`
   * resolves when it is ready. Undefined when detection runs on the main thread.
   */
  readonly detector: DetectionWorker | undefined;
  readonly posts: PostService;
  readonly blogs: BlogCrawler;
  readonly webmentions: WebmentionService;
  readonly subscriptions: SubscriptionService;
  /** Sends the outbox; started with the jobs (`startJobs`), run by hand with `deliver --once`. */
  readonly deliverer: Deliverer;
  readonly mailer: Mailer;
  /** Embed lists and cards (cached per query until the next commit). */
  readonly embeds: EmbedService;
  /** Atom and JSON feeds of published recordings, and their WebSub publish pings. */
  readonly feeds: RecordingFeeds;
  importSchedule(text: string, opts?: ImportOptions): Promise<ImportReport>;
  /**
   * Abort in-flight work (polls, crawls, verifications, deliveries) and wait for it to settle, in
   * every mode (with TALKREEL_JOBS=off nothing else would stop it). Requests waiting on that work
   * then finish, so the HTTP server can close.
   */
  stop(): Promise<void>;
  /** `stop`, then flush the store and release its lock. */
  close(): Promise<void>;
};

export type ServiceOverrides = {
  readonly clock?: Clock;
  /** Use this store instead of opening `<dataDir>/db.json`. */
  readonly store?: Store;
  /** Open the store without the lock, refusing writes (read-only CLI verbs while a server runs). */
  readonly readOnly?: boolean;
  readonly http?: HttpClient;
  /**
   * Resolve as soon as the store is open and build the indexes in the background (chunks of
   * {@link BACKGROUND_CHUNK} talks between which the event loop runs). The server then answers
   * `/health` and store reads at once; what needs an index waits for `indexes.whenReady`.
   * @default false
   */
  readonly indexesInBackground?: boolean;
  /** Override `config.detectWorker` (the CLI detects one post per process: no worker). */
  readonly detectWorker?: boolean;
};

/** Talks indexed between two turns of the event loop during a background build (~5–15 ms of work on 2 busy cores). */
export const BACKGROUND_CHUNK = 25;

/** The composition of store, index and services over one data directory. */
export async function createServices(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const store =
    overrides.store ??
    (await openConfiguredStore(config, { readOnly: overrides.readOnly, logger: logger.child({ module: 'store' }) }));
  const index = new CatalogueIndex();
  const catalogue = new Catalogue({ store, clock, logger: logger.child({ module: 'catalogue' }) });
  const http =
    overrides.http ??
    createHttpClient({
      timeoutMs: config.fetch.timeoutMs,
      maxBytes: config.fetch.maxBytes,
      maxRedirects: config.fetch.maxRedirects,
      allowPrivateNetwork: config.allowPrivateNetwork,
    });
  // Claimed jobs are leased to this instance under its id (several instances on one PostgreSQL).
  const leases = { owner: config.instanceId, leaseMs: config.leaseMs };
  const poller = new RecordingPoller({
    store,
    http,
    clock,
    logger: logger.child({ module: 'poller' }),
    index: index.talks,
    publicUrl: config.publicUrl,
    leases,
  });
  const sources = new SourceService({ store, clock, http, poller, defaultCron: config.pollCron });
  const mentions = new MentionIndex(config.publicUrl);
  const chunk = overrides.indexesInBackground ? BACKGROUND_CHUNK : Infinity;
  const indexes = { ready: false, whenReady: Promise.resolve() };
  indexes.whenReady = (async () => {
    const started = performance.now();
    await index.follow(store, { yieldEvery: chunk });
    await mentions.follow(store, chunk);
    indexes.ready = true;
    const ms = Math.round(performance.now() - started);
    logger.info({ talks: index.talks.size, ms }, 'indexes ready');
  })();
  if (!overrides.indexesInBackground) await indexes.whenReady;
  // A failed background build is fatal for the instance: it must not serve partial indexes forever.
  else indexes.whenReady.catch((err: unknown) => logger.fatal({ err }, 'index build failed'));
  // Launched once this thread's indexes are built, not beside them: the two builds compete for
  // the CPU (at 100,000 talks, under load, launching first delayed serving 35 s → 85 s), and
  // lookups should not wait for detection. It builds while the server already serves.
  const detector =
    (overrides.detectWorker ?? config.detectWorker)
      ? DetectionWorker.launch({
          store,
          publicUrl: config.publicUrl,
          logger: logger.child({ module: 'detect-worker' }),
          inThread: (doc, opts) => detectMentions(doc, mentions, opts),
          after: indexes.whenReady,
        })
      : undefined;
  const posts = new PostService({
    store,
    clock,
    logger: logger.child({ module: 'posts' }),
    http,
    index: mentions,
    detector,
    publicUrl: config.publicUrl,
    maxPostChars: config.maxPostBytes,
  });
  const blogs = new BlogCrawler({
    store,
    clock,
    logger: logger.child({ module: 'blogs' }),
    http,
    posts,
    defaultCron: config.crawlCron,
    leases,
  });
  const webmentions = new WebmentionService({
    store,
    clock,
    logger: logger.child({ module: 'webmention' }),
    posts,
    index: mentions,
    publicUrl: config.publicUrl,
    leases,
  });
  const filters: FilterDeps = {
    findTalk: (ref) => store.findTalk(ref),
    getEvent: (id) => store.getEvent(id),
    searchTalks: async (query, limit) => store.getTalks(index.search(query, { limit }).map((h) => h.id)),
  };
  const subscriptions = new SubscriptionService({
    store,
    filters,
    clock,
    logger: logger.child({ module: 'subscriptions' }),
    checkUrl: (url) => http.checkUrl(url),
    rates: store,
  });
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    dataDir: config.dataDir,
    logger: logger.child({ module: 'mail' }),
    timeoutMs: config.deliver.timeoutMs,
  });
  const deliverer = new Deliverer({
    store,
    clock,
    logger: logger.child({ module: 'deliver' }),
    http,
    mailer,
    links: { publicUrl: config.publicUrl },
    sendWebmention: (source, target, opts) => sendWebmention(http, source, target, opts),
    webmentions: config.sendWebmentions,
    concurrency: config.deliver.concurrency,
    perHost: config.deliver.perHost,
    timeoutMs: config.deliver.timeoutMs,
    leases,
  });
  const feeds = new RecordingFeeds({
    store,
    searchTalkIds: (query, limit) => index.search(query, { limit }).map((hit) => hit.id),
    publicUrl: config.publicUrl,
    hub: config.websubHub,
  });
  const embeds = new EmbedService({
    store,
    searchTalkIds: (query, limit) => index.search(query, { limit }).map((hit) => hit.id),
    publicUrl: config.publicUrl,
  });
  const stop = async (): Promise<void> => {
    await Promise.all([poller.stop(), blogs.stop(), webmentions.stop(), deliverer.stop()]);
  };
  return {
    config,
    logger,
    clock,
    store,
    index,
    catalogue,
    http,
    poller,
    sources,
    websub: new WebSubService({ poller, secret: config.websubSecret }),
    mentions,
    indexes,
    detector,
    posts,
    blogs,
    webmentions,
    subscriptions,
    deliverer,
    mailer,
    feeds,
    embeds,
    async importSchedule(text, opts) {
      const report = await importSchedule({ store, clock }, text, opts);
      // Recaps that arrived before these talks existed may mention them.
      if (report.created.length > 0 || report.updated.length > 0) await posts.rescanAll();
      return report;
    },
    stop,
    async close() {
      await stop();
      mailer.close();
      await detector?.close();
      feeds.detach();
      embeds.detach();
      // A background build still running would subscribe after the detach below.
      await indexes.whenReady.catch(() => undefined);
      mentions.detach();
      index.detach();
      await store.close();
    },
  };
}
