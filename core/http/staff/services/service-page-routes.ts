// A service's page in the designer (/staff/services/{id}): its live version, the state of its working draft ("last
// edited by"), and a task list of the designer's parts with a status each. "Edit this service" starts the draft;
// "Discard the draft" asks first.
import type Router from '@koa/router';
import type { Hub } from '../../../hub.ts';
import { discardDraft, draftProblems, type DraftDefinition, type WorkingDraft } from '../../../designer/drafts.ts';
import { staffWithRole } from '../admin-access.ts';
import { sendStaffPage } from '../page-context.ts';
import { draftForEditing, draftIfAny, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { serviceIdParam, servicePath } from './service-params.ts';

type Status = { text: string; tag?: 'grey' | 'blue' | 'green' | 'yellow' | 'red' };

export function mountServicePage(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:id', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftIfAny(ctx, hub, id);
    const versions = await hub.catalogue.versionsOf(id);
    const live = versions.find((v) => v.state === 'published') ?? null;
    const definition: DraftDefinition =
      draft?.definition ?? ((await hub.catalogue.getVersion(id, (live ?? versions[0]!).version)).definition as DraftDefinition);
    sendStaffPage(ctx, hub, 'services/service.njk', {
      title: definition.title || id,
      section: 'services',
      service: { id, title: definition.title || id },
      live: live && { version: live.version, since: live.publishedAt },
      draft: draft && { editedByName: draft.editedByName, editedAt: draft.editedAt, revision: draft.revision, baseVersion: draft.baseVersion },
      parts: parts(hub, id, definition, draft, versions.length).map(taskListItem),
      created: ctx.query.created === '1',
      discarded: ctx.query.discarded === '1',
    });
  });

  router.post('/services/:id/edit', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    await draftForEditing(ctx, hub, id);
    ctx.redirect(servicePath(id));
  });

  router.get('/services/:id/discard', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftIfAny(ctx, hub, id);
    if (!draft) return ctx.redirect(servicePath(id));
    const title = draft.definition.title || id;
    sendStaffPage(ctx, hub, 'services/discard.njk', {
      title: `Discard the draft of ${title}?`,
      section: 'services',
      service: { id, title },
      draft: { revision: draft.revision, editedByName: draft.editedByName, editedAt: draft.editedAt, neverPublished: draft.baseVersion === null },
    });
  });

  router.post('/services/:id/discard', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftIfAny(ctx, hub, id);
    if (!draft) return ctx.redirect(servicePath(id));
    await discardDraft(hub, editorOf(ctx), id, postedRevision(ctx));
    // A service that only ever had this draft is gone with it.
    ctx.redirect(draft.baseVersion === null && !(await hub.catalogue.versionsOf(id)).length ? '/staff/services' : servicePath(id, '?discarded=1'));
  });
}

/** The task list: each part of the designer, its link and a status read from the definition (cheap: no XSD work). */
function parts(
  hub: Hub,
  id: string,
  d: DraftDefinition,
  draft: WorkingDraft | undefined,
  versionCount: number,
): { title: string; href: string; hint?: string; status: Status }[] {
  const count = (n: number, one: string, many: string): Status => (n ? { text: `${n} ${n === 1 ? one : many}` } : { text: 'Not started', tag: 'blue' });
  const ownMessages = Object.values((d.messages ?? {}) as Record<string, Record<string, unknown> | undefined>).filter(
    (kind) => Object.keys(kind ?? {}).length,
  ).length;
  return [
    {
      title: 'Questions',
      href: servicePath(id, '/questions'),
      hint: 'Questions, pages, start page and confirmation',
      status: count(d.fields.length, 'question', 'questions'),
    },
    { title: 'Tasks', href: servicePath(id, '/tasks'), hint: 'The tasks every new case starts with', status: count(d.tasks.length, 'task', 'tasks') },
    {
      title: 'Messages to the citizen',
      href: servicePath(id, '/messages'),
      hint: 'The e-mails and text messages this service sends',
      status: ownMessages ? { text: `${ownMessages} of 2 in this service’s own words` } : { text: 'The hub’s standard wording' },
    },
    { title: 'XML mapping', href: servicePath(id, '/xml'), status: d.xml ? { text: `XSD ${d.xml.xsd}` } : { text: 'Not started', tag: 'blue' } },
    {
      title: 'Binding',
      href: servicePath(id, '/binding'),
      status: d.bindings?.length ? { text: d.bindings.join(', ') } : { text: 'None chosen', tag: 'blue' },
    },
    {
      title: 'Settings',
      href: servicePath(id, '/settings'),
      hint: 'Name, description, reference prefix, how long data is kept',
      status: { text: d.referencePrefix ? `Prefix ${d.referencePrefix}` : 'Not started' },
    },
    { title: 'Preview', href: servicePath(id, '/preview'), hint: 'See each page as citizens will, and try the whole form', status: { text: '' } },
    {
      title: 'Versions',
      href: servicePath(id, '/versions'),
      hint: 'Compare versions, roll back',
      status: { text: `${versionCount} ${versionCount === 1 ? 'version' : 'versions'}` },
    },
    { title: 'Publish', href: servicePath(id, '/publish'), status: publishStatus(hub, d, draft) },
  ];
}

/** A part as GOV.UK's task list macro takes it. */
function taskListItem(p: { title: string; href: string; hint?: string; status: Status }): Record<string, unknown> {
  return {
    title: { text: p.title },
    href: p.href,
    hint: p.hint ? { text: p.hint } : undefined,
    status: p.status.tag ? { tag: { text: p.status.text, classes: `govuk-tag--${p.status.tag}` } } : { text: p.status.text || 'Open' },
  };
}

function publishStatus(hub: Hub, d: DraftDefinition, draft: WorkingDraft | undefined): Status {
  if (!draft) return { text: 'No changes to publish', tag: 'grey' };
  const problems = draftProblems(hub, d).length;
  return problems ? { text: `${problems} ${problems === 1 ? 'problem' : 'problems'} to fix`, tag: 'red' } : { text: 'Ready to publish', tag: 'green' };
}
