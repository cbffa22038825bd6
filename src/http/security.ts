/**
 * Security headers of every answer. Pages may run only Talkreel's own scripts, frame only the
 * video players they embed after a click, and may not be framed themselves; embed routes
 * (`/embed/…`, `/oembed`) may be framed by anyone (`frame-ancestors *`).
 */
import type { Context } from 'koa';

/** Players loaded (after a click) in iframes. */
export const PLAYER_ORIGINS = ['https://www.youtube-nocookie.com', 'https://player.vimeo.com', 'https://media.ccc.de'];

const policy = (frameAncestors: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    "img-src 'self' data: https:",
    'media-src https:',
    `frame-src ${PLAYER_ORIGINS.join(' ')}`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');

export const PAGE_CSP = policy("'none'");
export const EMBED_CSP = policy('*');

/** Defaults for every answer; embed routes call `allowFraming`. */
export function setSecurityHeaders(ctx: Context): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
}

/** An embed: any site may frame it, and any origin may read it (CORS). */
export function allowFraming(ctx: Context): void {
  ctx.set('Content-Security-Policy', EMBED_CSP);
  ctx.set('Access-Control-Allow-Origin', '*');
}
