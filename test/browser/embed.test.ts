/**
 * The embed as a blogger uses it, in a real browser: a third-party page on another origin embeds
 * the event's list by script (`<talkreel-list>`) and by iframe; a recording is then published
 * through the API and the widget shows it without a reload. axe-core checks the pages and the embed.
 */
import { expect } from 'chai';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startFakeServer } from '../helpers/fake-server.ts';
import { eventRecord, talkRecord } from '../helpers/catalogue-records.ts';
import { embedSnippets } from '../../src/embed/snippets.ts';
import {
  describeViolations,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  type Browser,
  type Page,
} from '../helpers/browser.ts';

const EV = 'embedconf-2031';

describe('browser: embedding a talk list in a third-party post', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let app: TestApp | undefined;
  let blog: Awaited<ReturnType<typeof startFakeServer>> | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    app = await startApp();
    const store = app.services.store;
    await store.createEvent(eventRecord(EV, 'EmbedConf 2031', { city: 'Ghent', startDate: '2031-04-02' }));
    await store.createTalk(
      talkRecord('embed-keynote', EV, 'Keynote: lists that update <themselves>', 'Ada Example', {
        start: '2031-04-02T09:00:00+02:00',
        room: 'Aula',
      }),
    );
    await store.createTalk(
      talkRecord('embed-second', EV, 'Second talk', 'Bo Example', { start: '2031-04-02T10:00:00+02:00', room: 'Aula' }),
    );
    // The blogger's page: another origin (another port), the script widget and the iframe snippet.
    const snippets = embedSnippets(app.url, { kind: 'event', value: EV });
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My EmbedConf recap</title>
<style>li{color:red!important;font-size:40px}</style></head>
<body><main><h1>My EmbedConf recap</h1><p>The talks were recorded and should be online soon:</p>
<script src="${app.url}/embed.js" data-event="${EV}" data-refresh="1" async></script>
<h2>The same list in an iframe</h2>
${snippets.iframe}
</main></body></html>`;
    blog = await startFakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await blog?.close();
  });

  it('shows "recording pending", then the recording once published, without a reload', async () => {
    await page.goto(`${blog!.url}/recap`);
    const row = page.locator('talkreel-list li[data-talk="embed-keynote"]');
    await row.waitFor();
    expect(await row.getAttribute('data-status')).to.equal('pending');
    expect(await row.textContent()).to.include('Keynote: lists that update <themselves>');
    expect(await row.textContent()).to.match(/pending/i);
    await page.evaluate('window.loadedOnce = true');

    const res = await app!.request('/api/talks/embed-keynote/recordings', {
      method: 'POST',
      admin: true,
      json: { url: 'https://www.youtube.com/watch?v=abcdefghijk' },
    });
    expect(res.status).to.equal(200);

    await page.locator('talkreel-list li[data-talk="embed-keynote"][data-status="published"]').waitFor();
    const link = page.locator('talkreel-list li[data-talk="embed-keynote"] a[href*="youtube.com"]');
    expect(await link.count()).to.be.greaterThan(0);
    expect(await page.evaluate('window.loadedOnce')).to.equal(true);
    // The host page's CSS does not reach into the widget (shadow DOM).
    const color = await page.evaluate(
      `getComputedStyle(document.querySelector('talkreel-list').shadowRoot.querySelector('li[data-talk="embed-keynote"]')).color`,
    );
    expect(color).to.match(/^rgb/);
    expect(color).to.not.equal('rgb(255, 0, 0)');
    // No third-party request before a click: the player is a button, not an iframe.
    expect(await page.locator('talkreel-list iframe').count()).to.equal(0);
  });

  it('the iframe embed resizes itself to its content through the host snippet', async () => {
    const frame = page.locator('iframe[data-talkreel]');
    await frame.waitFor();
    // Set by the host snippet when the embed posts its height.
    await page.waitForFunction("document.querySelector('iframe[data-talkreel]').style.height !== ''");
    const height = parseInt(/height:\s*(\d+)/.exec((await frame.getAttribute('style')) ?? '')?.[1] ?? '', 10);
    expect(height).to.be.greaterThan(50);
    const inside = page.frameLocator('iframe[data-talkreel]');
    expect(await inside.getByText('Second talk').count()).to.be.greaterThan(0);
    await screenshot(page, 'embed.png');
    expect(pageErrors).to.deep.equal([]);
  });

  it('axe-core finds no serious violations on /, the event page, the talk page and the embed', async () => {
    const context = await browser!.newContext({ bypassCSP: true });
    try {
      for (const path of ['/', `/e/${EV}`, '/t/embed-keynote', '/t/embed-second', `/embed/list?event=${EV}`]) {
        const p = await context.newPage();
        await p.goto(`${app!.url}${path}`);
        const violations = await seriousAxeViolations(p);
        expect(violations, `${path}\n${describeViolations(violations)}`).to.deep.equal([]);
        if (path === '/t/embed-keynote') await screenshot(p, 'talk-page.png');
        await p.close();
      }
    } finally {
      await context.close();
    }
  });
});
