// Staff pages: nunjucks over our staff templates and the shared partials, then MOJ Frontend's and GOV.UK Frontend's (one environment per process).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type nunjucks from 'nunjucks';
import { createEnvironment, GOVUK_DIST, INLINE_INIT, MOJ_ROOT, SHARED_TEMPLATES } from '../pages/renderer.ts';

const TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), 'templates');

let env: nunjucks.Environment | null = null;

export function renderStaffPage(name: string, context: Record<string, unknown>): string {
  if (!env) {
    env = createEnvironment([TEMPLATES, SHARED_TEMPLATES, MOJ_ROOT, GOVUK_DIST]);
    env.addFilter('duration', duration);
  }
  return env.render(name, context).replace(INLINE_INIT, '');
}

/** "45 seconds", "12 minutes", "3 hours", "2 days". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const [n, unit] =
    s < 120 ? [s, 'second'] : s < 7200 ? [Math.floor(s / 60), 'minute'] : s < 172_800 ? [Math.floor(s / 3600), 'hour'] : [Math.floor(s / 86_400), 'day'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
