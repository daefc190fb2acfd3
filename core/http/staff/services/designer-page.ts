// What the designer's pages of one service share: the staff layout with the service's name, its draft's revision for the
// forms, and the way back to the service's page.
import { isDeepStrictEqual } from 'node:util';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import type { WorkingDraft } from '../../../designer/drafts.ts';
import { sendStaffPage } from '../page-context.ts';

export function servicePath(serviceId: string, rest = ''): string {
  return `/staff/services/${encodeURIComponent(serviceId)}${rest}`;
}

/** A designer page of one service (template under services/), 422 when it shows errors. */
export function sendDesignerPage(
  ctx: Koa.Context,
  hub: Hub,
  draft: WorkingDraft,
  template: string,
  context: Record<string, unknown> & { title: string },
  status?: number,
): void {
  const serviceId = draft.serviceId;
  sendStaffPage(
    ctx,
    hub,
    `services/${template}`,
    {
      section: 'services',
      service: { id: serviceId, title: draft.definition.title || serviceId, href: servicePath(serviceId) },
      draft: { revision: draft.revision },
      ...context,
    },
    status ?? (context.errorSummary ? 422 : 200),
  );
}

/** Whether an edit changed anything: an unchanged form saved back is not a new revision (nor an audit entry). */
export function sameDefinition(a: unknown, b: unknown): boolean {
  // Key order does not count: Postgres (jsonb) stores an object's keys in its own order.
  return isDeepStrictEqual(a, b);
}

/** Characters no one types (NUL and other control characters but tab and line breaks), which a stored definition cannot hold. */
export function hasUnusualCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/.test(text);
}
