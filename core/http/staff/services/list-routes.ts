// The services list (/staff/services) and creating a service (/staff/services/new): blank, as a copy of a service the
// person may design, or from an example in the library. Creating one starts its working draft; nothing is published.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { getDraft, startDraft, type DraftDefinition } from '../../../designer/drafts.ts';
import { serviceSummaries, type ServiceSummary } from '../../../designer/services-overview.ts';
import { listServiceRows } from '../../../designer/services-list-repo.ts';
import { libraryServices } from '../../../designer/library.ts';
import { blankDefinition, copiedDefinition, idFromTitle, newServiceErrors, type NewServiceNames } from '../../../designer/new-service.ts';
import { listWorkingDrafts } from '../../../designer/drafts.ts';
import { staffOf, staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { errorSummary, sendStaffPage } from '../page-context.ts';
import { editorOf } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { councilScope, servicePath } from './service-params.ts';

interface NewServiceForm extends NewServiceNames {
  /** "blank", "copy:<service id>" or "library:<example id>": one radio of one list. */
  start: string;
  council: string;
}

export function mountServicesList(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services', ...designers, async (ctx) => {
    const services = await serviceSummaries(hub, councilScope(ctx));
    sendStaffPage(ctx, hub, 'services/list.njk', {
      title: 'Services',
      section: 'services',
      services: services.map((s) => ({ ...s, councilName: hub.councils.get(s.council).name })),
      showCouncil: councilScope(ctx) === null && hub.councils.ids().length > 1,
    });
  });

  router.get('/services/new', ...designers, async (ctx) => sendNewPage(ctx, hub, { start: '', council: '', title: '', id: '', referencePrefix: '' }));

  router.post('/services/new', ...designers, async (ctx) => {
    const body = formBody(ctx);
    const text = (name: string) => (body[name] ?? '').trim();
    const start = text('start');
    const form: NewServiceForm = {
      start,
      council: text('council'),
      title: text('title').replace(/\s+/g, ' '),
      id: text('id').toLowerCase(),
      referencePrefix: text('referencePrefix').toUpperCase(),
    };
    const names: NewServiceNames = { title: form.title, id: form.id || idFromTitle(form.title), referencePrefix: form.referencePrefix };
    const staff = staffOf(ctx);
    const council = staff.council ?? (hub.councils.has(form.council) ? form.council : hub.councils.ids().length > 1 ? '' : hub.councils.defaultId);
    const visible = await serviceSummaries(hub, councilScope(ctx));
    const errors: Record<string, string | undefined> = {};
    const [how, from = ''] = start.split(':', 2);
    const known =
      how === 'blank' ? !from : how === 'copy' ? visible.some((s) => s.id === from) : how === 'library' && libraryServices().some((s) => s.id === from);
    if (!known) errors.start = 'Select how to start the service';
    Object.assign(errors, newServiceErrors(names, await takenNames(hub)));
    if (!council) errors.council = 'Select the council that owns the service';
    if (Object.values(errors).some(Boolean)) return sendNewPage(ctx, hub, { ...form, id: form.id || names.id, start: known ? start : '' }, errors, 400);

    const definition =
      how === 'copy'
        ? copiedDefinition(await definitionOf(hub, from), names)
        : how === 'library'
          ? copiedDefinition(libraryServices().find((s) => s.id === from)!.definition as DraftDefinition, names)
          : blankDefinition(names);
    await startDraft(hub, editorOf(ctx), { definition, baseVersion: null, council });
    ctx.redirect(servicePath(names.id, '?created=1'));
  });
}

async function sendNewPage(ctx: Koa.Context, hub: Hub, form: NewServiceForm, errors: Record<string, string | undefined> = {}, status = 200): Promise<void> {
  const staff = staffOf(ctx);
  const copyable: ServiceSummary[] = await serviceSummaries(hub, councilScope(ctx));
  const chooseCouncil = staff.council === null && hub.councils.ids().length > 1;
  sendStaffPage(
    ctx,
    hub,
    'services/new.njk',
    {
      title: 'Create a service',
      section: 'services',
      form,
      // One list of radios (no conditionally revealed select: GOV.UK's reveal sets aria-expanded on a radio, which axe refuses).
      startItems: [
        { value: 'blank', text: 'Start from a blank service', hint: { text: 'No questions or tasks yet' } },
        ...(copyable.length ? [{ divider: 'or' }] : []),
        ...copyable.map((s) => ({ value: `copy:${s.id}`, text: `Copy “${s.title}”`, hint: { text: 'A copy of one of your services' } })),
        { divider: 'or' },
        ...libraryServices().map((s) => ({
          value: `library:${s.id}`,
          text: `Start from the example “${s.title}”`,
          hint: { text: 'An example service in the library that comes with Closeloop' },
        })),
      ].map((item) => ('value' in item ? { ...item, checked: item.value === form.start } : item)),
      councils: chooseCouncil ? hub.councils.ids().map((id) => ({ value: id, text: hub.councils.get(id).name, checked: form.council === id })) : null,
      councilName: hub.councils.get(staff.council).name,
      errors,
      errorSummary: errorSummary({
        start: errors.start,
        title: errors.title,
        id: errors.id,
        referencePrefix: errors.referencePrefix,
        council: errors.council,
      }),
    },
    status,
  );
}

/** Ids and reference prefixes already used by a stored service or a working draft (of any council: they must be unique on the hub). */
async function takenNames(hub: Hub): Promise<{ ids: Set<string>; prefixes: Map<string, string> }> {
  const rows = await listServiceRows(hub.db);
  const drafts = await listWorkingDrafts(hub, null);
  const prefixes = new Map<string, string>();
  for (const r of rows) if (r.referencePrefix) prefixes.set(r.referencePrefix, r.title);
  for (const d of drafts) if (d.definition.referencePrefix) prefixes.set(d.definition.referencePrefix, d.definition.title || d.serviceId);
  return { ids: new Set([...rows.map((r) => r.id), ...drafts.map((d) => d.serviceId)]), prefixes };
}

/** The definition a copy is made from: the live version, else the working draft, else the newest stored version. */
async function definitionOf(hub: Hub, serviceId: string): Promise<DraftDefinition> {
  if (hub.catalogue.has(serviceId)) return hub.catalogue.get(serviceId).definition as DraftDefinition;
  const draft = await getDraft(hub, serviceId);
  if (draft) return draft.definition;
  const [latest] = await hub.catalogue.versionsOf(serviceId);
  return (await hub.catalogue.getVersion(serviceId, latest!.version)).definition as DraftDefinition;
}
