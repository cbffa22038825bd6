/**
 * An event's page (`/e/<id>`): the event, its talks by day and room with each recording's
 * status, the embed snippets to copy, and its feeds. Pure.
 */
import { embedSnippets } from './snippets.ts';
import type { Event, Talk } from '../catalogue/types.ts';
import { esc } from './html.ts';
import { talkView, type TalkView } from './talk-view.ts';
import {
  clockTime,
  dateRange,
  feedAlternates,
  feedLinks,
  longDay,
  metaTags,
  oembedLinks,
  sitePage,
  statusBadge,
} from './page-layout.ts';

export type TalkGroup = {
  /** `YYYY-MM-DD`, or undefined for talks without a slot. */
  readonly day: string | undefined;
  readonly rooms: readonly { readonly room: string | undefined; readonly talks: readonly TalkView[] }[];
};

/** Unscheduled (no day, no room) sorts after everything else. */
const compareOptional = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1;

/** Talks grouped by day, then room (both in order), each room's talks by start time then title. */
export function groupTalks(talks: readonly TalkView[]): TalkGroup[] {
  const days = new Map<string | undefined, Map<string | undefined, TalkView[]>>();
  for (const t of talks) {
    const rooms = days.get(t.day) ?? new Map<string | undefined, TalkView[]>();
    days.set(t.day, rooms);
    const list = rooms.get(t.room) ?? [];
    rooms.set(t.room, list);
    list.push(t);
  }
  return [...days.entries()]
    .sort(([a], [b]) => compareOptional(a, b))
    .map(([day, rooms]) => ({
      day,
      rooms: [...rooms.entries()]
        .sort(([a], [b]) => compareOptional(a, b))
        .map(([room, list]) => ({
          room,
          talks: [...list].sort(
            (a, b) => compareOptional(a.start, b.start) || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0),
          ),
        })),
    }));
}

function talkItem(v: TalkView): string {
  const time = clockTime(v.start);
  const speakers = v.speakers.length > 0 ? ` — ${esc(v.speakers.join(', '))}` : '';
  return `<li>${time ? `<time datetime="${esc(v.start)}">${esc(time)}</time> ` : ''}<a href="/t/${encodeURIComponent(v.id)}">${esc(v.title)}</a>${speakers} ${statusBadge(v)}</li>`;
}

function talksSection(views: readonly TalkView[]): string {
  if (views.length === 0) return '<p>No talks yet.</p>';
  return groupTalks(views)
    .map(
      (g) =>
        `<section><h3>${esc(g.day ? longDay(g.day) : 'Not scheduled')}</h3>\n${g.rooms
          .map(
            (r) =>
              `<h4>${esc(r.room ?? 'No room given')}</h4>\n<ul class="talks">\n${r.talks.map(talkItem).join('\n')}\n</ul>`,
          )
          .join('\n')}\n</section>`,
    )
    .join('\n');
}

/** The event page. Every catalogue value is escaped (also inside the snippets, which are shown as text). */
export function renderEventPage(event: Event, talks: readonly Talk[], publicUrl: string): string {
  const views = talks.map((t) => talkView(t, event, publicUrl));
  const pageUrl = `${publicUrl}/e/${encodeURIComponent(event.id)}`;
  const filter = { kind: 'event', key: event.id, label: event.name } as const;
  const when = dateRange(event.startDate, event.endDate);
  const where = [event.city, when].filter(Boolean).join(' · ');
  const published = views.filter((v) => v.status === 'published').length;
  const description = `${event.name}${where ? ` (${where})` : ''}: ${views.length} talks, ${published} recordings published.`;
  const snippets = embedSnippets(publicUrl, { kind: 'event', value: event.id });
  const head =
    `<link rel="canonical" href="${esc(pageUrl)}">\n` +
    metaTags('name', [['description', description]]) +
    metaTags('property', [
      ['og:site_name', 'Talkreel'],
      ['og:type', 'website'],
      ['og:title', event.name],
      ['og:description', description],
      ['og:url', pageUrl],
    ]) +
    metaTags('name', [
      ['twitter:card', 'summary'],
      ['twitter:title', event.name],
      ['twitter:description', description],
    ]) +
    oembedLinks(publicUrl, pageUrl, event.name) +
    `<link rel="webmention" href="${esc(`${publicUrl}/webmention`)}">\n` +
    feedAlternates(publicUrl, filter);
  const external = event.url ? `<p><a href="${esc(event.url)}" rel="noopener">Event website</a></p>\n` : '';
  const main = `<h1>${esc(event.name)}</h1>
${where ? `<p class="meta">${esc(where)}</p>\n` : ''}${external}<p>${esc(views.length)} talks, ${esc(published)} with a published recording.</p>
<section aria-labelledby="talks"><h2 id="talks">Talks</h2>
${talksSection(views)}
</section>
<section aria-labelledby="embed"><h2 id="embed">Embed this list</h2>
<p>Paste one of these into a post: the list shows “recording pending” until a video appears, then the player, without you editing the post again.</p>
<p><label for="snippet-iframe">Iframe (works almost everywhere; resizes itself)</label></p>
<textarea id="snippet-iframe" readonly rows="9">${esc(snippets.iframe)}</textarea>
<p><label for="snippet-script">Script (a self-updating list in the page)</label></p>
<textarea id="snippet-script" readonly rows="2">${esc(snippets.script)}</textarea>
</section>
<section aria-labelledby="feeds"><h2 id="feeds">Feeds</h2>
${feedLinks(publicUrl, filter)}
</section>`;
  return sitePage({ title: event.name, head, main });
}
