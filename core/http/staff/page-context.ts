// What every staff page's layout needs: the council's name, the person, the CSRF token and the sub navigation.
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { staffDisplayName, type StaffState, type StaffUser } from '../../staff/index.ts';
import { renderStaffPage } from './render.ts';

/** The console's sections and the roles that may open each (a link is shown only to those: the others get 404). */
export const SECTIONS = [
  { id: 'overview', text: 'Overview', href: '/staff/overview', roles: ['operator', 'council-admin', 'service-editor', 'caseworker', 'auditor'] },
  { id: 'deliveries', text: 'Deliveries', href: '/staff/deliveries', roles: ['operator', 'council-admin', 'auditor'] },
  { id: 'cases', text: 'Cases', href: '/staff/cases', roles: ['operator', 'council-admin', 'caseworker', 'auditor'] },
  { id: 'services', text: 'Services', href: '/staff/services', roles: ['operator', 'council-admin', 'service-editor'] },
  { id: 'api-keys', text: 'API keys', href: '/staff/api-keys', roles: ['operator', 'council-admin'] },
  { id: 'subscriptions', text: 'Subscriptions', href: '/staff/subscriptions', roles: ['operator', 'council-admin'] },
  { id: 'audit', text: 'Audit log', href: '/staff/audit', roles: ['operator', 'council-admin', 'auditor'] },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

export function councilNameFor(hub: Hub, user: StaffUser | undefined): string {
  return user?.council ? hub.councils.get(user.council).name : hub.config.council.name;
}

/** Renders a staff page into ctx.body with the layout's context filled in. */
export function sendStaffPage(
  ctx: Koa.Context,
  hub: Hub,
  template: string,
  context: Record<string, unknown> & { title: string; section?: SectionId },
  status = 200,
): void {
  const state = ctx.state as StaffState;
  const staff = state.staff;
  ctx.status = status;
  ctx.type = 'text/html';
  ctx.body = renderStaffPage(template, {
    councilName: councilNameFor(hub, staff),
    staff,
    staffName: staff ? staffDisplayName(staff) : undefined,
    csrfToken: state.csrfToken,
    subNavigation: SECTIONS.filter((s) => !staff || (s.roles as readonly string[]).includes(staff.role)).map((s) => ({
      text: s.text,
      href: s.href,
      active: s.id === context.section,
    })),
    errors: {},
    ...context,
  });
}

/** GOV.UK's error summary from field errors, in the order given. */
export function errorSummary(errors: Record<string, string | undefined>): { text: string; href: string }[] | undefined {
  const list = Object.entries(errors)
    .filter((e): e is [string, string] => !!e[1])
    .map(([field, text]) => ({ text, href: `#${field}` }));
  return list.length ? list : undefined;
}
