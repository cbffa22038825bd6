import type Router from '@koa/router';
import { createHash } from 'node:crypto';
import type { Services } from '../../app/services.ts';
import { defineRoute, type RouteDeps } from '../route.ts';
import { PAGE_SCRIPT } from '../../embed/assets.ts';

/** A static script: long-lived cache, validated by its hash. */
export type Asset = { readonly path: string; readonly body: string; readonly summary: string };

/** Serve the scripts the pages and embeds load (same origin, so the CSP allows them). */
export function serveAssets(assets: readonly Asset[]) {
  return (_services: Services, deps: RouteDeps, router: Router): void => {
    for (const asset of assets) {
      const etag = `"${createHash('sha256').update(asset.body).digest('base64url').slice(0, 22)}"`;
      defineRoute(router, deps, {
        method: 'get',
        path: asset.path,
        summary: asset.summary,
        tags: ['pages'],
        strictQuery: false,
        produces: ['text/javascript'],
        responses: { 200: 'The script', 304: 'Not modified' },
        handler: (ctx) => {
          ctx.set('ETag', etag);
          ctx.set('Cache-Control', 'public, max-age=300');
          ctx.set('Access-Control-Allow-Origin', '*');
          if (ctx.get('if-none-match') === etag) {
            ctx.status = 304;
            return;
          }
          ctx.type = 'text/javascript; charset=utf-8';
          ctx.body = asset.body;
        },
      });
    }
  };
}

/** `/assets/talkreel.js`: click-to-load players, recording chooser, iframe height. */
export const assetRoutes = serveAssets([
  { path: '/assets/talkreel.js', body: PAGE_SCRIPT, summary: 'Script of the pages and the iframe embed' },
]);
