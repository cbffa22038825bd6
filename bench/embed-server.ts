/**
 * Server child of the `embed` benchmark (forked by bench/embed.ts with an IPC channel).
 *
 *   embed-server.ts app  <dataDir>    the real app: createServices over <dataDir>/db.json + createApp(extraRoutes)
 *   embed-server.ts bare <bodyFile>   bare Koa + @koa/router serving the bytes in <bodyFile> (`{body, etag,
 *                                     contentType}`, fetched from the app) with the same headers and 304 rule
 *
 * Listens on 127.0.0.1:0 and sends `{ ready: true, port }` to the parent; exits on SIGTERM or when
 * the parent goes away.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServices } from '../src/app/services.ts';
import { createApp } from '../src/http/app.ts';
import { extraRoutes } from '../src/wiring.ts';
import { notModified } from '../src/http/routes/feeds.ts';
import { EMBED_CSP } from '../src/http/security.ts';
import { childGuards } from './util.ts';

const EMBED_PUBLIC_URL = 'http://talkreel.bench';

/** What the parent hands the bare server: the app's answer to the measured URL. */
export type BareBody = { readonly body: string; readonly etag: string; readonly contentType: string };

async function main(): Promise<void> {
  childGuards();
  const [mode, arg] = process.argv.slice(2);
  if ((mode !== 'app' && mode !== 'bare') || !arg)
    throw new Error('usage: embed-server.ts app <dataDir> | bare <bodyFile>');

  let callback: http.RequestListener;
  let close: () => Promise<void> = async () => undefined;
  if (mode === 'app') {
    const config = loadConfig({
      TALKREEL_DATA_DIR: arg,
      TALKREEL_JOBS: 'off',
      TALKREEL_PUBLIC_URL: EMBED_PUBLIC_URL,
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    const services = await createServices(config, createLogger('silent'));
    callback = createApp(services, extraRoutes).callback();
    close = () => services.close();
  } else {
    const served = JSON.parse(fs.readFileSync(arg, 'utf8')) as BareBody;
    const app = new Koa();
    const router = new Router();
    router.get('/embed/list', (ctx) => {
      ctx.set('Content-Security-Policy', EMBED_CSP);
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('ETag', served.etag);
      ctx.set('Cache-Control', 'public, max-age=60');
      if (notModified(ctx.get('if-none-match'), '', { etag: served.etag, lastModified: undefined })) {
        ctx.status = 304;
        return;
      }
      ctx.type = served.contentType;
      ctx.body = served.body;
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
  process.send?.({ ready: true, port });
}

await main();
