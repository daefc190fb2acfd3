// Server-rendered citizen pages: nunjucks over govuk-frontend's templates and our own, created once per process.
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { ukDate, ukDateTime } from '@closeloop/sdk';

const require = createRequire(import.meta.url);
/** govuk-frontend's dist folder (templates, CSS, JS, fonts, images). */
export const GOVUK_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
/** @ministryofjustice/frontend's folder (its templates are under moj/, as its macros import them). */
export const MOJ_ROOT = dirname(require.resolve('@ministryofjustice/frontend/package.json'));
const OWN_TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), 'templates');
/** Partials both the citizen pages and the staff console include (the "Where" map). */
export const SHARED_TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), '..', 'shared-templates');

// govuk-frontend's template adds the `js-enabled` class with an inline script; our CSP allows no inline script, so the
// same line runs from /assets/closeloop/init.js instead (see static/init.js).
export const INLINE_INIT = /<script>document\.body\.className \+= ' js-enabled'[^<]*<\/script>/;

let env: nunjucks.Environment | null = null;

/**
 * `{% from "x" import y %}` runs x's whole top level again on every call, to collect its macros: GOV.UK Frontend's
 * components import their sub-components (label, hint, error message) this way, so a form of ten fields re-ran dozens
 * of templates per page. An import without context depends on nothing of the caller, so its exports are kept per
 * compiled template. Safe because we render synchronously (a macro's frame is restored before the next render begins).
 */
function rememberExports(): void {
  const proto = (nunjucks.Template as unknown as { prototype: ExportingTemplate }).prototype;
  if (proto.closeloopRemembersExports) return;
  const original = proto.getExported;
  proto.closeloopRemembersExports = true;
  proto.getExported = function (this: ExportingTemplate, ...args: unknown[]) {
    // Without context the only argument is the callback.
    if (args.length !== 1 || typeof args[0] !== 'function') return original.apply(this, args);
    const cb = args[0] as (err: unknown, exported: unknown) => void;
    if (this.closeloopExports) return cb(null, this.closeloopExports);
    return original.call(this, (err: unknown, exported: unknown) => {
      if (!err) this.closeloopExports = exported;
      cb(err, exported);
    });
  };
}

interface ExportingTemplate {
  getExported: (...args: unknown[]) => unknown;
  closeloopExports?: unknown;
  closeloopRemembersExports?: boolean;
}
/** Plugins' pages: one environment per plugin template folder, which comes first (then ours, then govuk-frontend's). */
const pluginEnvs = new Map<string, nunjucks.Environment>();

export function createEnvironment(folders: string[]): nunjucks.Environment {
  rememberExports();
  const created = new nunjucks.Environment(new nunjucks.FileSystemLoader(folders), { autoescape: true, throwOnUndefined: false });
  // nunjucks' own `trim` strips with /^\s*|\s*$/g, which is quadratic in a run of whitespace: GOV.UK Frontend's macros
  // trim every caller's output (whole tables, whole forms), and it cost half of a staff page's render. The same
  // whitespace (String.prototype.trim's is the regular expression's \s), in linear time, safe strings kept safe.
  created.addFilter('trim', (value: unknown) => copySafeness(value, String(value ?? '').trim()));
  created.addFilter('indent', indent);
  created.addFilter('ukDate', (iso: string) => ukDate(iso));
  created.addFilter('ukDateTime', (iso: string) => ukDateTime(iso));
  // Plain text a definition gives (start page, what happens next) as paragraphs: split on blank lines, each escaped by the template.
  created.addFilter('paragraphs', (text: unknown) =>
    String(text ?? '')
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter(Boolean),
  );
  created.addFilter('fileSize', (bytes: number) =>
    bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`,
  );
  return created;
}

const runtime = nunjucks.runtime as unknown as { SafeString: new (s: string) => unknown; markSafe: (s: string) => unknown };

function copySafeness(from: unknown, to: string): unknown {
  return from instanceof runtime.SafeString ? runtime.markSafe(to) : to;
}

/** nunjucks' `indent` (the same output), without its per-line map and closure. */
function indent(value: unknown, width?: number, indentFirst?: boolean): unknown {
  const str = value === null || value === undefined || value === false ? '' : String(value);
  if (str === '') return '';
  const sp = ' '.repeat(width || 4);
  const res = (indentFirst ? sp : '') + str.replaceAll('\n', `\n${sp}`);
  return copySafeness(value, res);
}

function environment(): nunjucks.Environment {
  return (env ??= createEnvironment([OWN_TEMPLATES, SHARED_TEMPLATES, GOVUK_DIST]));
}

export function renderPage(name: string, context: Record<string, unknown>): string {
  return environment().render(name, context).replace(INLINE_INIT, '');
}

/** A plugin's page (@closeloop/sdk's HubPages): its own templates, extending our layout.njk, with our filters. */
export function renderPluginPage(templatesDir: string, name: string, context: Record<string, unknown>): string {
  let pluginEnv = pluginEnvs.get(templatesDir);
  if (!pluginEnv) {
    pluginEnv = createEnvironment([templatesDir, OWN_TEMPLATES, SHARED_TEMPLATES, GOVUK_DIST]);
    pluginEnvs.set(templatesDir, pluginEnv);
  }
  return pluginEnv.render(name, context).replace(INLINE_INIT, '');
}
