// Two people changing one service's draft: the second save is refused (core/designer/drafts.ts) and lands here — a page
// that says who changed it and when, and shows back everything this person entered, so nothing typed is lost: they can
// copy it into the newer draft.
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import type { DraftConflictError } from '../../../designer/drafts.ts';
import { formBody } from '../form-body.ts';
import { sendStaffPage } from '../page-context.ts';

/** Form fields that are the page's machinery, not what the person typed. */
const MACHINERY = new Set(['_csrf', 'revision', 'action']);

export function sendDraftConflict(ctx: Koa.Context, hub: Hub, err: DraftConflictError): void {
  const entered = Object.entries(formBody(ctx))
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '' && !MACHINERY.has(e[0]))
    .map(([name, value]) => ({ key: { text: name }, value: { text: value } }));
  const serviceId = /^\/staff\/services\/([a-z][a-z0-9-]*)/.exec(ctx.path)?.[1];
  sendStaffPage(
    ctx,
    hub,
    'services/conflict.njk',
    {
      title: 'Someone else changed this service',
      section: 'services',
      current: err.current ? { name: err.current.editedByName, at: err.current.editedAt.toISOString() } : null,
      entered,
      back: serviceId ? `/staff/services/${serviceId}` : '/staff/services',
    },
    409,
  );
}
