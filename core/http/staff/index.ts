// The staff console at /staff: sign-in (local accounts; OpenID Connect is added beside it), the one-time account links,
// and the pages. Every route runs after the session is loaded and any posted form parsed; errors render as staff pages.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import type { ServeOps } from '../../metrics/index.ts';
import { HttpError } from '../../errors.ts';
import { loadStaffSession, STAFF_PATH } from '../../staff/index.ts';
import { sendStaffPage } from './page-context.ts';
import { parseStaffForms } from './form-body.ts';
import { mountSignIn } from './sign-in-routes.ts';
import { mountInvitations } from './invitation-routes.ts';
import { mountOverview } from './overview-routes.ts';
import { mountCases } from './cases-routes.ts';

export { sendStaffPage, errorSummary, SECTIONS } from './page-context.ts';
export { formBody } from './form-body.ts';

/** More staff routes (other pages, OpenID Connect sign-in), mounted on the same /staff router. */
export type StaffRoutes = (router: Router, hub: Hub) => void;

export function staffRouter(hub: Hub, ops: ServeOps | undefined, more: StaffRoutes[] = []): Router {
  const router = new Router({ prefix: STAFF_PATH });
  router.use(staffErrors(hub), loadStaffSession(hub), parseStaffForms());
  mountSignIn(router, hub);
  mountInvitations(router, hub);
  mountOverview(router, hub, ops);
  mountCases(router, hub);
  for (const m of more) m(router, hub);
  return router;
}

/** Errors on staff pages as staff pages (403 for a missing CSRF token, 404 for another council's record…). */
function staffErrors(hub: Hub): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
      const heading = err.status === 404 ? 'Page not found' : err.status === 403 ? 'You cannot do that' : 'There is a problem';
      sendStaffPage(ctx, hub, 'message.njk', { title: heading, heading, paragraphs: [err.message] }, err.status);
    }
  };
}
