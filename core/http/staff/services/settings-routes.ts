// The service's settings (/staff/services/{id}/settings): its name, description, reference prefix, what the citizen
// sends (noun) and how long personal data is kept. Saved into the working draft; a field sent back unchanged keeps
// exactly what the definition holds (so opening and saving changes nothing).
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { editDraft, type DraftDefinition, type WorkingDraft } from '../../../designer/drafts.ts';
import { listServiceRows } from '../../../designer/services-list-repo.ts';
import { listWorkingDrafts } from '../../../designer/drafts.ts';
import { TITLE_MAX } from '../../../designer/new-service.ts';
import { SERVICE_CATEGORIES, type ServiceCategory } from '../../../services/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { errorSummary, sendStaffPage } from '../page-context.ts';
import { draftForEditing, editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { serviceIdParam, servicePath } from './service-params.ts';

const DESCRIPTION_MAX = 2000;
const NOUN_MAX = 60;

type SettingName = 'title' | 'description' | 'referencePrefix' | 'category' | 'noun' | 'retentionDays';
type SettingsForm = Record<SettingName, string>;

const SETTING_NAMES = ['title', 'description', 'referencePrefix', 'category', 'noun', 'retentionDays'] as const;

function isCategory(value: string): value is ServiceCategory {
  return Object.hasOwn(SERVICE_CATEGORIES, value);
}

export function mountSettings(router: Router, hub: Hub): void {
  const designers = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:id/settings', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftForEditing(ctx, hub, id);
    sendSettingsPage(ctx, hub, draft, formOf(draft.definition));
  });

  router.post('/services/:id/settings', ...designers, async (ctx) => {
    const id = serviceIdParam(ctx);
    const draft = await draftForEditing(ctx, hub, id);
    const revision = postedRevision(ctx);
    const body = formBody(ctx);
    const posted = Object.fromEntries(SETTING_NAMES.map((k) => [k, text(body[k])])) as SettingsForm;
    const current = formOf(draft.definition);
    // A field sent back as it was shown keeps the definition's own value (whitespace and line breaks included).
    const changed = (k: SettingName) => posted[k].trim() !== current[k].trim();
    const errors = await settingsErrors(hub, id, posted, changed);
    if (Object.values(errors).some(Boolean)) return sendSettingsPage(ctx, hub, { ...draft, revision }, posted, errors, 400);
    const keys = SETTING_NAMES.filter(changed);
    if (keys.length)
      await editDraft(hub, editorOf(ctx), id, revision, keys.map((k) => changeInWords(k, posted)).join('; '), (d) => {
        for (const k of keys) applySetting(d, k, posted);
      });
    ctx.redirect(servicePath(id));
  });
}

function changeInWords(k: SettingName, f: SettingsForm): string {
  const value = f[k].trim();
  switch (k) {
    case 'title':
      return `changed the name to “${value}”`;
    case 'description':
      return value ? 'changed the description' : 'removed the description';
    case 'referencePrefix':
      return `changed the reference prefix to ${value.toUpperCase()}`;
    case 'category':
      return isCategory(value) ? `listed the service under “${SERVICE_CATEGORIES[value]}”` : 'removed the category';
    case 'noun':
      return value ? `changed what the citizen sends to “${value}”` : 'removed what the citizen sends (noun)';
    case 'retentionDays':
      return value ? `set personal data to be kept for ${Number(value)} days after a case is finished` : 'set personal data to be kept until erased on request';
  }
}

function applySetting(d: DraftDefinition, k: SettingName, f: SettingsForm): void {
  const value = f[k].trim();
  if (k === 'title') d.title = value;
  else if (k === 'referencePrefix') d.referencePrefix = value.toUpperCase();
  else if (k === 'category') {
    if (isCategory(value)) d.category = value;
    else delete d.category;
  } else if (k === 'retentionDays') {
    if (value) d.retention = { redactAfterDays: Number(value) };
    else delete d.retention;
  } else if (value) d[k] = value;
  else delete d[k];
}

function text(v: string | undefined): string {
  return (v ?? '').replace(/\r\n?/g, '\n');
}

function formOf(d: DraftDefinition): SettingsForm {
  return {
    title: d.title ?? '',
    description: d.description ?? '',
    referencePrefix: d.referencePrefix ?? '',
    category: d.category ?? '',
    noun: d.noun ?? '',
    retentionDays: d.retention ? String(d.retention.redactAfterDays) : '',
  };
}

async function settingsErrors(hub: Hub, id: string, f: SettingsForm, changed: (k: SettingName) => boolean): Promise<Partial<Record<SettingName, string>>> {
  const errors: Partial<Record<SettingName, string>> = {};
  const title = f.title.trim();
  if (!title) errors.title = 'Enter the name of the service';
  else if (title.length > TITLE_MAX) errors.title = `The name must be ${TITLE_MAX} characters or fewer`;
  if (f.description.trim().length > DESCRIPTION_MAX) errors.description = `The description must be ${DESCRIPTION_MAX} characters or fewer`;
  const prefix = f.referencePrefix.trim().toUpperCase();
  if (!prefix) errors.referencePrefix = 'Enter a reference prefix';
  else if (!/^[A-Z]{2,6}$/.test(prefix)) errors.referencePrefix = 'The reference prefix must be 2 to 6 capital letters, like DAN';
  else if (changed('referencePrefix')) {
    const other = await prefixOwner(hub, id, prefix);
    if (other) errors.referencePrefix = `The reference prefix ${prefix} is already used by ${other}`;
  }
  if (f.category.trim() && !isCategory(f.category.trim())) errors.category = 'Select where the service is listed';
  if (f.noun.trim().length > NOUN_MAX) errors.noun = `What the citizen sends must be ${NOUN_MAX} characters or fewer`;
  const days = f.retentionDays.trim();
  if (days && (!/^\d{1,5}$/.test(days) || Number(days) < 1 || Number(days) > 36500))
    errors.retentionDays = 'Enter the number of days as a whole number between 1 and 36500, or leave it empty';
  return errors;
}

/** The title of another service (stored or draft) already using the prefix. */
async function prefixOwner(hub: Hub, id: string, prefix: string): Promise<string | undefined> {
  const stored = (await listServiceRows(hub.db)).find((r) => r.id !== id && r.referencePrefix === prefix);
  if (stored) return stored.title;
  const draft = (await listWorkingDrafts(hub, null)).find((d) => d.serviceId !== id && d.definition.referencePrefix === prefix);
  return draft && (draft.definition.title || draft.serviceId);
}

function sendSettingsPage(
  ctx: Koa.Context,
  hub: Hub,
  draft: WorkingDraft,
  form: SettingsForm,
  errors: Partial<Record<SettingName, string>> = {},
  status = 200,
): void {
  sendStaffPage(
    ctx,
    hub,
    'services/settings.njk',
    {
      title: `Settings of ${draft.definition.title || draft.serviceId}`,
      section: 'services',
      service: { id: draft.serviceId, title: draft.definition.title || draft.serviceId },
      revision: draft.revision,
      form,
      categories: Object.entries(SERVICE_CATEGORIES).map(([value, text]) => ({ value, text, checked: form.category === value })),
      errors,
      errorSummary: errorSummary(errors),
    },
    status,
  );
}
