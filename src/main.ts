import http from 'node:http';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';
import { createServices } from './app/services.ts';
import { createApp } from './http/app.ts';
import { seedIfEmpty } from './seed.ts';
import { StoreCorruptError, StoreLockedError, StoreUnavailableError } from './store/errors.ts';
import { extraRoutes, startJobs, type RunningJobs } from './wiring.ts';

/** Composition root: config → logger → store/services → HTTP → cron jobs → graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`talkreel: ${(err as Error).message}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  }
  const logger = createLogger(config.logLevel);
  logger.info({ instance: config.instanceId, store: config.databaseUrl ? 'postgres' : 'lowdb' }, 'talkreel starting');
  let services;
  try {
    // Serve store reads at once; the indexes build in the background (/health says when they are ready).
    services = await createServices(config, logger, { indexesInBackground: true });
  } catch (err) {
    if (err instanceof StoreCorruptError || err instanceof StoreLockedError || err instanceof StoreUnavailableError) {
      logger.fatal({ err: { message: err.message } }, err.message);
      process.stderr.write(`talkreel: ${err.message}\n`);
      logger.flush();
      // 78 (EX_CONFIG): the configured database cannot be reached; 1: the data directory is unusable.
      process.exit(err instanceof StoreUnavailableError ? 78 : 1);
    }
    throw err;
  }
  const { quarantined } = await services.store.stats();
  if (quarantined > 0)
    logger.warn({ quarantined }, 'records of the wrong shape were set aside (see "quarantine" in db.json and /health)');
  const seed = await seedIfEmpty(services);
  if (seed.seeded) logger.info({ eventId: seed.eventId }, 'seeded demo data');

  const app = createApp(services, extraRoutes);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  // Shutdown is handled before the server listens (a SIGTERM right after the "listening" line
  // must not meet Node's default handler), also while the indexes still build.
  let stopping = false;
  let jobs: RunningJobs | undefined;
  closeWithGrace({ delay: 10_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    stopping = true;
    if (err) logger.error({ err }, 'shutting down after error');
    else logger.info({ signal }, 'shutting down');
    await jobs?.stop();
    // Abort in-flight fetches first: a request waiting on one (a manual poll) can then finish.
    await services.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await services.close();
    logger.info('stopped');
    logger.flush();
  });

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  logger.info(
    {
      port: typeof address === 'object' && address ? address.port : config.port,
      publicUrl: config.publicUrl,
      jobs: config.jobs,
      instance: config.instanceId,
    },
    'talkreel listening',
  );

  // What detects, matches or ranks (Webmention verification, jobs) waits for the indexes.
  await services.indexes.whenReady;
  if (stopping) return;
  const resumed = await services.webmentions.resumePending();
  if (resumed > 0) logger.info({ webmentions: resumed }, 'resumed pending webmention verifications');
  if (!stopping && config.jobs) jobs = startJobs(services);
}

await main();
