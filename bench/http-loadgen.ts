/**
 * Load-generator child of the `httpTalkById` benchmark (forked by bench/http.ts with an IPC channel),
 * so autocannon never shares an event loop (or a process) with the server it measures.
 *
 * Receives one `LoadJob` message, runs autocannon's programmatic API (one thread, no workers),
 * sends back `{ done: true, result }` and exits.
 *
 * Id rotation: autocannon's `requests` array is a sequence each connection cycles through. Every
 * connection gets the same list of `GET /api/talks/<id>` paths rotated by a different offset, so the
 * connections walk all ids at once without hitting the same id in lockstep.
 */
import autocannon, { type AutocannonRequest, type Client } from 'autocannon';
import { childGuards } from './util.ts';

export type LoadJob = {
  url: string;
  paths: string[];
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Extra request headers (e.g. `If-None-Match` for revalidation runs). @default {} */
  headers?: Record<string, string>;
};

function isJob(m: unknown): m is LoadJob {
  return typeof m === 'object' && m !== null && 'url' in m && 'paths' in m;
}

childGuards();
process.once('message', (m: unknown) => {
  if (!isJob(m)) throw new Error('http-loadgen: unexpected message');
  const requests: AutocannonRequest[] = m.paths.map((p) => ({
    method: 'GET',
    path: p,
    ...(m.headers ? { headers: m.headers } : {}),
  }));
  const step = Math.max(1, Math.floor(requests.length / m.connections));
  let clients = 0;
  const setupClient = (client: Client): void => {
    const offset = (clients++ * step) % requests.length;
    client.setRequests([...requests.slice(offset), ...requests.slice(0, offset)]);
  };
  autocannon({
    url: m.url,
    connections: m.connections,
    duration: m.durationSec,
    requests,
    setupClient,
    ...(m.warmupSec > 0 ? { warmup: { connections: m.connections, duration: m.warmupSec } } : {}),
  }).then(
    (result) => {
      process.send?.({ done: true, result }, () => process.exit(0));
    },
    (err: unknown) => {
      throw err;
    },
  );
});
process.send?.({ listening: true });
