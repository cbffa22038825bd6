/**
 * The organiser's review page (`/admin`): a static shell with no catalogue data in it. The script
 * (`/assets/admin.js`, see `admin-script.ts`) asks for the admin token, keeps it in
 * `sessionStorage` and fills the sections from the same JSON API everyone uses. Pure: no I/O.
 */
import { esc, htmlDocument } from './html.ts';

/** Path of the page's script; the route serves `ADMIN_SCRIPT` there. */
export const ADMIN_SCRIPT_PATH = '/assets/admin.js';

const ADMIN_CSS = `main{max-width:72rem;margin:0 auto;padding:1rem}
section{margin:1.5rem 0;padding-top:.5rem;border-top:1px solid var(--line)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;color:var(--muted)}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid var(--line)}
button{padding:.25rem .7rem;border-radius:.3rem;border:1px solid var(--line);background:var(--card);color:var(--fg);cursor:pointer}
button[disabled]{cursor:progress}input,select{padding:.25rem .4rem;background:var(--bg);color:var(--fg);border:1px solid var(--muted);border-radius:.3rem}
ul.candidates{list-style:none;margin:0;padding:0}ul.candidates li{margin:.2rem 0}
#errors:empty,#status:empty{border:0;padding:0}
#errors{border:2px solid #b00020;padding:.5rem;border-radius:.3rem}#status{border:1px solid var(--line);padding:.5rem;border-radius:.3rem;background:var(--card)}
.toolbar{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}`;

/** A section of the signed-in view: a heading and the container the script fills. */
const section = (id: string, title: string, intro: string, extra = ''): string =>
  `<section aria-labelledby="${esc(id)}-h">
<h2 id="${esc(id)}-h">${esc(title)}</h2>
<p class="meta">${esc(intro)}</p>
${extra}<div id="${esc(id)}" data-section="${esc(id)}"><p>Loading…</p></div>
</section>`;

/** The `/admin` document: token form, message regions and empty sections. */
export function renderAdminPage(): string {
  const body = `<main>
<h1>Talkreel review</h1>
<div id="errors" role="alert"></div>
<div id="status" role="status" aria-live="polite"></div>
<noscript><p>This page needs JavaScript: it reads the JSON API with your admin token.</p></noscript>
<section id="signin" aria-labelledby="signin-h">
<h2 id="signin-h">Sign in</h2>
<p id="signin-message">Enter the server's admin token (<code>TALKREEL_ADMIN_TOKEN</code>). It is kept in this tab only (session storage) and sent as a bearer header.</p>
<form id="token-form" method="post" action="/admin">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>
</section>
<div id="review" hidden>
<p class="toolbar"><button type="button" id="forget">Forget token</button> <button type="button" id="reload">Reload data</button></p>
${section(
  'unmatched',
  'Unmatched recordings',
  'Recordings no talk was matched to with enough confidence, with their best candidates. Linking one publishes it on that talk.',
  `<p class="toolbar"><label for="event">Event</label> <select id="event" name="event"></select></p>\n`,
)}
${section('links', 'Recent links to review', 'Recordings matched automatically to talks of the selected event, newest first. Unlinking keeps polls from linking them to that talk again.')}
${section('sources', 'Sources', 'Health of the recording sources.')}
${section('blogs', 'Blogs', 'Health of the blogs crawled for recap posts.')}
${section('posts', 'Posts', 'Recap posts and the talks they mention.')}
${section('deliveries', 'Failed deliveries', 'Notifications that gave up; redelivering queues them again now.')}
</div>
</main>
<script src="${ADMIN_SCRIPT_PATH}" defer></script>`;
  return htmlDocument({
    title: 'Talkreel review',
    // No favicon request (the browser would ask for /favicon.ico, a 404).
    head: '<meta name="robots" content="noindex">\n<link rel="icon" href="data:,">\n',
    body,
    css: ADMIN_CSS,
  });
}
