/**
 * The click-to-load player: a poster (plain CSS, no image from the provider) and a button. No
 * request goes to a third party before the reader clicks; the script (`/assets/talkreel.js`)
 * then swaps in the provider's iframe. Without JavaScript the plain link still works.
 */
import { esc } from './html.ts';
import { providerName, type RecordingView, type TalkView } from './talk-view.ts';

/** Host of the player, named on the poster so the reader knows where the click goes. */
function playerHost(embedUrl: string): string {
  try {
    return new URL(embedUrl).host;
  } catch {
    return 'the provider';
  }
}

/** One recording's poster + button (iframe players) or a native `<video>`/`<audio>` element (files). */
export function renderPlayer(talk: Pick<TalkView, 'title'>, r: RecordingView, opts: { hidden?: boolean } = {}): string {
  const hidden = opts.hidden ? ' hidden' : '';
  if (r.embedUrl) {
    return `<div class="player" data-recording="${esc(r.id)}"${hidden}>
<span class="poster-title" aria-hidden="true">${esc(talk.title)}</span>
<button type="button" data-embed="${esc(r.embedUrl)}" data-title="${esc(`${talk.title} (${providerName(r.provider)})`)}">▶ Play<span class="visually-hidden"> “${esc(talk.title)}”</span></button>
<span class="notice">Loads the player from ${esc(playerHost(r.embedUrl))} when you click.</span>
</div>`;
  }
  if (r.mediaUrl) {
    const audio = /\.(mp3|m4a|ogg|opus|oga)(\?|$)/i.test(r.mediaUrl);
    return `<${audio ? 'audio' : 'video'} controls preload="none" src="${esc(r.mediaUrl)}" data-recording="${esc(r.id)}"${hidden}${audio ? '' : ' style="width:100%"'}></${audio ? 'audio' : 'video'}>`;
  }
  return '';
}

/**
 * Every recording of a talk: the first one's player, a selector for the others (languages,
 * providers) and a plain link to each.
 */
export function renderRecordings(talk: TalkView): string {
  const [first, ...rest] = talk.recordings;
  if (!first) return '';
  const players = talk.recordings.map((r, i) => renderPlayer(talk, r, { hidden: i > 0 })).join('\n');
  const chooser =
    rest.length > 0
      ? `<p><label for="rec-${esc(talk.id)}">Recording:</label> <select id="rec-${esc(talk.id)}" data-choose-recording>${talk.recordings
          .map((r) => `<option value="${esc(r.id)}">${esc(r.label)}</option>`)
          .join('')}</select></p>`
      : '';
  const links = talk.recordings
    .map((r) => `<li><a href="${esc(r.url)}" rel="noopener">Watch on ${esc(r.label)}</a></li>`)
    .join('');
  return `${chooser}${players}\n<ul class="recording-links">${links}</ul>`;
}
