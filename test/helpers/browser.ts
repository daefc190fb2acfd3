// Headless Debian Chromium through playwright-core, with every request off this machine blocked (and recorded),
// and axe-core for accessibility checks.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { axeScriptUrl } from './axe-script.ts';

const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/**
 * axe's WCAG 2.x A and AA rules and its best practices. resultTypes: every rule runs on every node, but only violations
 * get a selector for each node they found (passes and the rest one each): 10–25% less a run on the citizen pages measured.
 */
const AXE_RUN_OPTIONS = {
  resultTypes: ['violations'],
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
};

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  // Nothing but this machine resolves: a page that reaches for another host fails at once, and `newPage` records it.
  // (Blocking by request interception instead paused every request for a round trip to the test process.)
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/**
 * Debian's Chromium headless shell (package chromium-headless-shell) where it is installed, else Debian's Chromium.
 * Both are the same Blink and V8, and the shell is what Playwright itself runs for headless tests. Why prefer it: the full
 * browser's headless mode opens a whole window (tab strip and all, rendered by its own process) for every context, and
 * the library walk's 600 pages cost its browser process about as much CPU as the pages themselves (the walk alone: 540
 * CPU-seconds in the full browser, 295 in the shell). CHROMIUM_PATH chooses another.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface GuardedPage {
  page: Page;
  context: BrowserContext;
  /** URLs the page tried to load from anywhere but this machine. */
  blocked: string[];
  /** Console errors, including Content-Security-Policy violations. */
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function newPage(browser: Browser, options: { javaScriptEnabled?: boolean; bypassCSP?: boolean } = {}): Promise<GuardedPage> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true, bypassCSP: options.bypassCSP ?? false });
  const blocked: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (!isThisMachine(url)) blocked.push(url.href);
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  return { page, context, blocked, consoleErrors, close: () => context.close() };
}

function isThisMachine(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || ['data:', 'blob:', 'about:'].includes(url.protocol);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.x A and AA rules) in a separate context that may inject it without breaking our CSP. */
export async function runAxe(browser: Browser, url: string, options: { javaScriptEnabled?: boolean } = {}): Promise<AxeViolation[]> {
  const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
  try {
    const page = await context.newPage();
    await page.goto(url);
    if (options.javaScriptEnabled === false) await page.evaluate(() => document.body.classList.remove('js-enabled', 'govuk-frontend-supported'));
    return await axeOnPage(page);
  } finally {
    await context.close();
  }
}

/**
 * Runs axe-core in an open page (its context must bypass CSP so axe can be injected). The page is measured as it is laid
 * out: a shared checker page (axeChecker) would lay out a copy of its HTML, and under CI's load its fonts and sizes did
 * not always match the page's, so the header's targets measured a pixel apart.
 */
export async function axeOnPage(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ url: await axeScriptUrl() });
  const result = await page.evaluate(async (options) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, options);
  }, AXE_RUN_OPTIONS);
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

/**
 * Opens each of `urls` under the hub's real Content-Security-Policy, with `from`'s cookies (a signed-in session), and
 * asserts nothing was loaded from outside and no CSP violation or script error reached the console.
 */
export async function assertCleanUnderCsp(browser: Browser, from: BrowserContext, urls: string[], options: { javaScriptEnabled: boolean }): Promise<void> {
  const strict = await newPage(browser, { javaScriptEnabled: options.javaScriptEnabled });
  try {
    await strict.context.addCookies(await from.cookies());
    for (const url of urls) {
      await strict.page.goto(url);
      await strict.page.waitForLoadState('networkidle');
    }
    assert.deepEqual(strict.blocked, []);
    assert.deepEqual(strict.consoleErrors, [], 'no CSP violation or script error');
  } finally {
    await strict.close();
  }
}

/** axe loaded once in a page of its own, then run on the HTML of one page after another (see axeChecker). */
export interface AxeChecker {
  /** axe's violations on `html` (a page's DOM as it is now, scripts taken out: they have run where it came from). One
   * page at a time: calls wait their turn (axe refuses two runs at once, and it is all CPU). */
  violations(html: string): Promise<AxeViolation[]>;
  close(): Promise<void>;
}

/**
 * For checking many pages fast: no page load, and axe loaded once (even from its address, it cost 40 ms a page). The
 * HTML is written over this page's document (document.open keeps the window, and axe in it); its stylesheets come from
 * `origin`.
 */
export async function axeChecker(browser: Browser, origin: string): Promise<AxeChecker> {
  const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.addScriptTag({ url: await axeScriptUrl() });
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (html: string): Promise<AxeViolation[]> => {
    const result = await page.evaluate(
      async ({ html, options }) => {
        document.open();
        document.write(html);
        document.close();
        if (document.readyState !== 'complete') await new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
        // The page's own fonts, as its reader sees them: a fallback font's sizes would change what axe measures.
        await document.fonts.ready;
        const axe = (window as unknown as { axe?: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
        if (!axe) throw new Error('axe is gone from the page');
        return axe.run(document, options);
      },
      { html: html.replace(/<script\b[\s\S]*?<\/script>/gi, ''), options: AXE_RUN_OPTIONS },
    );
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  };
  return {
    violations(html) {
      const turn = queue.catch(() => undefined).then(() => run(html));
      queue = turn;
      return turn;
    },
    close: () => context.close(),
  };
}
