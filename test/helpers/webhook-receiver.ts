import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type Received = {
  readonly id: string;
  readonly type: string;
  readonly body: { type: string; timestamp: string; data: Record<string, any> };
  readonly headers: http.IncomingHttpHeaders;
};

/** How the receiver answers the next request: a status (+headers), or a fault. */
export type Behaviour =
  { status: number; headers?: Record<string, string> } | { hang: true } | { closeConnection: true };

/**
 * A webhook receiver on 127.0.0.1 that checks every request with the `standardwebhooks` library,
 * exactly as a real receiver would; unsigned or badly signed requests are counted in `rejected`.
 * Answers follow `behave` (a queue; when empty, 204).
 */
export async function startWebhookReceiver() {
  let secret: string | undefined;
  const received: Received[] = [];
  const rejected: string[] = [];
  const queue: Behaviour[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const behaviour = queue.shift() ?? { status: 204 };
      try {
        const body = new Webhook(secret!).verify(raw, req.headers as Record<string, string>) as Received['body'];
        received.push({ id: String(req.headers['webhook-id']), type: body.type, body, headers: req.headers });
      } catch (err) {
        rejected.push((err as Error).message);
      }
      for (const w of waiters.filter((w) => received.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if ('hang' in behaviour) return;
      if ('closeConnection' in behaviour) {
        req.socket.destroy();
        return;
      }
      res.writeHead(behaviour.status, behaviour.headers);
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    rejected,
    /** The subscription's secret, from the 201 answer. */
    useSecret(s: string) {
      secret = s;
    },
    behave(...b: Behaviour[]) {
      queue.push(...b);
    },
    /** Resolves once `n` verified requests arrived. */
    waitFor(n: number): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
