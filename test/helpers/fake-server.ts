import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
export type FakeHandler = (req: FakeRequest, res: http.ServerResponse) => void | Promise<void>;

/** A local HTTP server on an ephemeral port that records every request it receives. */
export async function startFakeServer(
  handler: FakeHandler,
): Promise<{ url: string; requests: FakeRequest[]; setHandler(h: FakeHandler): void; close(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  let current = handler;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: FakeRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      Promise.resolve(current(r, res)).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setHandler(h) {
      current = h;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
