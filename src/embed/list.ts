/**
 * The talk-list embeds, pure (views → string): the framable document (`/embed/list`), the plain
 * fragment for platforms that strip scripts and iframes (`/embed/list.html`), the widget's JSON
 * (`/embed/list.json`), and the single-talk card that oEmbed frames (`/embed/talk/<id>`). Every
 * interpolated value is escaped; headers (ETag, CORS, framing) are the route's business.
 */
import { esc, htmlDocument, type Theme } from './html.ts';
import { renderPlayer } from './player.ts';
import { providerName, statusLabel, type TalkView } from './talk-view.ts';

/** A selected, ordered list of talks and what to call it. */
export type TalkList = {
  /** "Talks: FOSDEM 2024", "Talks by Ada Lovelace", … (plain text). */
  readonly title: string;
  readonly talks: readonly TalkView[];
};

export type ListOptions = {
  /** Colour scheme of the document. @default 'auto' */
  readonly theme?: Theme | undefined;
  /** One line per talk, no players. @default false */
  readonly compact?: boolean | undefined;
  /** Base of links back to Talkreel, without a trailing slash. */
  readonly publicUrl: string;
};

/** Version of the JSON shape served at `/embed/list.json`; bumped on incompatible changes. */
export const LIST_JSON_VERSION = 1;

/** What the widget reads: one entry per talk. */
export type ListJson = {
  readonly version: typeof LIST_JSON_VERSION;
  readonly title: string;
  readonly talks: readonly {
    readonly id: string;
    readonly title: string;
    readonly speakers: readonly string[];
    readonly status: TalkView['status'];
    readonly statusLabel: string;
    readonly pageUrl: string;
    readonly recordings: readonly { readonly url: string; readonly label: string; readonly embedUrl: string | null }[];
  }[];
};

const EMPTY = 'No talks to show here yet.';

const LIST_CSS = `body{padding:.5rem}h1{font-size:1.1rem;margin:0 0 .5rem}ul.talks{list-style:none;margin:0;padding:0}
.talk{padding:.6rem 0;border-bottom:1px solid var(--line)}.talk:last-child{border-bottom:0}
.talk .title{font-weight:600}.talk .speakers{color:var(--muted)}.compact .talk{padding:.25rem 0}
.compact .player{display:none}.recording-links{margin:.25rem 0 0;padding:0;list-style:none}
.recording-links li{display:inline;margin-right:1rem}.credit{font-size:.8rem;color:var(--muted);margin:.5rem 0 0}`;

/** Statuses as readers see them, on a badge. */
function badge(v: TalkView): string {
  return `<span class="status status-${esc(v.status)}">${esc(statusLabel(v))}</span>`;
}

function watchLinks(v: TalkView): string {
  if (v.recordings.length === 0) return '';
  return `<ul class="recording-links">${v.recordings
    .map((r) => `<li><a href="${esc(r.url)}" target="_blank" rel="noopener">Watch: ${esc(r.label)}</a></li>`)
    .join('')}</ul>`;
}

function listItem(v: TalkView, compact: boolean): string {
  const head = `<a class="title" href="${esc(v.pageUrl)}" target="_blank" rel="noopener">${esc(v.title)}</a>${
    v.speakers.length > 0 ? ` <span class="speakers">— ${esc(v.speakers.join(', '))}</span>` : ''
  }`;
  const first = v.recordings[0];
  const body = compact
    ? ` ${first ? `<a href="${esc(first.url)}" target="_blank" rel="noopener">Watch: ${esc(first.label)}</a>` : badge(v)}`
    : `<br>${badge(v)}${first ? `\n${renderPlayer(v, first)}${watchLinks(v)}` : ''}`;
  return `<li class="talk" data-talk="${esc(v.id)}" data-status="${esc(v.status)}">${head}${body}</li>`;
}

/** The framable list: a full document that loads `/assets/talkreel.js` (click-to-load, height to the host). */
export function renderListDocument(list: TalkList, opts: ListOptions): string {
  const compact = opts.compact ?? false;
  const items =
    list.talks.length > 0
      ? `<ul class="talks">\n${list.talks.map((v) => listItem(v, compact)).join('\n')}\n</ul>`
      : `<p class="empty">${EMPTY}</p>`;
  return htmlDocument({
    title: list.title,
    theme: opts.theme,
    css: LIST_CSS,
    head: `<script src="/assets/talkreel.js" defer></script>\n`,
    body: `<main class="${compact ? 'compact' : 'full'}">
<h1>${esc(list.title)}</h1>
${items}
<p class="credit">Updated automatically by <a href="${esc(`${opts.publicUrl}/`)}" target="_blank" rel="noopener">Talkreel</a></p>
</main>`,
  });
}

/**
 * The plain fragment: no document, no script, no iframe, inline styles only, links only — what
 * survives platforms that sanitise posts. It does not update itself; the links always work.
 */
export function renderListFragment(list: TalkList, opts: Pick<ListOptions, 'publicUrl'>): string {
  const items = list.talks.map((v) => {
    const first = v.recordings[0];
    const status = first
      ? `<a href="${esc(first.url)}">Watch: ${esc(first.label)}</a>`
      : `<em>${esc(statusLabel(v))}</em>`;
    const speakers = v.speakers.length > 0 ? ` — ${esc(v.speakers.join(', '))}` : '';
    return `<li style="margin:0 0 .4em 0"><a href="${esc(v.pageUrl)}"><strong>${esc(v.title)}</strong></a>${speakers} · ${status}</li>`;
  });
  const body =
    items.length > 0
      ? `<ul style="list-style:none;margin:0;padding:0">\n${items.join('\n')}\n</ul>`
      : `<p style="margin:0">${EMPTY}</p>`;
  return `<div class="talkreel-list">
<p style="margin:0 0 .4em 0"><strong>${esc(list.title)}</strong></p>
${body}
<p style="margin:.4em 0 0 0;font-size:.8em">List by <a href="${esc(`${opts.publicUrl}/`)}">Talkreel</a></p>
</div>
`;
}

/** The widget's data (`/embed/list.json`). */
export function listJson(list: TalkList): ListJson {
  return {
    version: LIST_JSON_VERSION,
    title: list.title,
    talks: list.talks.map((v) => ({
      id: v.id,
      title: v.title,
      speakers: v.speakers,
      status: v.status,
      statusLabel: statusLabel(v),
      pageUrl: v.pageUrl,
      recordings: v.recordings.map((r) => ({ url: r.url, label: r.label, embedUrl: r.embedUrl ?? null })),
    })),
  };
}

const CARD_CSS = `html,body{height:100%}body{overflow:hidden}.player{margin:0;border-radius:0;height:100%;aspect-ratio:auto}
.card{position:relative;height:100%;display:flex;flex-direction:column;justify-content:center;padding:1rem 1.25rem;background:var(--card)}
.card h1{font-size:1.25rem;margin:0 0 .25rem}.card p{margin:.25rem 0}`;

/**
 * One talk in a 16:9 frame, as oEmbed frames it: the click-to-load player once published, a
 * card saying "recording pending" (or withdrawn, not recorded) before.
 */
export function renderTalkCard(v: TalkView, opts: Pick<ListOptions, 'theme'>): string {
  const first = v.recordings[0];
  const player = first ? renderPlayer(v, first) : '';
  const body = player
    ? `${player}\n<noscript><p><a href="${esc(first!.url)}">Watch on ${esc(providerName(first!.provider))}</a></p></noscript>`
    : `<div class="card">
<h1><a href="${esc(v.pageUrl)}" target="_blank" rel="noopener">${esc(v.title)}</a></h1>
${v.speakers.length > 0 ? `<p class="speakers">${esc(v.speakers.join(', '))}</p>\n` : ''}${v.eventName ? `<p class="meta">${esc(v.eventName)}</p>\n` : ''}<p>${badge(v)}</p>
${v.status === 'pending' ? '<p class="meta">The player appears here once the recording is published.</p>\n' : ''}</div>`;
  return htmlDocument({
    title: v.title,
    theme: opts.theme,
    css: CARD_CSS,
    head: `<script src="/assets/talkreel.js" defer></script>\n`,
    body,
  });
}
