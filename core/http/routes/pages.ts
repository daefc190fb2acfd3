// Citizen pages: the services index (by category) and the tracking page (the JSON twin is GET /api/v1/track/{token}).
import { readFile } from 'node:fs/promises';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { trackedDocument, trackingView } from '../../processes/index.ts';
import { auditDocumentDownload } from '../../documents/documents-repo.ts';
import { attachmentDisposition } from '../content-disposition.ts';
import { trackingLimiter } from '../rate-limit.ts';
import { renderErrorPage, renderNotFoundPage, renderServicesIndex } from '../pages/index.ts';
import { servicesIndexSections } from './services-index.ts';
import { trackingPageBody } from './tracking-page.ts';
import { messageFormFor, mountTrackMessages, pageHeaders } from './track-messages.ts';

export function mountPages(router: Router, hub: Hub): void {
  const council = () => hub.config.council;
  router.get('/', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = renderServicesIndex(council(), servicesIndexSections(hub));
  });
  // Each council's logo, from its config (the CSP allows images from this origin only).
  router.get('/councils/:id/logo', async (ctx) => {
    const c = hub.councils.has(ctx.params.id!) ? hub.councils.get(ctx.params.id!) : null;
    if (!c?.logo) return;
    ctx.type = c.logo.contentType;
    ctx.set('Cache-Control', 'public, max-age=3600');
    // An SVG opened directly must not run script.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    ctx.body = await readFile(c.logo.file);
  });
  router.get('/track/:token', async (ctx) => {
    pageHeaders(ctx);
    const view = await trackingView(hub.db, hub.catalogue, ctx.params.token!);
    ctx.type = 'text/html';
    if (!view) {
      // Only misses are counted; past the limit a miss is 429 (see routes/track.ts).
      await trackingLimiter(hub).failOrRefuse(ctx.ip);
      ctx.status = 404;
      ctx.body = renderNotFoundPage(council());
      return;
    }
    ctx.body = trackingPageBody(ctx, hub, hub.councils.ofService(hub.catalogue, view.serviceId), view, messageFormFor(ctx, hub, ctx.params.token!, view));
  });
  // A document from the council, downloaded with the tracking link's token: only one visible to the citizen, of that
  // token's process. Anything else (a private document, another process's, an unknown token) is the same 404, counted
  // against the address like an unknown tracking link.
  router.get('/track/:token/documents/:documentId', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Robots-Tag', 'noindex, nofollow');
    const doc = await trackedDocument(hub.db, ctx.params.token!, ctx.params.documentId!);
    if (!doc) {
      await trackingLimiter(hub).failOrRefuse(ctx.ip);
      ctx.status = 404;
      ctx.type = 'text/html';
      ctx.body = renderNotFoundPage(council());
      return;
    }
    await auditDocumentDownload(hub.db, {
      actor: 'citizen:tracking-link',
      processId: doc.processId,
      documentId: doc.id,
      detail: JSON.stringify({ kind: 'council' }),
    });
    ctx.type = doc.contentType;
    ctx.length = doc.size;
    ctx.set('Content-Disposition', attachmentDisposition(doc.name));
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.body = hub.store.stream(doc.storageKey);
  });
  mountTrackMessages(router, hub);
}

/** Browsers asking for a page get an HTML error page; API clients get problem+json. */
export function htmlErrorRenderer(hub: Hub) {
  return (ctx: Context, status: number, title: string, detail: string): boolean => {
    if (/^\/(api|admin|connectors|channels|openapi\.json|docs|healthz|readyz|metrics)(\/|$)/.test(ctx.path)) return false;
    if (ctx.accepts('html', 'json') !== 'html') return false;
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body =
      status === 404
        ? renderNotFoundPage(hub.config.council)
        : renderErrorPage(hub.config.council, title, status >= 500 ? 'Sorry, there is a problem with the service. Try again later.' : detail);
    return true;
  };
}
