import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createServices, type Services } from '../../src/app/services.ts';
import { createApp } from '../../src/http/app.ts';
import { extraRoutes } from '../../src/wiring.ts';
import type { Clock } from '../../src/platform/clock.ts';

export const ADMIN_TOKEN = 'test-admin-token';

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'talkreel-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function testEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    TALKREEL_DATA_DIR: dataDir,
    TALKREEL_ADMIN_TOKEN: ADMIN_TOKEN,
    TALKREEL_ALLOW_PRIVATE_NETWORK: 'on',
    TALKREEL_JOBS: 'off',
    TALKREEL_PUBLIC_URL: 'http://talkreel.test',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export type TestApp = {
  readonly url: string;
  readonly services: Services;
  readonly dataDir: string;
  /** fetch against the app, JSON by default. */
  request(pathname: string, init?: RequestInit & { json?: unknown; admin?: boolean }): Promise<Response>;
  close(): Promise<void>;
};

/** The real app over a real lowdb file in a temp dir, listening on an ephemeral port. */
export async function startApp(
  opts: { env?: Record<string, string>; clock?: Clock; dataDir?: string } = {},
): Promise<TestApp> {
  const tmp = opts.dataDir ? undefined : tempDir();
  const dataDir = opts.dataDir ?? tmp!.dir;
  const config = loadConfig(testEnv(dataDir, opts.env));
  const services = await createServices(config, createLogger('silent'), opts.clock ? { clock: opts.clock } : {});
  // Tests detect right away: wait for the detection worker (a server answers 503 meanwhile).
  await services.detector?.started();
  const app = createApp(services, extraRoutes);
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    services,
    dataDir,
    request(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (init.admin) headers.set('authorization', `Bearer ${ADMIN_TOKEN}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      if (!headers.has('accept')) headers.set('accept', 'application/json');
      return fetch(url + pathname, { ...init, headers, body, redirect: 'manual' });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      tmp?.cleanup();
    },
  };
}
