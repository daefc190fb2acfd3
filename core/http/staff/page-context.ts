// What every staff page's layout needs: the council's name, the person, the CSRF token and the sub navigation.
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { staffDisplayName, type StaffState, type StaffUser } from '../../staff/index.ts';
import { renderStaffPage } from './render.ts';

export const SECTIONS = [
  { id: 'overview', text: 'Overview', href: '/staff/overview' },
  { id: 'deliveries', text: 'Deliveries', href: '/staff/deliveries' },
  { id: 'cases', text: 'Cases', href: '/staff/cases' },
  { id: 'api-keys', text: 'API keys', href: '/staff/api-keys' },
  { id: 'audit', text: 'Audit log', href: '/staff/audit' },
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
    subNavigation: SECTIONS.map((s) => ({ text: s.text, href: s.href, active: s.id === context.section })),
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
