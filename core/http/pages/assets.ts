// Serves govuk-frontend's and MOJ Frontend's CSS, JS, fonts and images, and our small scripts, from the hub itself: no CDN.
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Middleware } from 'koa';
import { GOVUK_DIST, MOJ_ROOT } from './renderer.ts';

const GOVUK = join(GOVUK_DIST, 'govuk');
const MOJ = join(MOJ_ROOT, 'moj');
const OWN = join(dirname(fileURLToPath(import.meta.url)), 'static');
/** accessible-autocomplete's build (the address list's enhancement): its script and its CSS only. */
const AUTOCOMPLETE = join(dirname(createRequire(import.meta.url).resolve('accessible-autocomplete/package.json')), 'dist');
const AUTOCOMPLETE_FILES = /^accessible-autocomplete\.min\.(js|css)$/;
/** Leaflet (the location question's map): its script, CSS and marker images, served as they ship. */
const LEAFLET = join(dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist');
const LEAFLET_FILES = /^(leaflet\.js|leaflet\.css|images\/[a-z0-9-]+\.png)$/;
/** The MOJ files the staff console uses (its CSS, its ES module bundle, its images). */
const MOJ_FILES = /^(moj-frontend\.min\.css|all\.bundle\.mjs|images\/[a-z0-9-]+\.(svg|png))$/;

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.json': 'application/manifest+json',
  '.map': 'application/json',
};

/**
 * Files under /assets/: govuk-frontend.min.css|js, fonts/, images/, manifest.json; /assets/moj/* is MOJ Frontend's;
 * /assets/autocomplete/* is accessible-autocomplete's; /assets/closeloop/* are ours.
 */
function fileFor(path: string): string | null {
  const rel = path.slice('/assets/'.length);
  if (rel.startsWith('leaflet/')) return LEAFLET_FILES.test(rel.slice('leaflet/'.length)) ? join(LEAFLET, rel.slice('leaflet/'.length)) : null;
  if (rel.startsWith('autocomplete/')) {
    const inner = rel.slice('autocomplete/'.length);
    return AUTOCOMPLETE_FILES.test(inner) ? join(AUTOCOMPLETE, inner) : null;
  }
  if (rel.startsWith('moj/')) {
    const inner = rel.slice('moj/'.length);
    if (!MOJ_FILES.test(inner)) return null;
    return join(MOJ, inner.startsWith('images/') ? join('assets', inner) : inner);
  }
  const [base, inner] = rel.startsWith('closeloop/')
    ? [OWN, rel.slice('closeloop/'.length)]
    : [GOVUK, rel.startsWith('govuk-frontend.min.') ? rel : join('assets', rel)];
  const full = normalize(join(base, inner));
  if (!full.startsWith(base + sep)) return null;
  return full;
}

export function assetsMiddleware(): Middleware {
  const cache = new Map<string, Buffer | null>();
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/assets/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const file = fileFor(ctx.path);
    const type = file ? TYPES[extname(file)] : undefined;
    if (!file || !type) return next();
    let body = cache.get(file);
    if (body === undefined) {
      body = await readFile(file).catch(() => null);
      // MOJ's CSS names its images at /assets/images/, where govuk-frontend's are: point it at its own.
      if (body && file === join(MOJ, 'moj-frontend.min.css'))
        body = Buffer.from(body.toString('utf8').replaceAll('url(/assets/images/', 'url(/assets/moj/images/'));
      cache.set(file, body);
    }
    if (!body) return next();
    ctx.type = type;
    ctx.set('Cache-Control', ctx.path.startsWith('/assets/closeloop/') ? 'public, max-age=3600' : 'public, max-age=604800, immutable');
    ctx.body = body;
  };
}
