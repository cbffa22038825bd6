/**
 * The only scripts Talkreel's pages load, served from `/assets/…` (same origin, so the CSP can
 * say `script-src 'self'`). Kept as strings so the build needs no bundler; each is a few lines.
 */

/**
 * Pages and the iframe embed: click-to-load players, the recording chooser, and (inside an
 * iframe) the content height posted to the host page (`{type:'talkreel:height', height}`).
 */
export const PAGE_SCRIPT = `(() => {
  document.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('button[data-embed]') : null;
    if (!b) return;
    const f = document.createElement('iframe');
    f.src = b.getAttribute('data-embed');
    f.title = b.getAttribute('data-title') || 'Recording';
    f.allow = 'autoplay; fullscreen; picture-in-picture';
    f.allowFullscreen = true;
    f.referrerPolicy = 'strict-origin-when-cross-origin';
    const box = b.closest('.player');
    box.replaceChildren(f);
    f.focus();
  });
  document.addEventListener('change', (e) => {
    const s = e.target;
    if (!(s instanceof HTMLSelectElement) || !s.hasAttribute('data-choose-recording')) return;
    const scope = s.closest('section, article, li, body');
    for (const el of scope.querySelectorAll('[data-recording]')) el.hidden = el.getAttribute('data-recording') !== s.value;
  });
  if (window.parent !== window) {
    const post = () => window.parent.postMessage({ type: 'talkreel:height', height: document.documentElement.scrollHeight }, '*');
    new ResizeObserver(post).observe(document.documentElement);
    post();
  }
})();
`;
