/**
 * The home page (`/`): what Talkreel is, a search form that works without JavaScript
 * (`GET /?q=`), the events and the latest published recordings. Pure; the two lists are rendered
 * once per store commit by the route (`renderHomeLists`), the search results per request.
 */
import type { Event, Talk } from '../catalogue/types.ts';
import { esc } from './html.ts';
import { talkView } from './talk-view.ts';
import { dateRange, metaTags, sitePage, statusBadge } from './page-layout.ts';

/** A search hit as the page shows it. */
export type HomeSearchHit = { readonly talk: Talk; readonly event: Event | undefined };

/** How many recordings "Latest recordings" lists. */
export const LATEST_RECORDINGS = 10;

/** The published talks, newest recording first (ties by id), at most `limit`. */
export function latestPublished(talks: readonly Talk[], limit = LATEST_RECORDINGS): Talk[] {
  const at = (t: Talk) => (t.recording.status === 'published' ? t.recording.publishedAt : '');
  return talks
    .filter((t) => t.recording.status === 'published')
    .sort((a, b) => (at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

function talkLine(talk: Talk, event: Event | undefined, publicUrl: string, extra = ''): string {
  const v = talkView(talk, event, publicUrl);
  const speakers = v.speakers.length > 0 ? ` — ${esc(v.speakers.join(', '))}` : '';
  const at = event
    ? ` <span class="meta">· <a href="/e/${encodeURIComponent(event.id)}">${esc(event.name)}</a></span>`
    : '';
  return `<li><a href="/t/${encodeURIComponent(talk.id)}">${esc(talk.title)}</a>${speakers}${at} ${statusBadge(v)}${extra}</li>`;
}

/** The events and latest recordings sections (the part of `/` that changes only with the store). */
export function renderHomeLists(events: readonly Event[], published: readonly Talk[], publicUrl: string): string {
  const byId = new Map(events.map((e) => [e.id, e]));
  const latest = latestPublished(published);
  const latestHtml =
    latest.length === 0
      ? '<p>No recordings published yet.</p>'
      : `<ul class="talks">\n${latest
          .map((t) => {
            const at = t.recording.status === 'published' ? t.recording.publishedAt : undefined;
            const when = at
              ? ` <span class="meta">· published <time datetime="${esc(at)}">${esc(at.slice(0, 10))}</time></span>`
              : '';
            return talkLine(t, byId.get(t.eventId), publicUrl, when);
          })
          .join('\n')}\n</ul>`;
  const sorted = [...events].sort(
    (a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || a.name.localeCompare(b.name),
  );
  const eventsHtml =
    sorted.length === 0
      ? '<p>No events yet.</p>'
      : `<ul class="talks">\n${sorted
          .map((e) => {
            const meta = [e.city, dateRange(e.startDate, e.endDate)].filter(Boolean).join(' · ');
            return `<li><a href="/e/${encodeURIComponent(e.id)}">${esc(e.name)}</a>${meta ? ` <span class="meta">${esc(meta)}</span>` : ''}</li>`;
          })
          .join('\n')}\n</ul>`;
  return `<section aria-labelledby="latest"><h2 id="latest">Latest recordings</h2>
${latestHtml}
</section>
<section aria-labelledby="events"><h2 id="events">Events</h2>
${eventsHtml}
</section>`;
}

/** The home page around the (cached) lists; `query` and `hits` when a search was made. */
export function renderHomePage(opts: {
  readonly publicUrl: string;
  readonly lists: string;
  readonly query?: string | undefined;
  readonly hits?: readonly HomeSearchHit[] | undefined;
}): string {
  const q = opts.query?.trim() ?? '';
  const results =
    q === ''
      ? ''
      : `<section aria-labelledby="results"><h3 id="results">Results for “${esc(q)}”</h3>
${
  opts.hits && opts.hits.length > 0
    ? `<ul class="talks">\n${opts.hits.map((h) => talkLine(h.talk, h.event, opts.publicUrl)).join('\n')}\n</ul>`
    : '<p>No talk matches. Try a speaker’s surname, a word of the title or the event.</p>'
}
</section>`;
  const description =
    'Talkreel finds the recording of a conference talk: search by speaker, title or event, watch it, or be told when it is published.';
  return sitePage({
    title: q ? `“${q}” — Talkreel` : 'Talkreel — conference talks and their recordings',
    head:
      `<link rel="canonical" href="${esc(`${opts.publicUrl}/`)}">\n` +
      metaTags('name', [['description', description]]) +
      metaTags('property', [
        ['og:site_name', 'Talkreel'],
        ['og:type', 'website'],
        ['og:title', 'Talkreel'],
        ['og:description', description],
        ['og:url', `${opts.publicUrl}/`],
      ]) +
      (q ? '<meta name="robots" content="noindex">\n' : ''),
    main: `<h1>Talkreel</h1>
<p>Talkreel keeps conference talks and their recordings together: every talk has a permanent page that shows the video once it is published, and the recap posts that mention it. Search for a talk below, follow an event’s feed, or embed a list of talks in your own post that updates itself as recordings appear.</p>
<section aria-labelledby="search"><h2 id="search">Search talks</h2>
<form method="get" action="/" role="search">
<p><label for="q">Speaker, title or event (typos are fine)</label><br>
<input type="search" id="q" name="q" value="${esc(q)}" maxlength="200" size="40">
<button type="submit">Search</button></p>
</form>
${results}
</section>
${opts.lists}`,
  });
}
