/**
 * The script of `/admin` (served as `/assets/admin.js`, same origin, so the CSP's
 * `script-src 'self'` allows it). Plain JavaScript, no framework. Every value from the API is
 * untrusted (titles, posts, error messages) and reaches the page only through `textContent`,
 * `setAttribute` on fixed attribute names, and http(s)-checked `href`s: never through markup.
 *
 * The admin token lives in `sessionStorage` (this tab only; never a cookie, never
 * `localStorage`) and goes out as `Authorization: Bearer …`. A 401 forgets it.
 *
 * Kept free of template literals and backslashes so it can sit in a TS template string as is.
 */
export const ADMIN_SCRIPT = String.raw`(() => {
  'use strict';
  const TOKEN_KEY = 'talkreel.adminToken';
  const EVENT_KEY = 'talkreel.adminEvent';
  const $ = (id) => document.getElementById(id);
  const errors = $('errors');
  const status = $('status');
  let token = sessionStorage.getItem(TOKEN_KEY);
  let talkTitles = new Map();

  class Unauthorized extends Error {}

  /** Build an element; strings become text nodes, 'text' sets textContent, 'on' adds listeners. */
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'on') for (const [type, fn] of Object.entries(v)) e.addEventListener(type, fn);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) e.append(c);
    return e;
  }

  /** A link only for http(s) URLs; anything else (javascript:, data:) stays plain text. */
  function link(url, label) {
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'https:' || u.protocol === 'http:';
    } catch (err) {
      ok = false;
    }
    return ok ? el('a', { href: url, rel: 'noopener noreferrer' }, label || url) : el('span', {}, label || url || '');
  }
  const talkLink = (id, title) => el('a', { href: '/t/' + encodeURIComponent(id) }, title || id);
  const when = (iso) => (iso ? String(iso).slice(0, 16).replace('T', ' ') : '—');
  const quote = (s) => '“' + s + '”';

  function table(caption, headers, rows) {
    return el(
      'table',
      {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows),
    );
  }
  /** A row whose first cell is its header (th scope=row). */
  function row(cells, attrs) {
    return el('tr', attrs, cells.map((c, i) => el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, c)));
  }
  const fill = (id, ...content) => $(id).replaceChildren(...content);
  const say = (message) => {
    status.textContent = message;
  };

  async function api(method, path, body) {
    const headers = { accept: 'application/json', authorization: 'Bearer ' + token };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    let data = null;
    if (res.status !== 204) data = await res.json().catch(() => null);
    const error = data && data.error ? data.error : null;
    if (res.status === 401) throw new Unauthorized(error ? error.message : 'the server refused the token');
    if (!res.ok) throw new Error(error ? error.message + ' (' + error.code + ')' : 'HTTP ' + res.status);
    return data;
  }

  function fail(what, err) {
    if (err instanceof Unauthorized) {
      signOut('The server refused the token: ' + err.message + '. Enter it again.');
      return;
    }
    errors.append(el('p', {}, 'Could not ' + what + ': ' + (err && err.message ? err.message : String(err))));
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('review').hidden = true;
    $('signin').hidden = false;
    $('signin-message').textContent = message;
    errors.replaceChildren();
    if (message.startsWith('The server refused')) errors.append(el('p', {}, message));
    $('token').focus();
  }

  function showReview() {
    $('signin').hidden = true;
    $('review').hidden = false;
  }

  /** After a row disappears, keep keyboard focus near where it was. */
  function removeRow(tr, sectionId, emptyText) {
    const next = tr.nextElementSibling || tr.previousElementSibling;
    const tbody = tr.parentNode;
    tr.remove();
    const target = next && next.querySelector('button');
    if (target) target.focus();
    if (tbody && tbody.children.length === 0) {
      fill(sectionId, el('p', {}, emptyText));
      const h = $(sectionId + '-h');
      h.setAttribute('tabindex', '-1');
      h.focus();
    }
  }

  // ---- unmatched recordings and automatic links of the selected event ----

  async function talksOf(eventId) {
    const all = [];
    let cursor = null;
    for (let page = 0; page < 50; page++) {
      const q = '/api/talks?limit=200&event=' + encodeURIComponent(eventId);
      const data = await api('GET', cursor ? q + '&cursor=' + encodeURIComponent(cursor) : q);
      all.push(...data.items);
      cursor = data.nextCursor;
      if (!cursor) break;
    }
    return all;
  }

  async function loadEvents() {
    const data = await api('GET', '/api/events?limit=200');
    const select = $('event');
    const wanted = select.value || sessionStorage.getItem(EVENT_KEY);
    select.replaceChildren(
      ...data.items.map((e) => el('option', { value: e.id }, e.name + (e.startDate ? ' (' + e.startDate + ')' : ''))),
    );
    if (wanted && data.items.some((e) => e.id === wanted)) select.value = wanted;
  }

  async function loadEvent() {
    const eventId = $('event').value;
    if (!eventId) {
      fill('unmatched', el('p', {}, 'No events yet.'));
      fill('links', el('p', {}, 'No events yet.'));
      return;
    }
    const [queue, talks] = await Promise.all([
      api('GET', '/api/events/' + encodeURIComponent(eventId) + '/unmatched'),
      talksOf(eventId),
    ]);
    talkTitles = new Map(talks.map((t) => [t.id, t.title]));
    renderUnmatched(queue.items);
    renderLinks(talks);
  }

  function renderUnmatched(items) {
    if (items.length === 0) return fill('unmatched', el('p', {}, 'Nothing to review: every recording found a talk.'));
    const rows = items.map((u) => {
      const name = u.title || u.url;
      const meta = [u.provider, u.publishedAt ? String(u.publishedAt).slice(0, 10) : ''].filter(Boolean).join(', ');
      const candidates = u.candidates.slice(0, 3).map((c) => {
        const title = talkTitles.get(c.talkId) || c.talkId;
        const button = el('button', { type: 'button' }, 'Link to ' + quote(title));
        button.addEventListener('click', () => linkCandidate(button, tr, u, c.talkId, title));
        const why = 'score ' + Number(c.score).toFixed(2) + (c.evidence.length ? ': ' + c.evidence.join('; ') : '');
        return el('li', {}, button, ' ', el('span', { class: 'meta' }, why));
      });
      const tr = row(
        [
          el('span', {}, link(u.url, name), ' ', el('span', { class: 'meta' }, meta)),
          u.reason,
          candidates.length ? el('ul', { class: 'candidates' }, candidates) : 'No candidate',
        ],
        { 'data-key': u.key },
      );
      return tr;
    });
    fill('unmatched', table('Unmatched recordings of the selected event', ['Recording', 'Why', 'Best candidates'], rows));
  }

  async function linkCandidate(button, tr, u, talkId, title) {
    button.disabled = true;
    try {
      await api('POST', '/api/talks/' + encodeURIComponent(talkId) + '/recordings', { url: u.url });
      say('Linked ' + quote(u.title || u.url) + ' to ' + quote(title) + '.');
      removeRow(tr, 'unmatched', 'Nothing left to review for this event.');
    } catch (err) {
      button.disabled = false;
      fail('link the recording', err);
    }
  }

  function renderLinks(talks) {
    const found = [];
    for (const t of talks) for (const r of t.recordings) if (r.match.method !== 'manual') found.push({ t, r });
    found.sort((a, b) => String(b.r.discoveredAt).localeCompare(String(a.r.discoveredAt)));
    if (found.length === 0) return fill('links', el('p', {}, 'No automatic links for this event.'));
    const rows = found.slice(0, 100).map(({ t, r }) => {
      const label = 'Unlink ' + quote(r.title || r.url) + ' from ' + quote(t.title);
      const button = el('button', { type: 'button', 'aria-label': label }, 'Unlink');
      const tr = row([
        talkLink(t.id, t.title),
        link(r.url, r.title || r.url),
        r.match.method,
        Math.round(Number(r.match.confidence) * 100) + ' %',
        r.match.evidence.join('; '),
        when(r.discoveredAt),
        button,
      ]);
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api('DELETE', '/api/talks/' + encodeURIComponent(t.id) + '/recordings/' + encodeURIComponent(r.id));
          say('Unlinked ' + quote(r.title || r.url) + ' from ' + quote(t.title) + '.');
          removeRow(tr, 'links', 'No automatic links left for this event.');
        } catch (err) {
          button.disabled = false;
          fail('unlink the recording', err);
        }
      });
      return tr;
    });
    const headers = ['Talk', 'Recording', 'Method', 'Confidence', 'Evidence', 'Found', 'Action'];
    fill('links', table('Automatic links, newest first', headers, rows));
  }

  // ---- health, posts, deliveries ----

  const HEALTH = ['Last success', 'Consecutive failures', 'Last error', 'Next poll', 'Items seen / matched'];
  const healthCells = (h) => [
    when(h.lastSuccessAt),
    String(h.consecutiveFailures),
    h.lastError ? when(h.lastError.at) + ': ' + h.lastError.message : '—',
    when(h.nextPollAt),
    h.itemsSeen + ' / ' + h.itemsMatched,
  ];

  async function loadSources() {
    const { items } = await api('GET', '/api/sources');
    if (items.length === 0) return fill('sources', el('p', {}, 'No recording sources yet.'));
    const rows = items.map((s) => row([el('span', {}, s.kind + ' ', link(s.url)), s.eventId, ...healthCells(s.health)]));
    fill('sources', table('Recording sources', ['Source', 'Event', ...HEALTH], rows));
  }

  async function loadBlogs() {
    const { items } = await api('GET', '/api/blogs');
    if (items.length === 0) return fill('blogs', el('p', {}, 'No blogs yet.'));
    const rows = items.map((b) => row([link(b.feedUrl, b.title || b.feedUrl), ...healthCells(b.health)]));
    fill('blogs', table('Blogs crawled for recap posts', ['Blog', ...HEALTH], rows));
  }

  async function titleOf(talkId) {
    if (!talkTitles.has(talkId)) {
      const t = await api('GET', '/api/talks/' + encodeURIComponent(talkId)).catch(() => null);
      talkTitles.set(talkId, t ? t.title : talkId);
    }
    return talkTitles.get(talkId);
  }

  async function loadMentions(details, postId) {
    const post = await api('GET', '/api/posts/' + encodeURIComponent(postId));
    const items = await Promise.all(
      post.mentions.slice(0, 100).map(async (m) => {
        const why = Math.round(Number(m.confidence) * 100) + ' % (' + m.evidence.join(', ') + '): ' + quote(m.snippet);
        return el('li', {}, talkLink(m.talkId, await titleOf(m.talkId)), ' ', el('span', { class: 'meta' }, why));
      }),
    );
    details.querySelector('.mentions').replaceChildren(items.length ? el('ul', {}, items) : 'No talk mentioned.');
  }

  async function loadPosts() {
    const { items } = await api('GET', '/api/posts');
    if (items.length === 0) return fill('posts', el('p', {}, 'No recap posts yet.'));
    const rows = items.map((p) => {
      const n = p.mentions;
      const details = el(
        'details',
        {},
        el('summary', {}, n + (n === 1 ? ' talk' : ' talks')),
        el('div', { class: 'mentions' }, 'Loading…'),
      );
      let loaded = false;
      details.addEventListener('toggle', () => {
        if (!details.open || loaded) return;
        loaded = true;
        loadMentions(details, p.id).catch((err) => {
          loaded = false;
          fail('load the mentions of a post', err);
        });
      });
      const title = p.title || p.url || p.id;
      return row([p.url ? link(p.url, title) : title, p.origin, when(p.publishedAt || p.createdAt), n ? details : '0']);
    });
    fill('posts', table('Recap posts', ['Post', 'Origin', 'Published', 'Mentioned talks'], rows));
  }

  async function loadDeliveries() {
    const { deliveries, total } = await api('GET', '/api/deliveries?status=failed');
    if (deliveries.length === 0) return fill('deliveries', el('p', {}, 'No failed deliveries.'));
    const rows = deliveries.map((d) => {
      const last = d.log.length ? d.log[d.log.length - 1] : null;
      const error = last ? [last.httpStatus ? 'HTTP ' + last.httpStatus : '', last.error || ''].filter(Boolean) : [];
      const button = el('button', { type: 'button', 'aria-label': 'Redeliver ' + d.type + ' to ' + d.target }, 'Redeliver');
      const tr = row([d.type + ' (' + d.channel + ')', d.target, String(d.attempts), error.join(': ') || '—', when(d.updatedAt), button]);
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api('POST', '/api/deliveries/' + encodeURIComponent(d.id) + '/redeliver');
          say('Queued ' + d.type + ' to ' + d.target + ' again.');
          removeRow(tr, 'deliveries', 'No failed deliveries.');
        } catch (err) {
          button.disabled = false;
          fail('redeliver', err);
        }
      });
      return tr;
    });
    const caption = 'Failed deliveries, newest first' + (total > deliveries.length ? ' (' + deliveries.length + ' of ' + total + ')' : '');
    const headers = ['Delivery', 'Target', 'Attempts', 'Last error', 'Updated', 'Action'];
    fill('deliveries', table(caption, headers, rows));
  }

  async function loadAll() {
    errors.replaceChildren();
    showReview();
    // An admin-only read first: a wrong token is caught before anything else is shown.
    try {
      await loadDeliveries();
    } catch (err) {
      fail('load the failed deliveries', err);
      if (err instanceof Unauthorized) return;
    }
    const run = (what, fn) => fn().catch((err) => fail(what, err));
    await Promise.all([
      run('load the events', () => loadEvents().then(loadEvent)),
      run('load the sources', loadSources),
      run('load the blogs', loadBlogs),
      run('load the posts', loadPosts),
    ]);
    if (token) say('Review data loaded.');
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('token').value.trim();
    if (!value) return;
    token = value;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    say('Signed in; loading…');
    loadAll();
  });
  $('forget').addEventListener('click', () => {
    signOut('Token forgotten. Enter it again to continue.');
    say('Token forgotten.');
  });
  $('reload').addEventListener('click', () => loadAll());
  $('event').addEventListener('change', () => {
    sessionStorage.setItem(EVENT_KEY, $('event').value);
    errors.replaceChildren();
    loadEvent().catch((err) => fail('load the event', err));
  });

  if (token) loadAll();
})();
`;
