/**
 * Real-browser tests: playwright-core driving Debian's chromium (`.ci/run` installs it). No
 * browser download: playwright-core only speaks the DevTools protocol to the system binary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Where browser tests leave screenshots (gitignored). */
export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results');

/**
 * Launch chromium for a suite. Call from a mocha `before(function () {…})`: when the binary is
 * missing the suite is skipped with a message saying how to get it, instead of failing.
 */
export async function launchBrowser(ctx: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.warn(`  browser tests skipped: ${CHROMIUM_PATH} is missing (apt-get install chromium; .ci/run does)`);
    ctx.skip();
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export type AxeViolation = {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
};

/**
 * Run axe-core on the page. The page's CSP refuses injected scripts, so the page must come from a
 * context created with `bypassCSP: true`. Answers the violations of impact serious or critical.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation, for assertion messages. */
export const describeViolations = (violations: readonly AxeViolation[]): string =>
  violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');

/** Save a full-page screenshot under `test-results/`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export type { Browser, BrowserContext, Page };
