/**
 * `notifyFanout`: one `recording.published` to N webhook subscriptions of one talk (10,000;
 * `--quick` 2,000), on each store adapter.
 *
 * Method
 * - The store holds one event, one talk and N active webhook subscriptions of that talk (loaded
 *   in one bulk write, untimed).
 * - `fanOut`: one `applyRecordings` that publishes the talk and appends its domain event; the
 *   store writes the N deliveries in the same transaction. Reported: wall time until durable,
 *   durable writes it took (1 = one transaction/file write), deliveries stored.
 * - `deliver` (lowdb, the embedded default; and PostgreSQL): the real `Deliverer` at the default
 *   concurrency (16 overall, 4 per host) against a local receiver (node:http on 127.0.0.1, in this
 *   process, answering 204). Every callback URL points at one host, so the per-host limit (4)
 *   bounds it; a second run spreads the N subscriptions over 16 receiver ports (16 hosts) to show
 *   the overall limit. Reported: wall time until every delivery is recorded delivered, requests
 *   received, store writes used to record outcomes, deliveries per second.
 * The receiver does no work, so this measures Talkreel's side (signing, HTTP, recording outcomes).
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Store } from '../src/store/store.ts';
import { openLowdbStore, openMemoryStore, openPostgresStore } from '../src/store/open.ts';
import { createHttpClient } from '../src/platform/http-client.ts';
import { createLogger } from '../src/platform/logger.ts';
import { systemClock } from '../src/platform/clock.ts';
import { Deliverer } from '../src/notify/deliverer.ts';
import { createMailer } from '../src/notify/mailer.ts';
import type { WebhookSubscription } from '../src/notify/types.ts';
import type { Event, Talk } from '../src/catalogue/types.ts';
import { createTestDatabase, stopTestPostgres } from '../test/helpers/postgres.ts';
import { makeTempDir, ms, progress, round, since, type BenchOptions } from './util.ts';

const AT = new Date().toISOString();
const EVENT: Event = { id: 'bench-ev', name: 'Bench Conf', aliases: [], createdAt: AT, updatedAt: AT };
const TALK: Talk = {
  id: 'bench-talk',
  eventId: EVENT.id,
  title: 'The talk everyone waits for',
  aliases: [],
  speakers: [{ name: 'Ada Example' }],
  externalIds: {},
  recording: { status: 'pending' },
  recordings: [],
  createdAt: AT,
  updatedAt: AT,
};

async function receivers(count: number) {
  let received = 0;
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received += 1;
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  return {
    urls: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`),
    received: () => received,
    close: () => Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r))))),
  };
}

function subscriptions(n: number, urls: readonly string[]): WebhookSubscription[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `sub_bench_${i}`,
    channel: 'webhook',
    url: urls[i % urls.length]!,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    filter: { kind: 'talk', key: TALK.id, label: TALK.title },
    types: ['recording.published'],
    status: 'active',
    createdAt: AT,
    updatedAt: AT,
  }));
}

async function publish(store: Store): Promise<{ wallMs: number; writes: number; deliveries: number }> {
  const w0 = (await store.stats()).writes;
  const t0 = performance.now();
  await store.applyRecordings(async (view) => {
    const talk = (await view.findTalk(TALK.id))!;
    const url = 'https://media.ccc.de/v/bench-talk';
    const recording = {
      id: 'rec_bench',
      url,
      provider: 'mediaccc',
      key: 'mediaccc:bench-talk',
      discoveredAt: AT,
      match: { method: 'manual' as const, confidence: 1, evidence: [] },
      primary: true,
    };
    return {
      talks: [{ ...talk, recording: { status: 'published', url, recordingId: recording.id, publishedAt: AT } }],
      domainEvents: [
        {
          id: 'evt_bench_published',
          type: 'recording.published',
          timestamp: AT,
          data: { talkId: talk.id, eventId: talk.eventId, recording },
        },
      ],
      result: undefined,
    };
  });
  const wallMs = since(t0);
  const stats = await store.stats();
  return { wallMs, writes: stats.writes - w0, deliveries: stats.counts.deliveries };
}

async function deliver(store: Store, n: number, expected: () => number): Promise<object> {
  const logger = createLogger('silent');
  const dir = makeTempDir();
  const deliverer = new Deliverer({
    store,
    clock: systemClock,
    logger,
    http: createHttpClient({ timeoutMs: 10_000, maxBytes: 1 << 20, maxRedirects: 0, allowPrivateNetwork: true }),
    mailer: createMailer({ smtpUrl: undefined, from: 'bench@localhost', dataDir: dir.dir, logger }),
    links: { publicUrl: 'http://talkreel.bench' },
    sendWebmention: async () => ({ outcome: 'no-endpoint' }),
    webmentions: false,
    concurrency: 16,
    perHost: 4,
    timeoutMs: 10_000,
  });
  const w0 = (await store.stats()).writes;
  const t0 = performance.now();
  while ((await store.deliveriesWithStatus('delivered')).length < n) {
    const c = await deliverer.runOnce();
    if (c.attempted === 0) throw new Error('nothing left to deliver, yet not all delivered');
  }
  const wallMs = since(t0);
  await deliverer.stop();
  dir.remove();
  return {
    wallMs: ms(wallMs),
    requestsReceived: expected(),
    storeWrites: (await store.stats()).writes - w0,
    perSecond: round(n / (wallMs / 1000), 0),
  };
}

async function runAdapter(
  name: 'memory' | 'lowdb' | 'postgres',
  open: () => Promise<{ store: Store; done: () => Promise<void> }>,
  n: number,
  withDelivery: boolean,
): Promise<object> {
  const out: Record<string, unknown> = {};
  for (const hosts of withDelivery ? [1, 16] : [1]) {
    const recv = await receivers(hosts);
    const { store, done } = await open();
    try {
      await store.load({ events: [EVENT], talks: [TALK], subscriptions: subscriptions(n, recv.urls) });
      progress(`notifyFanout ${name}: fan-out to ${n} subscriptions`);
      const f = await publish(store);
      if (f.deliveries !== n) throw new Error(`${name}: ${f.deliveries} deliveries stored, expected ${n}`);
      if (hosts === 1) out.fanOut = { wallMs: ms(f.wallMs), durableWrites: f.writes, deliveries: f.deliveries };
      if (withDelivery) {
        progress(`notifyFanout ${name}: delivering ${n} to ${hosts} receiver host(s)`);
        out[hosts === 1 ? 'deliverOneHost' : `deliver${hosts}Hosts`] = await deliver(store, n, recv.received);
      }
    } finally {
      await store.close();
      await done();
      await recv.close();
    }
  }
  return out;
}

export async function benchNotifyFanout(opts: BenchOptions): Promise<object> {
  const n = opts.quick ? 2_000 : 10_000;
  const result: Record<string, unknown> = { subscriptions: n, concurrency: { overall: 16, perHost: 4 } };
  result.memory = await runAdapter(
    'memory',
    async () => ({ store: openMemoryStore(), done: async () => {} }),
    n,
    false,
  );
  result.lowdb = await runAdapter(
    'lowdb',
    async () => {
      const dir = makeTempDir();
      return { store: await openLowdbStore({ file: path.join(dir.dir, 'db.json') }), done: async () => dir.remove() };
    },
    n,
    true,
  );
  try {
    result.postgres = await runAdapter(
      'postgres',
      async () => {
        const db = await createTestDatabase();
        return { store: await openPostgresStore(db.url), done: () => db.drop() };
      },
      n,
      true,
    );
  } finally {
    await stopTestPostgres();
  }
  return result;
}
