/**
 * Error and notice pages for browsers: the same status, code and message the JSON envelope
 * carries, in the site frame. Messages may quote request input, so everything is escaped.
 */
import { esc } from './html.ts';
import { sitePage } from './page-layout.ts';

const HEADINGS: Readonly<Record<number, string>> = {
  400: 'That request is not valid',
  401: 'Not authorised',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported content type',
  422: 'Cannot process this',
  429: 'Too many requests',
  500: 'Something went wrong',
  502: 'An upstream server failed',
  503: 'Temporarily unavailable',
};

/** The HTML counterpart of the `{error:{code,message}}` envelope. */
export function renderErrorPage(error: {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}): string {
  const heading = HEADINGS[error.status] ?? (error.status >= 500 ? 'Something went wrong' : 'Request failed');
  const hint =
    error.status === 429
      ? '<p>Please wait a little and try again.</p>\n'
      : error.status >= 500
        ? '<p>Please try again shortly.</p>\n'
        : '';
  return sitePage({
    title: `${heading} (${error.status})`,
    head: '<meta name="robots" content="noindex">\n',
    main: `<h1>${esc(heading)}</h1>
<p>${esc(error.message)}</p>
${hint}<p class="meta">HTTP ${esc(error.status)} · <code>${esc(error.code)}</code></p>
<p><a href="/">Talkreel home</a></p>`,
  });
}

/** A short page for people: a heading, paragraphs of (already escaped) HTML and a way on. */
export function renderNoticePage(opts: {
  readonly title: string;
  readonly paragraphs: readonly string[];
  readonly back?: { readonly href: string; readonly label: string } | undefined;
}): string {
  const back = opts.back ?? { href: '/', label: 'Talkreel home' };
  return sitePage({
    title: opts.title,
    head: '<meta name="robots" content="noindex">\n',
    main: `<h1>${esc(opts.title)}</h1>
${opts.paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
<p><a href="${esc(back.href)}">${esc(back.label)}</a></p>`,
  });
}
