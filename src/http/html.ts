import { parseHttpUrl } from '../text/urls.ts';

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only http(s) URLs may become links; anything else (javascript:, data:) renders as text. */
export function safeHref(url: string | undefined): string | undefined {
  return url ? parseHttpUrl(url)?.toString() : undefined;
}

/** A minimal, script-free HTML document. Every interpolated value must already be escaped. */
export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}h1{line-height:1.2}.meta{color:#555}.status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;background:#eee}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
