/**
 * A talk's permanent page (`/t/<id>`): what the talk is, its recording (click-to-load player,
 * plain links, or why there is none), the recap posts that mention it and a "notify me" form; in
 * the head the machine-readable descriptions (JSON-LD, OpenGraph, Twitter card, oEmbed discovery,
 * Webmention, feeds). Pure.
 */
import type { Event, Talk } from '../catalogue/types.ts';
import type { Post } from '../posts/types.ts';
import { esc, safeUrl } from './html.ts';
import { renderRecordings } from './player.ts';
import { talkView, type TalkView } from './talk-view.ts';
import {
  clockTime,
  feedAlternates,
  feedLinks,
  jsonLd,
  longDay,
  metaTags,
  oembedLinks,
  sitePage,
  statusBadge,
} from './page-layout.ts';

export type RecapPost = Pick<Post, 'url' | 'title' | 'publishedAt' | 'createdAt'>;

/** A one-paragraph description: the abstract cut at about 200 characters, else who and where. */
export function talkDescription(v: TalkView): string {
  const abstract = v.abstract?.replace(/\s+/g, ' ').trim();
  if (abstract) return abstract.length > 200 ? `${abstract.slice(0, 197).replace(/\s+\S*$/, '')}…` : abstract;
  const by = v.speakers.length > 0 ? ` by ${v.speakers.join(', ')}` : '';
  return `A talk${by}${v.eventName ? ` at ${v.eventName}` : ''}.`;
}

/** schema.org description: `VideoObject` once published, the talk as an `Event` (or `CreativeWork`) before. */
export function talkJsonLd(talk: Talk, v: TalkView, event: Event | undefined): Record<string, unknown> {
  const people = v.speakers.map((name) => ({ '@type': 'Person', name }));
  const description = talkDescription(v);
  const state = talk.recording;
  const first = v.recordings[0];
  if (state.status === 'published' && first) {
    return {
      '@context': 'https://schema.org',
      '@type': 'VideoObject',
      name: v.title,
      description,
      uploadDate: state.publishedAt,
      url: v.pageUrl,
      ...(first.embedUrl ? { embedUrl: first.embedUrl } : {}),
      contentUrl: first.mediaUrl ?? first.url,
      ...(first.thumbnailUrl ? { thumbnailUrl: first.thumbnailUrl } : {}),
      ...(v.durationMinutes ? { duration: `PT${v.durationMinutes}M` } : {}),
      ...(people.length > 0 ? { author: people } : {}),
      ...(event ? { recordedAt: { '@type': 'Event', name: event.name } } : {}),
    };
  }
  if (v.start) {
    return {
      '@context': 'https://schema.org',
      '@type': 'Event',
      name: v.title,
      description,
      url: v.pageUrl,
      startDate: v.start,
      ...(v.room ? { location: { '@type': 'Place', name: v.room } } : {}),
      ...(people.length > 0 ? { performer: people } : {}),
      ...(event ? { superEvent: { '@type': 'Event', name: event.name } } : {}),
    };
  }
  return {
    '@context': 'https://schema.org',
    '@type': 'CreativeWork',
    name: v.title,
    description,
    url: v.pageUrl,
    ...(people.length > 0 ? { author: people } : {}),
  };
}

function headTags(talk: Talk, v: TalkView, event: Event | undefined, publicUrl: string): string {
  const description = talkDescription(v);
  const first = v.recordings[0];
  const player = first?.embedUrl;
  const og = metaTags('property', [
    ['og:site_name', 'Talkreel'],
    ['og:type', first ? 'video.other' : 'website'],
    ['og:title', v.title],
    ['og:description', description],
    ['og:url', v.pageUrl],
    ['og:image', first?.thumbnailUrl],
    ['og:video', player ?? first?.mediaUrl],
    ['og:video:type', player ? 'text/html' : undefined],
  ]);
  const twitter = metaTags('name', [
    ['twitter:card', player ? 'player' : 'summary'],
    ['twitter:title', v.title],
    ['twitter:description', description],
    ['twitter:image', first?.thumbnailUrl],
    ['twitter:player', player],
    ['twitter:player:width', player ? '1280' : undefined],
    ['twitter:player:height', player ? '720' : undefined],
  ]);
  return (
    `<link rel="canonical" href="${esc(v.pageUrl)}">\n` +
    metaTags('name', [['description', description]]) +
    og +
    twitter +
    oembedLinks(publicUrl, v.pageUrl, v.title) +
    `<link rel="webmention" href="${esc(`${publicUrl}/webmention`)}">\n` +
    feedAlternates(publicUrl, { kind: 'talk', key: talk.id, label: talk.title }) +
    jsonLd(talkJsonLd(talk, v, event))
  );
}

function recordingSection(v: TalkView): string {
  let body: string;
  switch (v.status) {
    case 'published':
      body = `${renderRecordings(v)}\n<p><a href="${esc(v.watchUrl)}">Permanent watch link</a></p>`;
      break;
    case 'pending':
      body = `<p>${statusBadge(v)} The recording is not published yet. This page shows the player as soon as it is; ask below to be told by email.</p>`;
      break;
    case 'withdrawn':
      body = `<p>${statusBadge(v)} The recording was withdrawn${v.withdrawnReason ? `: ${esc(v.withdrawnReason)}` : ''}.</p>`;
      break;
    case 'not-recorded':
      body = `<p>${statusBadge(v)} This talk was not recorded.</p>`;
      break;
    default: {
      const never: never = v.status;
      throw new Error(`unknown recording status ${String(never)}`);
    }
  }
  return `<section aria-labelledby="recording"><h2 id="recording">Recording</h2>\n${body}\n</section>`;
}

function recapSection(recaps: readonly RecapPost[]): string {
  // Linked, so a post's author who receives our Webmention finds the link back when verifying it.
  const items = [...recaps]
    .sort((a, b) => ((b.publishedAt ?? b.createdAt) < (a.publishedAt ?? a.createdAt) ? -1 : 1))
    .flatMap((p) => {
      const url = safeUrl(p.url);
      return url ? [`<li><a href="${esc(url)}">${esc(p.title ?? url)}</a></li>`] : [];
    });
  if (items.length === 0) return '';
  return `<section aria-labelledby="recaps"><h2 id="recaps">Recap posts</h2>\n<ul>\n${items.join('\n')}\n</ul></section>`;
}

function notifySection(v: TalkView): string {
  if (v.status === 'published') return '';
  return `<section aria-labelledby="notify"><h2 id="notify">Notify me</h2>
<form method="post" action="/subscriptions">
<input type="hidden" name="talk" value="${esc(v.id)}">
<p><label for="notify-email">Email me when the recording is published</label><br>
<input type="email" id="notify-email" name="email" required autocomplete="email" maxlength="254" size="30">
<button type="submit">Notify me</button></p>
<p class="meta">You get one confirmation mail first; every mail has a one-click unsubscribe link.</p>
</form>
</section>`;
}

/** The talk page. Every catalogue value is escaped; nothing third-party loads before a click. */
export function renderTalkPage(
  talk: Talk,
  event: Event | undefined,
  publicUrl: string,
  recaps: readonly RecapPost[] = [],
): string {
  const v = talkView(talk, event, publicUrl);
  const speakers = talk.speakers
    .map((s) => esc(s.name) + (s.affiliation ? ` <span class="meta">(${esc(s.affiliation)})</span>` : ''))
    .join(', ');
  const time = clockTime(v.start);
  const when =
    v.day && v.start
      ? `<time datetime="${esc(v.start)}">${esc(longDay(v.day))}${time ? `, ${esc(time)}` : ''}</time>`
      : undefined;
  const facts = [
    ['Event', event ? `<a href="/e/${encodeURIComponent(event.id)}">${esc(event.name)}</a>` : esc(talk.eventId)],
    ['When', when],
    ['Duration', v.durationMinutes ? `${esc(v.durationMinutes)} minutes` : undefined],
    ['Room', v.room ? esc(v.room) : undefined],
    ['Track', v.track ? esc(v.track) : undefined],
  ].filter((f): f is [string, string] => f[1] !== undefined);
  const main = `<article>
<h1>${esc(v.title)}</h1>
${v.subtitle ? `<p><em>${esc(v.subtitle)}</em></p>\n` : ''}${speakers ? `<p class="speakers">${speakers}</p>\n` : ''}<dl class="meta">
${facts.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join('\n')}
</dl>
${recordingSection(v)}
${v.abstract ? `<section aria-labelledby="abstract"><h2 id="abstract">Abstract</h2><p>${esc(v.abstract)}</p></section>\n` : ''}${recapSection(recaps)}
${notifySection(v)}
${feedLinks(publicUrl, { kind: 'talk', key: talk.id, label: talk.title })}
</article>`;
  return sitePage({
    title: `${talk.title}${event ? ` — ${event.name}` : ''}`,
    head: headTags(talk, v, event, publicUrl),
    main,
    script: v.recordings.length > 0,
  });
}
