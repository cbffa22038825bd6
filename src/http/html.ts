/**
 * Older names of the shared HTML helpers in `src/embed/`, kept for the routes that still use
 * them (the confirmation and unsubscribe pages).
 */
import { esc, safeUrl } from '../embed/html.ts';
import { sitePage } from '../embed/page-layout.ts';

/** Escape text for HTML element content and double-quoted attribute values. */
export const escapeHtml = esc;

/** Only http(s) URLs may become links; anything else (javascript:, data:) renders as text. */
export const safeHref = safeUrl;

/** A page in the site frame. Every interpolated value in `body` and `head` must already be escaped. */
export function page(title: string, body: string, head = ''): string {
  return sitePage({ title, main: body, head });
}
