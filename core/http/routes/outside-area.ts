// "This address is not in Example District Council's area" ("This place …" for a location question's pin or nearest
// street): shown as soon as a question page's place (an answer with coordinates) is outside the area the service covers, before the citizen answers the rest, at
// /services/{id}/{page}/outside-area. It names who to contact instead and leads back to change the answer.
import type Router from '@koa/router';
import type { Hub } from '../../hub.ts';
import { outsideArea, outsideAreaHeading } from '../../boundary/index.ts';
import { formPages, type FormPage } from '../../forms/pages.ts';
import { loadSession } from '../../forms/session.ts';
import type { ServiceVersion } from '../../services/index.ts';
import { renderPage } from '../pages/index.ts';

const OUTSIDE_AREA = 'outside-area';

/** Where the form goes after a page is answered, when its place is outside the area: the contact page, else null. */
export function outsideAreaPage(hub: Hub, sv: ServiceVersion, page: FormPage, answers: Record<string, unknown>): string | null {
  return outsideArea(hub, sv, answers, page.fields) ? `/services/${sv.serviceId}/${page.id}/${OUTSIDE_AREA}` : null;
}

export function mountOutsideArea(router: Router, hub: Hub): void {
  router.get(`/services/:serviceId/:pageId/${OUTSIDE_AREA}`, async (ctx, next) => {
    const sv = hub.catalogue.get(ctx.params.serviceId!);
    const page = formPages(sv.definition).find((p) => p.id === ctx.params.pageId);
    if (!page) return next();
    const pageUrl = `/services/${sv.serviceId}/${page.id}`;
    const session = await loadSession(hub.db, ctx, sv.serviceId);
    const outside = session && !session.result ? outsideArea(hub, sv, session.answers, page.fields) : null;
    // The answer was changed (or the form sent) meanwhile: nothing to say here.
    if (!outside) return ctx.redirect(pageUrl);
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderPage('outside-area.njk', {
      council: hub.councils.ofService(hub.catalogue, sv.serviceId),
      title: outsideAreaHeading(outside),
      noun: outside.noun,
      serviceName: sv.definition.title,
      serviceUrl: `/services/${sv.serviceId}`,
      contact: outside.contact ?? null,
      neighbours: outside.neighbours,
      changeUrl: pageUrl,
    });
  });
}
