// Server-rendered citizen pages: nunjucks over govuk-frontend's templates and our own, created once per process.
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { ukDate, ukDateTime } from '../../uk-dates.ts';

const require = createRequire(import.meta.url);
/** govuk-frontend's dist folder (templates, CSS, JS, fonts, images). */
export const GOVUK_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
const OWN_TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), 'templates');

// govuk-frontend's template adds the `js-enabled` class with an inline script; our CSP allows no inline script, so the
// same line runs from /assets/closeloop/init.js instead (see static/init.js).
const INLINE_INIT = /<script>document\.body\.className \+= ' js-enabled'[^<]*<\/script>/;

let env: nunjucks.Environment | null = null;

function environment(): nunjucks.Environment {
  if (env) return env;
  env = new nunjucks.Environment(new nunjucks.FileSystemLoader([OWN_TEMPLATES, GOVUK_DIST]), { autoescape: true, throwOnUndefined: false });
  env.addFilter('ukDate', (iso: string) => ukDate(iso));
  env.addFilter('ukDateTime', (iso: string) => ukDateTime(iso));
  env.addFilter('fileSize', (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`));
  return env;
}

export function renderPage(name: string, context: Record<string, unknown>): string {
  return environment().render(name, context).replace(INLINE_INIT, '');
}
