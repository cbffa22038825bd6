/**
 * `/embed.js`: the `<talkreel-list>` custom element, for posts that allow scripts. Plain JS kept in
 * a string (no bundler, no framework, a few KB), served by `serveAssets`.
 *
 * - `<script src="…/embed.js" data-event="…" async></script>` inserts `<talkreel-list event="…">`
 *   right after itself (`document.currentScript`, or the `script[src$="/embed.js"]` tags for
 *   async loads); the element can also be written by hand with `event|talks|post|speaker`,
 *   `theme`, `limit`, `compact`, `refresh` (seconds) and `base` (Talkreel's URL) attributes.
 * - It reads `<base>/embed/list.json?…`, revalidating with `If-None-Match` every `refresh`
 *   seconds (60) while the page is visible, doubling the delay up to 15 min while hidden or
 *   failing, and refreshing at once when the page becomes visible again.
 * - Rendering is DOM-only (`textContent`, `setAttribute`), never HTML from data, into a shadow
 *   root, so neither host CSS nor titles can interfere. Rows are kept by talk id and replaced only
 *   when their data changed (a playing video is not interrupted by another talk going live).
 * - Test hooks: `element.refresh()` (a promise of true/false), `<li data-talk data-status>` in
 *   the shadow root, and a `talkreel:update` event after each render.
 */
export const WIDGET_SCRIPT = `(() => {
  const SELECTORS = ['event', 'talks', 'post', 'speaker'];
  const OPTIONS = ['theme', 'limit', 'compact', 'refresh', 'base'];
  const MAX_DELAY = 15 * 60 * 1000;
  const PLAYERS = /^https:\\/\\/(www\\.youtube-nocookie\\.com|player\\.vimeo\\.com|media\\.ccc\\.de)\\//;
  const baseOf = (src) => src.replace(/\\/embed\\.js(?:[?#].*)?$/, '');
  const SCRIPT_TAGS = 'script[src$="/embed.js"], script[src*="/embed.js?"]';
  const self = document.currentScript;
  const first = self || document.querySelector(SCRIPT_TAGS);
  const defaultBase = first && first.src ? baseOf(first.src) : '';
  const httpUrl = (u) => (typeof u === 'string' && /^https?:\\/\\//i.test(u) ? u : null);
  const LIGHT = '--bg:#ffffff;--fg:#1a1a1a;--muted:#555555;--link:#0b5cad;--card:#f3f4f6;--line:#d0d4da;--accent:#8a3b00';
  const DARK = '--bg:#121416;--fg:#f2f2f2;--muted:#b8bcc2;--link:#8cc4ff;--card:#1e2226;--line:#3a4048;--accent:#ffb27a';
  const css = (theme) =>
    (theme === 'dark' ? ':host{' + DARK + '}' : ':host{' + LIGHT + '}' +
      (theme === 'light' ? '' : '@media (prefers-color-scheme: dark){:host{' + DARK + '}}')) +
    ':host{display:block;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);padding:.5rem;border-radius:.4rem}' +
    'h2{font-size:1.05rem;margin:0 0 .4rem}ul{list-style:none;margin:0;padding:0}li{padding:.4rem 0;border-bottom:1px solid var(--line)}li:last-child{border-bottom:0}' +
    'a{color:var(--link)}a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}.t{font-weight:600}.m{color:var(--muted)}' +
    '.s{display:inline-block;padding:0 .4rem;margin-left:.4rem;border:1px solid var(--line);border-radius:.3rem;background:var(--card);font-size:.85em}' +
    'button{font:inherit;font-size:.85em;margin-left:.5rem;padding:0 .6rem;border-radius:1rem;border:1px solid var(--line);background:var(--card);color:var(--fg);cursor:pointer}' +
    '.p{position:relative;aspect-ratio:16/9;margin-top:.4rem}.p iframe{position:absolute;inset:0;width:100%;height:100%;border:0}.c{font-size:.8em;color:var(--muted);margin:.4rem 0 0}';
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
    e.append(...children);
    return e;
  };

  class TalkreelList extends HTMLElement {
    static get observedAttributes() { return [...SELECTORS, ...OPTIONS]; }
    constructor() {
      super();
      this.attachShadow({ mode: 'open' });
      this._etag = null; this._data = null; this._timer = 0; this._delay = 0; this._rows = new Map(); this._seq = 0;
      this._onVisible = () => { if (document.visibilityState === 'visible') this.refresh(); };
    }
    connectedCallback() {
      this._started = true;
      document.addEventListener('visibilitychange', this._onVisible);
      this._render();
      this.refresh();
    }
    disconnectedCallback() {
      this._started = false;
      clearTimeout(this._timer);
      document.removeEventListener('visibilitychange', this._onVisible);
    }
    attributeChangedCallback(name, before, after) {
      // Attributes set before the element is in the page (or while upgrading) are read on connect.
      if (!this._started || !this.isConnected || before === after) return;
      if (name === 'theme' || name === 'compact') { this._rows.clear(); this._render(); return; }
      if (name === 'refresh') return;
      this._etag = null; this._data = null; this._rows.clear();
      this.refresh();
    }
    get base() { return httpUrl(this.getAttribute('base')) || defaultBase || location.origin; }
    get interval() { const s = Number(this.getAttribute('refresh')); return (s > 0 ? s : 60) * 1000; }
    get url() {
      const q = new URLSearchParams();
      for (const a of [...SELECTORS, 'limit']) { const v = this.getAttribute(a); if (v) q.set(a, v); }
      return this.base.replace(/\\/+$/, '') + '/embed/list.json?' + q;
    }
    /** Fetch now (revalidating), render on change, schedule the next check. Resolves to true on success. */
    async refresh() {
      clearTimeout(this._timer);
      const seq = ++this._seq;
      let ok = false;
      try {
        const headers = this._etag ? { 'If-None-Match': this._etag } : {};
        const res = await fetch(this.url, { headers, cache: 'no-store', credentials: 'omit' });
        if (seq !== this._seq) return true;
        if (res.status === 304) ok = true;
        else if (res.ok) {
          const data = await res.json();
          if (seq !== this._seq) return true;
          this._etag = res.headers.get('ETag'); this._data = data; ok = true;
          this._render();
        } else if (!this._data) this._message(res.status === 404 ? 'These talks were not found.' : 'The talk list is unavailable right now.');
      } catch (e) {
        if (!this._data) this._message('The talk list is unavailable right now.');
      }
      const visible = document.visibilityState !== 'hidden';
      this._delay = ok && visible ? this.interval : Math.min(Math.max(this._delay, this.interval) * 2, MAX_DELAY);
      this._timer = setTimeout(() => this.refresh(), this._delay);
      return ok;
    }
    _message(text) {
      this.shadowRoot.replaceChildren(el('style', {}, css(this.getAttribute('theme'))), el('p', { class: 'm', role: 'status' }, text));
    }
    _row(t, compact) {
      const li = el('li', { 'data-talk': String(t.id), 'data-status': String(t.status) });
      const page = httpUrl(t.pageUrl);
      li.append(page ? el('a', { class: 't', href: page, target: '_blank', rel: 'noopener' }, String(t.title)) : el('span', { class: 't' }, String(t.title)));
      if (Array.isArray(t.speakers) && t.speakers.length) li.append(el('span', { class: 'm' }, ' — ' + t.speakers.join(', ')));
      const rec = Array.isArray(t.recordings) ? t.recordings.find((r) => httpUrl(r.url)) : null;
      if (t.status === 'published' && rec) {
        li.append(' ', el('a', { class: 'w', href: rec.url, target: '_blank', rel: 'noopener' }, 'Watch: ' + String(rec.label)));
        if (!compact && typeof rec.embedUrl === 'string' && PLAYERS.test(rec.embedUrl)) {
          const b = el('button', { type: 'button', 'aria-label': 'Play “' + t.title + '” here (loads the player from ' + new URL(rec.embedUrl).host + ')' }, '▶ Play here');
          b.addEventListener('click', () => {
            const f = el('iframe', { src: rec.embedUrl, title: String(t.title), allow: 'autoplay; fullscreen; picture-in-picture', referrerpolicy: 'strict-origin-when-cross-origin' });
            const box = el('div', { class: 'p' }, f);
            b.replaceWith(box);
            f.focus();
          });
          li.append(b);
        }
      } else li.append(el('span', { class: 's' }, String(t.statusLabel || t.status)));
      return li;
    }
    _render() {
      const root = this.shadowRoot;
      const data = this._data;
      if (!data) { if (!root.firstChild) this._message('Loading talks…'); return; }
      const compact = this.hasAttribute('compact') && this.getAttribute('compact') !== 'false' && this.getAttribute('compact') !== '0';
      const talks = Array.isArray(data.talks) ? data.talks : [];
      const rows = new Map();
      const ul = el('ul');
      for (const t of talks) {
        const sig = JSON.stringify(t) + compact;
        const old = this._rows.get(t.id);
        const li = old && old.sig === sig ? old.li : this._row(t, compact);
        rows.set(t.id, { sig, li });
        ul.append(li);
      }
      this._rows = rows;
      const credit = el('p', { class: 'c' }, 'Updated automatically by ', el('a', { href: this.base + '/', target: '_blank', rel: 'noopener' }, 'Talkreel'));
      root.replaceChildren(
        el('style', {}, css(this.getAttribute('theme'))),
        el('h2', {}, String(data.title || 'Talks')),
        talks.length ? ul : el('p', { class: 'm' }, 'No talks to show here yet.'),
        credit,
      );
      this.dispatchEvent(new CustomEvent('talkreel:update', { detail: { talks: talks.length } }));
    }
  }
  if (!customElements.get('talkreel-list')) customElements.define('talkreel-list', TalkreelList);

  const scripts = self ? [self] : document.querySelectorAll(SCRIPT_TAGS);
  for (const s of scripts) {
    if (s.hasAttribute('data-talkreel-done') || !SELECTORS.some((a) => s.hasAttribute('data-' + a))) continue;
    s.setAttribute('data-talkreel-done', '');
    const list = document.createElement('talkreel-list');
    for (const a of [...SELECTORS, ...OPTIONS]) { const v = s.getAttribute('data-' + a); if (v != null) list.setAttribute(a, v); }
    if (!list.hasAttribute('base') && s.src) list.setAttribute('base', baseOf(s.src));
    s.after(list);
  }
})();
`;
