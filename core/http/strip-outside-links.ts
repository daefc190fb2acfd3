// Third-party pages we serve (Swagger UI at /docs, Bull Board at /admin/queues) hard-code a Google Fonts stylesheet in
// their HTML templates, with no option to turn it off. Our CSP refuses it, but the browser still logs an error, and a
// council's privacy notice cannot allow a request to Google: the link is taken out of the HTML before it is sent, and
// the pages fall back to system fonts. A regular expression is enough here: the input is the packages' own templates,
// not arbitrary HTML, and tests check the served page in Chromium with every outside request blocked.
import type { Context } from 'koa';

/** A <link> element whose href is an absolute or protocol-relative URL (another host). */
const OUTSIDE_LINK = /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^>]*>\s*/gi;

/** The HTML without <link> elements (stylesheets, preconnects, fonts) that point at another host. */
export function stripOutsideLinks(html: string): string {
  return html.replace(OUTSIDE_LINK, '');
}

/** Rewrites the response body in place when it is an HTML string. */
export function stripOutsideLinksFromResponse(ctx: Context): void {
  if (typeof ctx.body === 'string' && ctx.response.is('html')) ctx.body = stripOutsideLinks(ctx.body);
}
