// Erasure on request: find the case (/staff/erasure), give the reason, confirm on a page that says it cannot be undone,
// then core/governance/erase.ts, as the admin API and the CLI do, audited with the person as actor. Operators and council
// admins only (others: 404); another council's case is 404.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../hub.ts';
import { NotFoundError } from '../../errors.ts';
import { eraseProcess, processIdByReference } from '../../governance/erase.ts';
import { findProcessById } from '../../processes/processes-repo.ts';
import type { ProcessRecord } from '../../processes/processes-repo.ts';
import { staffInCouncil } from '../../staff/index.ts';
import { actorOf, staffOf, staffWithRole } from './admin-access.ts';
import { errorSummary, sendStaffPage } from './page-context.ts';
import { formBody } from './form-body.ts';

const REASON_MAX = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function mountErasure(router: Router, hub: Hub): void {
  const erasers = staffWithRole('operator', 'council-admin');

  /** The case, if the person's council covers it; 404 otherwise, as if it did not exist. */
  const caseOf = async (ctx: Koa.Context): Promise<ProcessRecord> => {
    const id = String(ctx.params.id ?? '');
    const p = UUID.test(id) ? await findProcessById(hub.db, id) : undefined;
    if (!p || !staffInCouncil(staffOf(ctx), hub.councils.idOfService(hub.catalogue, p.serviceId))) throw new NotFoundError('There is no such case.');
    return p;
  };

  const findPage = (ctx: Koa.Context, reference = '', errors: Record<string, string | undefined> = {}, status = 200) =>
    sendStaffPage(ctx, hub, 'erasure-find.njk', { title: 'Erase personal data', reference, errors, errorSummary: errorSummary(errors) }, status);

  router.get('/erasure', ...erasers, async (ctx) => {
    if (!('reference' in ctx.query)) return findPage(ctx);
    const reference = typeof ctx.query.reference === 'string' ? ctx.query.reference.trim() : '';
    if (!reference) return findPage(ctx, '', { reference: 'Enter the case reference' }, 400);
    const id = await processIdByReference(hub.db, reference);
    const p = id ? await findProcessById(hub.db, id) : undefined;
    if (!p || !staffInCouncil(staffOf(ctx), hub.councils.idOfService(hub.catalogue, p.serviceId)))
      return findPage(ctx, reference, { reference: `There is no case with the reference ${reference.toUpperCase()}` }, 404);
    ctx.redirect(`/staff/cases/${p.id}/erase`);
  });

  const reasonPage = (ctx: Koa.Context, p: ProcessRecord, reason = '', errors: Record<string, string | undefined> = {}, status = 200) =>
    sendStaffPage(
      ctx,
      hub,
      'erasure-reason.njk',
      {
        title: `Erase the personal data of case ${p.reference}`,
        process: { id: p.id, reference: p.reference, service: serviceTitle(hub, p.serviceId), submittedAt: p.submittedAt, erasedAt: p.erasedAt },
        reason,
        errors,
        errorSummary: errorSummary(errors),
      },
      status,
    );

  router.get('/cases/:id/erase', ...erasers, async (ctx) => reasonPage(ctx, await caseOf(ctx)));

  /** The reason given: the confirmation page, with the reason carried in a hidden field. */
  router.post('/cases/:id/erase', ...erasers, async (ctx) => {
    const p = await caseOf(ctx);
    if (p.erasedAt) return reasonPage(ctx, p);
    const reason = (formBody(ctx).reason ?? '').trim();
    const problem = !reason
      ? 'Enter the reason for erasing the personal data'
      : reason.length > REASON_MAX
        ? `The reason must be ${REASON_MAX} characters or fewer`
        : undefined;
    if (problem) return reasonPage(ctx, p, reason, { reason: problem }, 400);
    sendStaffPage(ctx, hub, 'erasure-confirm.njk', {
      title: `Erase the personal data of case ${p.reference}?`,
      process: { id: p.id, reference: p.reference, service: serviceTitle(hub, p.serviceId) },
      reason,
    });
  });

  router.post('/cases/:id/erase/confirm', ...erasers, async (ctx) => {
    const p = await caseOf(ctx);
    const reason = (formBody(ctx).reason ?? '').trim().slice(0, REASON_MAX);
    if (!reason) return reasonPage(ctx, p, '', { reason: 'Enter the reason for erasing the personal data' }, 400);
    const result = await eraseProcess({ db: hub.db, store: hub.store, erasers: hub.erasers }, p.id, {
      actor: actorOf(staffOf(ctx)).actor,
      reason,
      via: 'request',
    });
    sendStaffPage(ctx, hub, 'erasure-done.njk', {
      title: result.erased ? 'Personal data erased' : 'Already erased',
      process: { id: p.id, reference: result.reference },
      result,
    });
  });
}

function serviceTitle(hub: Hub, serviceId: string): string {
  return hub.catalogue.has(serviceId) ? hub.catalogue.get(serviceId).definition.title : serviceId;
}
