import type Router from '@koa/router';
import type { Services } from '../../app/services.ts';
import { defineRoute, type RouteDeps } from '../route.ts';
import { serveAssets } from './assets.ts';
import { ADMIN_SCRIPT_PATH, renderAdminPage } from '../../embed/page-admin.ts';
import { ADMIN_SCRIPT } from '../../embed/admin-script.ts';

const adminAssets = serveAssets([
  { path: ADMIN_SCRIPT_PATH, body: ADMIN_SCRIPT, summary: 'Script of the organiser review page (/admin)' },
]);

/**
 * `/admin`, the organiser's review page: a static shell (no data, no token needed to load it) and
 * its script, which reads the JSON API with the admin token the organiser enters.
 */
export function adminRoutes(services: Services, deps: RouteDeps, router: Router): void {
  const html = renderAdminPage();
  defineRoute(router, deps, {
    method: 'get',
    path: '/admin',
    summary: "The organiser's review page (HTML shell; its script uses the JSON API with the admin token)",
    tags: ['pages'],
    strictQuery: false,
    produces: ['text/html'],
    responses: { 200: 'The page' },
    handler: (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Robots-Tag', 'noindex');
      // The page's URL is of no use to anyone it links to.
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = html;
    },
  });
  adminAssets(services, deps, router);
}
