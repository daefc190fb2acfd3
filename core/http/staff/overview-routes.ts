// The overview: deliveries per back office and submissions per service, as far as the person's role and council reach.
import type Router from '@koa/router';
import type { Hub } from '../../hub.ts';
import type { ServeOps } from '../../metrics/index.ts';
import { readOverview, requireStaff, type StaffState } from '../../staff/index.ts';
import { sendStaffPage } from './page-context.ts';

export function mountOverview(router: Router, hub: Hub, ops: ServeOps | undefined): void {
  router.get('/', requireStaff(), (ctx) => ctx.redirect('/staff/overview'));
  router.get('/overview', requireStaff(), async (ctx) => {
    const staff = (ctx.state as StaffState).staff!;
    const overview = await readOverview(hub, staff, ops?.queues ?? null);
    sendStaffPage(ctx, hub, 'overview.njk', {
      title: 'Overview',
      section: 'overview',
      overview,
      // Caseworkers work on cases: deliveries to back offices are for admins, operators and auditors.
      showBindings: staff.role !== 'caseworker',
      showCouncils: staff.council === null,
    });
  });
}
