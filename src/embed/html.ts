/**
 * HTML building blocks shared by the pages, the embeds and oEmbed: escaping (the `entities`
 * library), safe links and the page shell. Everything a title, speaker or post brings is escaped
 * here; nothing from the catalogue reaches markup unescaped.
 */
import { escapeUTF8 } from 'entities';
import { parseHttpUrl } from '../text/urls.ts';

/** Escape text for element content and double-quoted attribute values (`& < > " '`). */
export function esc(value: unknown): string {
  return escapeUTF8(String(value ?? ''));
}

/** Only http(s) URLs may become links or frame sources; anything else (javascript:, data:) is refused. */
export function safeUrl(url: string | undefined): string | undefined {
  return url ? parseHttpUrl(url)?.toString() : undefined;
}

export type Theme = 'light' | 'dark' | 'auto';

/**
 * Colours with WCAG AA contrast in both schemes (text ≥ 7:1, muted ≥ 4.5:1, links ≥ 4.5:1).
 * `auto` follows the reader's `prefers-color-scheme`.
 */
export function themeCss(theme: Theme): string {
  const light =
    '--bg:#ffffff;--fg:#1a1a1a;--muted:#555555;--link:#0b5cad;--card:#f3f4f6;--line:#d0d4da;--accent:#8a3b00';
  const dark =
    '--bg:#121416;--fg:#f2f2f2;--muted:#b8bcc2;--link:#8cc4ff;--card:#1e2226;--line:#3a4048;--accent:#ffb27a';
  if (theme === 'light') return `:root{${light}}`;
  if (theme === 'dark') return `:root{${dark};color-scheme:dark}`;
  return `:root{${light}}@media (prefers-color-scheme: dark){:root{${dark};color-scheme:dark}}`;
}

/** Styles of every page and embed (inline: the CSP allows `style-src 'unsafe-inline'` only for this). */
export const BASE_CSS = `*{box-sizing:border-box}body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:var(--bg);color:var(--fg)}
a{color:var(--link)}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.meta{color:var(--muted)}.status{display:inline-block;padding:0 .5rem;border-radius:.3rem;background:var(--card);border:1px solid var(--line);font-size:.9em}
.status-published{border-color:#1b7f3b}.status-withdrawn{border-color:#b00020}
.player{position:relative;aspect-ratio:16/9;background:linear-gradient(135deg,#1d2b3a,#3b4f66);border-radius:.5rem;display:flex;align-items:center;justify-content:center;overflow:hidden;margin:.5rem 0}
.player iframe{position:absolute;inset:0;width:100%;height:100%;border:0}
.player button{font:inherit;font-size:1.1rem;padding:.6rem 1.1rem;border-radius:2rem;border:2px solid #fff;background:#0b3d6e;color:#fff;cursor:pointer}
.player .poster-title{position:absolute;left:1rem;right:1rem;top:.8rem;color:#fff;font-weight:600;text-shadow:0 1px 2px #000}
.player .notice{position:absolute;left:1rem;right:1rem;bottom:.6rem;color:#f2f2f2;font-size:.8rem}
button,input,select{font:inherit}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

/** A complete HTML document. `body` and `head` must already be escaped. */
export function htmlDocument(opts: {
  readonly title: string;
  readonly body: string;
  readonly head?: string | undefined;
  readonly theme?: Theme | undefined;
  readonly lang?: string | undefined;
  readonly css?: string | undefined;
}): string {
  return `<!doctype html>
<html lang="${esc(opts.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
${opts.head ?? ''}<style>${themeCss(opts.theme ?? 'auto')}${BASE_CSS}${opts.css ?? ''}</style>
</head>
<body>
${opts.body}
</body>
</html>
`;
}
