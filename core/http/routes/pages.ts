// Citizen pages: the services index and the tracking page (the JSON twin is GET /api/v1/track/{token}).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Hub } from '../../hub.ts';
import { trackingView } from '../../processes/index.ts';
import { renderErrorPage, renderNotFoundPage, renderServicesIndex, renderTrackingPage } from '../pages/index.ts';

export function mountPages(router: Router, hub: Hub): void {
  const council = () => hub.config.council;
  router.get('/', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = renderServicesIndex(
      council(),
      hub.catalogue.list().map((s) => ({ id: s.serviceId, title: s.definition.title, description: s.definition.description })),
    );
  });
  router.get('/track/:token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Robots-Tag', 'noindex, nofollow');
    const view = await trackingView(hub.sequelize, hub.catalogue, ctx.params.token!);
    ctx.type = 'text/html';
    if (!view) {
      ctx.status = 404;
      ctx.body = renderNotFoundPage(council());
      return;
    }
    ctx.body = renderTrackingPage(council(), view);
  });
}

/** Browsers asking for a page get an HTML error page; API clients get problem+json. */
export function htmlErrorRenderer(hub: Hub) {
  return (ctx: Context, status: number, title: string, detail: string): boolean => {
    if (/^\/(api|connectors|channels|openapi\.json|docs|healthz|readyz|metrics)(\/|$)/.test(ctx.path)) return false;
    if (ctx.accepts('html', 'json') !== 'html') return false;
    ctx.status = status;
    ctx.type = 'text/html';
    ctx.body = status === 404 ? renderNotFoundPage(hub.config.council) : renderErrorPage(hub.config.council, title, status >= 500 ? 'Sorry, there is a problem with the service. Try again later.' : detail);
    return true;
  };
}
