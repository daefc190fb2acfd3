// A service's versions (/staff/services/{id}/versions): every stored version with who published it, the working draft,
// a form to compare any two (/versions/compare?from=3&to=draft: the readable diff), and for a version that was live
// before, "Make this the live version again" (/rollback: a confirmation page, then the catalogue's publish).
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import { diffDefinitions } from '../../../designer/diff.ts';
import type { DraftDefinition, WorkingDraft } from '../../../designer/drafts.ts';
import { rollBack } from '../../../designer/rollback.ts';
import { versionEvents, type VersionEventRow } from '../../../designer/services-list-repo.ts';
import { listStaffUsers } from '../../../staff/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { describeActor } from '../audit-routes.ts';
import { formBody } from '../form-body.ts';
import { errorSummary, sendStaffPage } from '../page-context.ts';
import { draftIfAny, editorOf } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { serviceIdParam, servicePath } from './service-params.ts';

type Versions = Awaited<ReturnType<Hub['catalogue']['versionsOf']>>;

export function mountVersions(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:id/versions', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    await sendVersionsPage(ctx, hub, id, await draftIfAny(ctx, hub, id));
  });

  router.get('/services/:id/versions/compare', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftIfAny(ctx, hub, id);
    const versions = await hub.catalogue.versionsOf(id);
    const from = String(ctx.query.from ?? '');
    const to = String(ctx.query.to ?? '');
    const known = (v: string) => (v === 'draft' ? !!draft : versions.some((x) => String(x.version) === v));
    const errors = {
      from: !known(from) ? 'Select the version to compare from' : undefined,
      to: !known(to) ? 'Select the version to compare with' : from === to ? 'Select two different versions' : undefined,
    };
    if (errors.from || errors.to) return sendVersionsPage(ctx, hub, id, draft, { from, to }, errors, 400);
    const definitionOf = async (v: string): Promise<DraftDefinition> =>
      v === 'draft' ? draft!.definition : ((await hub.catalogue.getVersion(id, Number(v))).definition as DraftDefinition);
    const diff = diffDefinitions(await definitionOf(from), await definitionOf(to));
    const name = (v: string) => (v === 'draft' ? 'the draft' : `version ${v}`);
    sendStaffPage(ctx, hub, 'services/compare.njk', {
      title: `Changes from ${name(from)} to ${name(to)}`,
      section: 'services',
      service: { id, title: draft?.definition.title || (await titleOf(hub, id, versions)) },
      fromName: name(from),
      toName: name(to),
      diff,
    });
  });

  router.get('/services/:id/rollback', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftIfAny(ctx, hub, id);
    const versions = await hub.catalogue.versionsOf(id);
    const target = versions.find((v) => String(v.version) === String(ctx.query.version ?? '') && v.state === 'retired');
    if (!target) throw new NotFoundError('There is no earlier version with that number to make live again.');
    const live = versions.find((v) => v.state === 'published');
    sendStaffPage(ctx, hub, 'services/rollback.njk', {
      title: `Make version ${target.version} the live version again?`,
      section: 'services',
      service: { id, title: draft?.definition.title || (await titleOf(hub, id, versions)) },
      target: { version: target.version, createdAt: target.createdAt },
      live: live ? { version: live.version } : null,
      hasDraft: !!draft,
    });
  });

  router.post('/services/:id/rollback', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    await draftIfAny(ctx, hub, id);
    const version = Number(formBody(ctx).version);
    if (!Number.isInteger(version) || version < 1) throw new NotFoundError('There is no earlier version with that number to make live again.');
    await rollBack(hub, editorOf(ctx), id, version);
    ctx.redirect(servicePath(id, `/versions?live=${version}`));
  });
}

async function sendVersionsPage(
  ctx: Koa.Context,
  hub: Hub,
  id: string,
  draft: WorkingDraft | undefined,
  compare: { from: string; to: string } = { from: '', to: '' },
  errors: Record<string, string | undefined> = {},
  status = 200,
): Promise<void> {
  const versions = await hub.catalogue.versionsOf(id);
  const events = await versionEvents(hub.db, id);
  const names = new Map((await listStaffUsers(hub.db)).map((u) => [u.id, u.name ?? u.email]));
  const choices = [
    ...(draft ? [{ value: 'draft', text: 'The draft' }] : []),
    ...versions.map((v) => ({ value: String(v.version), text: `Version ${v.version}` })),
  ];
  const live = versions.find((v) => v.state === 'published');
  // Defaults: the live version against the draft, or the two newest versions.
  const from = compare.from || String(live?.version ?? versions[1]?.version ?? '');
  const to = compare.to || (draft ? 'draft' : String(versions[0]?.version ?? ''));
  sendStaffPage(
    ctx,
    hub,
    'services/versions.njk',
    {
      title: `Versions of ${draft?.definition.title || (await titleOf(hub, id, versions))}`,
      section: 'services',
      service: { id, title: draft?.definition.title || (await titleOf(hub, id, versions)) },
      draft: draft && { editedByName: draft.editedByName, editedAt: draft.editedAt, baseVersion: draft.baseVersion },
      versions: versions.map((v) => ({ ...v, ...history(v.version, events, names) })),
      canCompare: choices.length >= 2,
      fromItems: choices.map((c) => ({ ...c, selected: c.value === from })),
      toItems: choices.map((c) => ({ ...c, selected: c.value === to })),
      madeLive: typeof ctx.query.live === 'string' && /^\d+$/.test(ctx.query.live) ? ctx.query.live : undefined,
      errors,
      errorSummary: errorSummary(errors),
    },
    status,
  );
}

/** Who published a version last (and whether that was a roll back), from the audit log. */
function history(version: number, events: VersionEventRow[], names: Map<string, string>): { publishedBy?: string; rolledBack?: boolean } {
  const last = events.filter((e) => e.version === version).at(-1);
  if (!last) return {};
  return { publishedBy: describeActor(last.actor, names), rolledBack: last.action === 'service.rolled-back' };
}

async function titleOf(hub: Hub, id: string, versions: Versions): Promise<string> {
  if (hub.catalogue.has(id)) return hub.catalogue.get(id).definition.title;
  return versions[0] ? (await hub.catalogue.getVersion(id, versions[0].version)).definition.title : id;
}
