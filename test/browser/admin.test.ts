import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../helpers/start-app.ts';
import { HOSTILE_TITLE, seedAdminCatalogue, type AdminSeed } from '../helpers/admin-seed.ts';
import {
  describeViolations,
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  type Browser,
  type BrowserContext,
  type Page,
} from '../helpers/browser.ts';

describe('browser: /admin review page', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let app: TestApp | undefined;
  let seed: AdminSeed;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    app = await startApp();
    seed = await seedAdminCatalogue(app);
    // The page's own CSP stays on here: the script must work under `script-src 'self'`.
    context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const signIn = async (p: Page, token: string): Promise<void> => {
    await p.getByLabel('Admin token').fill(token);
    await p.getByLabel('Admin token').press('Enter');
  };
  const linkButton = (p: Page) => p.getByRole('button', { name: 'Link to “From Segments to Services”' });

  it('asks for the token, then shows the unmatched recording with its candidate, as text', async () => {
    await page.goto(`${app!.url}/admin`);
    expect(await page.getByRole('heading', { level: 1, name: 'Talkreel review' }).isVisible()).to.equal(true);
    expect(await page.getByLabel('Admin token').isVisible()).to.equal(true);
    expect(await page.locator('#review').isHidden()).to.equal(true);

    await signIn(page, ADMIN_TOKEN);
    await linkButton(page).waitFor();
    const row = page.locator('#unmatched tbody tr');
    expect(await row.count()).to.equal(1);
    // the hostile title is shown verbatim, never interpreted
    expect(await row.locator('th a').textContent()).to.equal(HOSTILE_TITLE);
    expect(await page.locator('#unmatched img').count()).to.equal(0);
    expect(await page.evaluate('window.pwned')).to.equal(undefined);
    // the other sections are filled from the API
    await page.locator('#links tbody tr').first().waitFor();
    expect(await page.locator('#links tbody tr th').first().textContent()).to.equal('The Open Cloud <b>Futures</b>');
    expect(await page.locator('#links tbody tr').first().textContent()).to.include('evidence');
    expect(await page.locator('#deliveries').textContent()).to.include('No failed deliveries.');
    await page.locator('#posts tbody tr').first().waitFor();
    expect(await page.locator('#posts tbody tr th').first().textContent()).to.equal(
      'My <script>alert(1)</script> recap',
    );
    await screenshot(page, 'admin.png');
  });

  it('expands a post with the keyboard to list the talks it mentions', async () => {
    const summary = page.locator('#posts summary').first();
    await summary.focus();
    await page.keyboard.press('Enter');
    await page.locator('#posts details .mentions a').first().waitFor();
    expect(await page.locator('#posts details .mentions a').first().textContent()).to.equal(
      'From Segments to Services',
    );
  });

  it('links the candidate in one click: the row disappears, the status says so, the talk is published', async () => {
    await linkButton(page).click();
    await page.getByRole('status').filter({ hasText: 'Linked' }).waitFor();
    expect(await page.getByRole('status').textContent()).to.equal(
      `Linked “${HOSTILE_TITLE}” to “From Segments to Services”.`,
    );
    expect(await page.locator('#unmatched tbody tr').count()).to.equal(0);
    expect(await page.locator('#unmatched').textContent()).to.include('Nothing left to review');
    const talk = await app!.services.store.findTalk(seed.segments);
    expect(talk?.recording.status).to.equal('published');
    expect(talk?.recordings[0]?.match.method).to.equal('manual');
  });

  it('unlinks an automatic link', async () => {
    await page.getByRole('button', { name: /^Unlink .* from “The Open Cloud <b>Futures<\/b>”$/ }).click();
    await page.getByRole('status').filter({ hasText: 'Unlinked' }).waitFor();
    const talk = await app!.services.store.findTalk(seed.cloud);
    expect(talk?.recordings).to.deep.equal([]);
    expect(talk?.rejectedRecordingKeys).to.have.length(1);
  });

  it('keeps the token in sessionStorage across a reload (no cookie, no localStorage); "Forget token" clears it', async () => {
    await page.reload();
    await page.locator('#review').waitFor({ state: 'visible' });
    expect(await page.locator('#signin').isHidden()).to.equal(true);
    const stored = await page.evaluate(
      "({ session: sessionStorage.getItem('talkreel.adminToken'), local: localStorage.length, cookie: document.cookie })",
    );
    expect(stored).to.deep.equal({ session: ADMIN_TOKEN, local: 0, cookie: '' });
    expect(await context.cookies()).to.deep.equal([]);

    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByLabel('Admin token').waitFor({ state: 'visible' });
    expect(await page.locator('#review').isHidden()).to.equal(true);
    expect(await page.evaluate("sessionStorage.getItem('talkreel.adminToken')")).to.equal(null);
    expect(await page.locator('#signin-message').textContent()).to.include('forgotten');
  });

  it('a wrong token (401) is forgotten and the form comes back with a message', async () => {
    await signIn(page, 'not-the-token');
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    expect(await page.getByLabel('Admin token').isVisible()).to.equal(true);
    expect(await page.locator('#review').isHidden()).to.equal(true);
    expect(await page.evaluate("sessionStorage.getItem('talkreel.adminToken')")).to.equal(null);
    expect(await page.locator('#signin-message').textContent()).to.include('wrong admin token');
  });

  it('ran without script errors or CSP violations', () => {
    // the 401 above is logged by chromium as a failed resource load; anything else is a bug
    expect(pageErrors.filter((e) => !/status of 401/.test(e))).to.deep.equal([]);
  });

  it('has no serious or critical axe-core violations, signed out and signed in', async () => {
    // axe is injected, which the page's CSP forbids: a separate context that bypasses it.
    const axeContext = await browser!.newContext({ bypassCSP: true });
    try {
      const p = await axeContext.newPage();
      await p.goto(`${app!.url}/admin`);
      const signedOut = await seriousAxeViolations(p);
      expect(signedOut, describeViolations(signedOut)).to.deep.equal([]);
      await signIn(p, ADMIN_TOKEN);
      await p.locator('#posts tbody tr').first().waitFor();
      await p.locator('#links tbody tr, #links p').first().waitFor();
      await p.locator('#posts summary').first().click();
      await p.locator('#posts details .mentions a').first().waitFor();
      const signedIn = await seriousAxeViolations(p);
      expect(signedIn, describeViolations(signedIn)).to.deep.equal([]);
    } finally {
      await axeContext.close();
    }
  });
});
