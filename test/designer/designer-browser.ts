// What the designer's browser tests share: a Chromium page signed in as a staff member (the session cookie of an
// account signed up through the real pages), with JavaScript on or off, and an axe check that collects violations.
// axe runs as script, so only the run with JavaScript checks; the same pages are checked there.
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../helpers/hub.ts';
import { axeOnPage, newPage, type GuardedPage } from '../helpers/browser.ts';
import type { StaffBrowser } from '../staff/support.ts';

export interface AxeFinding {
  url: string;
  ids: string[];
}

export interface DesignerPage {
  page: Page;
  guarded: GuardedPage;
  /** Every axe violation found so far, by page. */
  violations: AxeFinding[];
  /** Runs axe on the page as it is now (with JavaScript only). */
  check(p?: Page): Promise<void>;
  close(): Promise<void>;
}

/** A page that bypasses the CSP (so axe can be injected; the CSP is checked apart with assertCleanUnderCsp). */
export async function openDesignerPage(browser: Browser, options: { js: boolean; t?: TestHub; signedIn?: StaffBrowser }): Promise<DesignerPage> {
  const guarded = await newPage(browser, { javaScriptEnabled: options.js, bypassCSP: true });
  if (options.t && options.signedIn)
    await guarded.context.addCookies([{ name: 'closeloop_staff', value: options.signedIn.sessionCookie()!, url: `${options.t.url}/staff` }]);
  const violations: AxeFinding[] = [];
  const check = async (p: Page = guarded.page) => {
    if (!options.js) return;
    // A link just clicked may have committed its navigation without its document loaded: axe would see an empty page.
    await p.waitForLoadState('load');
    const found = await axeOnPage(p);
    if (found.length) violations.push({ url: p.url(), ids: found.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) });
  };
  return { page: guarded.page, guarded, violations, check, close: () => guarded.close() };
}
