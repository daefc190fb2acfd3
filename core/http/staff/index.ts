// The staff console at /staff: sign-in (local accounts; OpenID Connect is added beside it), the one-time account links,
// and the pages. Every route runs after the session is loaded and any posted form parsed; errors render as staff pages.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import type { ServeOps } from '../../metrics/index.ts';
import { HttpError } from '../../errors.ts';
import { loadStaffSession, signInStaff, STAFF_PATH, upsertOidcStaffUser } from '../../staff/index.ts';
import { sendStaffPage } from './page-context.ts';
import { parseStaffForms } from './form-body.ts';
import { mountSignIn } from './sign-in-routes.ts';
import { mountInvitations } from './invitation-routes.ts';
import { mountOverview } from './overview-routes.ts';
import { mountStaffOidc, type StaffOidcRoutesOptions } from './oidc-routes.ts';
import { mountDeliveries } from './deliveries-routes.ts';
import { mountApiKeys } from './keys-routes.ts';
import { mountSubscriptions } from './subscriptions-routes.ts';
import { mountAudit } from './audit-routes.ts';
import { mountErasure } from './erasure-routes.ts';
import { mountCases } from './cases-routes.ts';
import { mountServiceDesigner } from './services/index.ts';
import { sendDraftConflict } from './services/conflict.ts';
import { DraftConflictError } from '../../designer/drafts.ts';

export { sendStaffPage, errorSummary, SECTIONS } from './page-context.ts';
export { formBody } from './form-body.ts';

/** More staff routes (other pages), mounted on the same /staff router. */
export type StaffRoutes = (router: Router, hub: Hub) => void;

export interface StaffConsoleOptions {
  /** What a sign-in through a council's OpenID provider does (default: make or update the account, start its session). */
  onOidcSignedIn?: StaffOidcRoutesOptions['onSignedIn'];
}

export function staffRouter(hub: Hub, ops: ServeOps | undefined, more: StaffRoutes[] = [], options: StaffConsoleOptions = {}): Router {
  const router = new Router({ prefix: STAFF_PATH });
  router.use(staffErrors(hub), loadStaffSession(hub), parseStaffForms());
  const oidc = mountStaffOidc(router, { hub, prefix: '', onSignedIn: options.onOidcSignedIn ?? signInWithProvider(hub) });
  mountSignIn(
    router,
    hub,
    oidc
      .councils()
      .map((id) => ({ href: `${STAFF_PATH}/sign-in/${encodeURIComponent(id)}/oidc`, label: `Sign in with your ${hub.councils.get(id).name} account` })),
  );
  mountInvitations(router, hub);
  mountOverview(router, hub, ops);
  mountDeliveries(router, hub);
  mountApiKeys(router, hub);
  mountSubscriptions(router, hub);
  mountAudit(router, hub);
  mountErasure(router, hub);
  mountCases(router, hub);
  mountServiceDesigner(router, hub);
  for (const m of more) m(router, hub);
  return router;
}

/** A person the council's provider vouched for: their account made or brought up to date, then signed in. */
export function signInWithProvider(hub: Hub): StaffOidcRoutesOptions['onSignedIn'] {
  return async (ctx, identity) => {
    const user = await upsertOidcStaffUser(hub.db, identity);
    if (user.disabledAt) {
      hub.log.warn({ userId: user.id }, 'staff sign-in: a disabled account signed in with its provider');
      sendStaffPage(
        ctx,
        hub,
        'message.njk',
        {
          title: 'You cannot sign in',
          heading: 'You cannot sign in',
          paragraphs: ['Your account has been disabled. Ask your council’s Closeloop administrator.'],
        },
        403,
      );
      return;
    }
    await signInStaff(ctx, hub, user.id);
  };
}

/** Errors on staff pages as staff pages (403 for a missing CSRF token, 404 for another council's record…). */
function staffErrors(hub: Hub): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof DraftConflictError) return sendDraftConflict(ctx, hub, err);
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
      const heading = err.status === 404 ? 'Page not found' : err.status === 403 ? 'You cannot do that' : 'There is a problem';
      sendStaffPage(ctx, hub, 'message.njk', { title: heading, heading, paragraphs: [err.message] }, err.status);
    }
  };
}
