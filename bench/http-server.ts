/**
 * Server child of the `httpTalkById` benchmark (forked by bench/http.ts with an IPC channel).
 *
 *   http-server.ts app  <dataDir> [on|off]   the real app: createServices over <dataDir>/db.json + createApp(extraRoutes);
 *                                            the third argument is TALKREEL_DETECT_WORKER (default on)
 *   http-server.ts bare <dataDir>   bare Koa + @koa/router serving the same talk DTOs, precomputed in a Map
 *
 * Listens on 127.0.0.1:0 and sends `{ ready: true, port, talks }` to the parent; exits when the
 * parent sends SIGTERM or goes away.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { createApp } from '../src/http/app.ts';
import { extraRoutes } from '../src/wiring.ts';
import { openLowdbStore, openMemoryStore } from '../src/store/open.ts';
import { talkDto } from '../src/http/dto.ts';
import { childGuards } from './util.ts';

const PUBLIC_URL = 'http://talkreel.bench';

async function main(): Promise<void> {
  childGuards();
  const [mode, dataDir, detectWorker = 'on'] = process.argv.slice(2);
  if ((mode !== 'app' && mode !== 'bare') || !dataDir) throw new Error('usage: http-server.ts app|bare <dataDir>');

  let callback: http.RequestListener;
  let talks: number;
  let close: () => Promise<void> = async () => undefined;
  if (mode === 'app') {
    const config = loadConfig({
      TALKREEL_DATA_DIR: dataDir,
      TALKREEL_JOBS: 'off',
      TALKREEL_PUBLIC_URL: PUBLIC_URL,
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      TALKREEL_DETECT_WORKER: detectWorker,
    });
    const services = await createServices(config, createLogger('silent'));
    await services.detector?.started();
    talks = (await services.store.stats()).counts.talks;
    callback = createApp(services, extraRoutes).callback();
    close = () => services.close();
  } else {
    // Same records, read once (read-only, no lock), turned into the same DTOs the app returns.
    const store = await openLowdbStore({ file: path.join(dataDir, 'db.json'), readOnly: true });
    const dtos = new Map<string, ReturnType<typeof talkDto>>();
    for (const talk of await store.allTalks()) dtos.set(talk.id, talkDto(talk, PUBLIC_URL));
    await store.close();
    talks = dtos.size;
    const app = new Koa();
    const router = new Router();
    router.get('/api/talks/:id', (ctx) => {
      const dto = dtos.get(ctx.params.id ?? '');
      if (dto === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'TALK_NOT_FOUND', message: 'talk not found', details: null } };
        return;
      }
      ctx.body = dto;
    });
    app.use(router.routes()).use(router.allowedMethods());
    callback = app.callback();
  }

  const server = http.createServer(callback);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.removeAllListeners('SIGTERM');
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void close().finally(() => process.exit(0)));
  });
  process.send?.({ ready: true, port, talks });
}

await main();
