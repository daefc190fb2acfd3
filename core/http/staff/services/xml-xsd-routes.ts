// Choosing the back office's XSD (a file of the XSD folder, or one the council uploaded), uploading one (checked safely:
// no DOCTYPE, nothing included from outside, size-limited, must compile), and the mapping's root element and
// namespaces. Names and namespace URIs that would break the XML are refused with a message, as every other bad input.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { editDraft } from '../../../designer/drafts.ts';
import { uploadXsd, xsdChoices, schemaFilesOf } from '../../../designer/xsd-choices.ts';
import { globalElements } from '../../../designer/xsd-tree.ts';
import type { DraftMapping } from '../../../designer/xml-mapping-rows.ts';
import { XML_NAME, XML_PREFIX } from '../../../xml/index.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { errorSummary, sendStaffPage } from '../page-context.ts';
import { editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { rootElementsOf, xmlEditorContext, type XmlEditorContext } from './xml-context.ts';
import { readXsdUpload, xsdUploadOf } from './xsd-upload-body.ts';

/** An absolute URI with nothing that could leave an attribute value or break a name: no spaces, quotes or brackets. */
const NAMESPACE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"'<>{}|\\^`]+$/;

export function mountXsdChoice(router: Router, hub: Hub): void {
  const guard = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:id/xml/xsd', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    await sendXsdPage(ctx, hub, context, {});
  });

  router.post('/services/:id/xml/xsd', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    const revision = postedRevision(ctx);
    const chosen = formBody(ctx).xsd ?? '';
    const choices = await xsdChoices(hub.db, hub.config.paths.xsd, context.draft.council);
    if (!choices.some((c) => c.file === chosen)) return sendXsdPage(ctx, hub, context, { xsd: 'Select the XSD the back office uses' }, 400);
    await useXsd(ctx, hub, context, chosen, revision);
  });

  // Multipart: the body is read (size-limited) before requireStaff, which then checks its _csrf field.
  router.post('/services/:id/xml/xsd/upload', readXsdUpload(), ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    const revision = postedRevision(ctx);
    const upload = xsdUploadOf(ctx);
    if (!upload) return sendXsdPage(ctx, hub, context, { xsdFile: 'Select an XSD file' }, 400);
    if (upload.tooLarge) return sendXsdPage(ctx, hub, context, { xsdFile: 'The selected file must be smaller than 1 MB' }, 400);
    const outcome = await uploadXsd(hub.db, editorOf(ctx), context.draft.council, upload.fileName, upload.bytes);
    if (!outcome.ok) return sendXsdPage(ctx, hub, context, { xsdFile: outcome.message }, 400);
    await useXsd(ctx, hub, context, outcome.file, revision);
  });

  router.get('/services/:id/xml/settings', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    if (!context.xsd) return ctx.redirect(`/staff/services/${context.serviceId}/xml/xsd`);
    const m = context.mapping;
    sendSettingsPage(ctx, hub, context, { root: m?.root ?? '', namespace: m?.namespace ?? '', prefixes: prefixesText(m?.namespaces) }, {});
  });

  router.post('/services/:id/xml/settings', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    if (!context.xsd) return ctx.redirect(`/staff/services/${context.serviceId}/xml/xsd`);
    const revision = postedRevision(ctx);
    const body = formBody(ctx);
    const form = { root: body.root ?? '', namespace: (body.namespace ?? '').trim(), prefixes: body.prefixes ?? '' };
    const errors: Record<string, string> = {};
    const roots = rootElementsOf(context).map((r) => r.name);
    if (!form.root) errors.root = 'Select the root element';
    else if (!XML_NAME.test(form.root))
      errors.root = `“${form.root.slice(0, 60)}” cannot be an XML element name: use letters, digits, hyphens, dots and underscores`;
    else if (!roots.includes(form.root.replace(/^[^:]*:/, '')) && form.root !== context.mapping?.root)
      errors.root = 'Select one of the root elements the XSD declares';
    if (form.namespace && !NAMESPACE_URI.test(form.namespace))
      errors.namespace = 'Enter the namespace as a URI without spaces, quotes or angle brackets, like urn:example-council:envhealth:v1';
    const namespaces: Record<string, string> = {};
    for (const [i, line] of form.prefixes.split(/\r?\n/).entries()) {
      if (!line.trim()) continue;
      const [prefix, uri, ...rest] = line.trim().split(/\s+/);
      if (!prefix || !uri || rest.length || !XML_PREFIX.test(prefix) || /^xml/i.test(prefix) || !NAMESPACE_URI.test(uri)) {
        errors.prefixes = `Line ${i + 1}: enter a prefix (letters, digits, hyphens, dots, underscores; not starting with “xml”), a space, then its namespace URI`;
        break;
      }
      namespaces[prefix] = uri;
    }
    const rootPrefix = form.root.includes(':') ? form.root.split(':')[0]! : null;
    if (!errors.root && rootPrefix && !namespaces[rootPrefix]) errors.root = `The prefix “${rootPrefix}” needs its namespace in the list of prefixes`;
    if (Object.keys(errors).length) return sendSettingsPage(ctx, hub, context, form, errors, 400);
    const old = context.mapping;
    const mapping: DraftMapping = { ...(old ?? { children: [] }), root: form.root };
    if (form.namespace) mapping.namespace = form.namespace;
    else delete mapping.namespace;
    if (Object.keys(namespaces).length) mapping.namespaces = namespaces;
    else delete mapping.namespaces;
    await editDraft(hub, editorOf(ctx), context.serviceId, revision, `set the XML root element to <${form.root}>`, (d) => {
      d.xml = { xsd: context.xsd!, mapping };
    });
    ctx.redirect(`/staff/services/${context.serviceId}/xml`);
  });
}

/** Saves the XSD choice; a new mapping starts at the XSD's first element (the settings page lets the admin pick another). */
async function useXsd(ctx: Koa.Context, hub: Hub, context: XmlEditorContext, file: string, revision: number): Promise<void> {
  const schema = schemaFilesOf(hub.config.paths.xsd, file);
  const roots = 'files' in schema ? globalElements(schema.files) : [];
  const kept = context.mapping && roots.some((r) => r.name === context.mapping!.root.replace(/^[^:]*:/, ''));
  const mapping: DraftMapping | undefined = kept
    ? context.mapping!
    : roots[0]
      ? { root: roots[0].name, ...(roots[0].namespace ? { namespace: roots[0].namespace } : {}), children: context.mapping?.children ?? [] }
      : (context.mapping ?? undefined);
  await editDraft(hub, editorOf(ctx), context.serviceId, revision, `chose the XSD ${file}`, (d) => {
    d.xml = { xsd: file, mapping };
  });
  ctx.redirect(`/staff/services/${context.serviceId}/xml${kept && roots.length <= 1 ? '' : '/settings'}`);
}

async function sendXsdPage(ctx: Koa.Context, hub: Hub, context: XmlEditorContext, errors: Record<string, string>, status = 200): Promise<void> {
  const choices = await xsdChoices(hub.db, hub.config.paths.xsd, context.draft.council);
  sendStaffPage(
    ctx,
    hub,
    'services/xml-xsd.njk',
    {
      title: `Choose the XSD – ${context.draft.definition.title}`,
      section: 'services',
      serviceId: context.serviceId,
      serviceTitle: context.draft.definition.title,
      draft: context.draft,
      choices: choices.map((c) => ({
        value: c.file,
        text: c.uploaded ? c.file.split('/').pop() : c.file,
        hint: { text: c.uploaded ? `Uploaded by ${c.uploaded.by}` : 'In the XSD folder' },
        checked: c.file === context.xsd,
      })),
      errors,
      errorSummary: errorSummary(errors),
    },
    status,
  );
}

function sendSettingsPage(
  ctx: Koa.Context,
  hub: Hub,
  context: XmlEditorContext,
  form: { root: string; namespace: string; prefixes: string },
  errors: Record<string, string>,
  status = 200,
): void {
  const roots = rootElementsOf(context);
  const items = roots.map((r) => ({ value: r.name, text: r.name, hint: r.namespace ? { text: `Namespace ${r.namespace}` } : undefined }));
  if (form.root && !roots.some((r) => r.name === form.root) && XML_NAME.test(form.root))
    items.push({ value: form.root, text: `${form.root} (as saved)`, hint: undefined });
  sendStaffPage(
    ctx,
    hub,
    'services/xml-settings.njk',
    {
      title: `Root element – ${context.draft.definition.title}`,
      section: 'services',
      serviceId: context.serviceId,
      serviceTitle: context.draft.definition.title,
      draft: context.draft,
      xsd: context.xsd,
      problem: 'problem' in context && context.files === null ? context.problem : null,
      rootItems: items.map((i) => ({ ...i, checked: i.value === form.root })),
      form,
      errors,
      errorSummary: errorSummary(errors),
    },
    status,
  );
}

function prefixesText(namespaces: Record<string, string> | undefined): string {
  return Object.entries(namespaces ?? {})
    .map(([p, uri]) => `${p} ${uri}`)
    .join('\n');
}
