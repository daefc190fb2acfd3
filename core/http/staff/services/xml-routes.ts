// The mapping editor at /staff/services/{id}/xml: the XSD's element tree with where each value comes from, a "Change"
// link per row (one element per form, so it works without JavaScript), the required elements not yet mapped, anything
// in the mapping the tree cannot show (kept as it is), and the live preview of the XML for sample answers.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Hub } from '../../../hub.ts';
import { NotFoundError } from '../../../errors.ts';
import { editDraft } from '../../../designer/drafts.ts';
import {
  attributeAt,
  elementAt,
  missingRequiredElements,
  unrepresentedRows,
  applyRowEdit,
  asValueSpec,
  type DraftMapping,
} from '../../../designer/xml-mapping-rows.ts';
import { flattenTree, type XsdTreeNode } from '../../../designer/xsd-tree.ts';
import { previewXml, type XmlPreview } from '../../../designer/xml-preview.ts';
import { staffWithRole } from '../admin-access.ts';
import { formBody } from '../form-body.ts';
import { errorSummary, sendStaffPage } from '../page-context.ts';
import { renderStaffPage } from '../render.ts';
import { editorOf, postedRevision } from './draft-access.ts';
import { DESIGNER_ROLES } from './designer-roles.ts';
import { nodeAt, rowId, xmlEditorContext, type XmlEditorContext } from './xml-context.ts';
import {
  answerOptions,
  eachOptions,
  formatOptions,
  formValues,
  itemOptions,
  listQuestion,
  lookupRows,
  postedValues,
  PROCESS_FIELDS,
  rowEditFrom,
  selectItems,
  suggestedFormat,
  type RowContext,
  type RowFormValues,
} from './xml-row-form.ts';
import { elementInWords, occursInWords, typeInWords, valueInWords } from './xml-words.ts';

export function mountXmlMapping(router: Router, hub: Hub): void {
  const guard = staffWithRole(...DESIGNER_ROLES);

  router.get('/services/:id/xml', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    const preview = previewOf(hub, context);
    sendStaffPage(ctx, hub, 'services/xml.njk', {
      title: `XML mapping – ${context.draft.definition.title}`,
      section: 'services',
      ...pageBasics(context),
      rows: context.tree && context.mapping ? treeRows(context, preview) : [],
      missing:
        context.tree && context.mapping
          ? missingRequiredElements(context.tree, context.mapping).map((m) => ({ ...m, href: rowHref(context.serviceId, m.path) }))
          : [],
      others:
        context.tree && context.mapping ? unrepresentedRows(context.tree, context.mapping).map((r) => ({ path: r.path, yaml: JSON.stringify(r.spec) })) : [],
      preview: previewView(context.serviceId, preview),
    });
  });

  router.get('/services/:id/xml/row', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    const { path, row } = rowOf(ctx, context);
    const spec = row.node.kind === 'attribute' ? undefined : elementAt(context.mapping!, path);
    const value = row.node.kind === 'attribute' ? asValueSpec(attributeAt(context.mapping!, path)) : spec?.value;
    const values = formValues(value, spec);
    // A row not mapped yet starts with the format its XSD type needs (a date, a boolean…).
    if (!value) values.format = suggestedFormat(row.node) ?? '';
    sendRowPage(ctx, hub, context, path, row, values, {});
  });

  router.post('/services/:id/xml/row', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    const { path, row } = rowOf(ctx, context);
    const revision = postedRevision(ctx);
    const values = postedValues(formBody(ctx));
    const parsed = rowEditFrom(values, rowContext(context, row));
    if ('errors' in parsed) return sendRowPage(ctx, hub, context, path, row, values, parsed.errors, 400);
    const next = applyRowEdit(context.mapping!, context.tree!, path, parsed.edit);
    const change = parsed.edit.value
      ? `mapped <${path}> to ${valueInWords(
          parsed.edit.value,
          context.draft.definition,
          parsed.edit.each?.answer ? `answer:${parsed.edit.each.answer}` : row.inRepeat,
        )
          .replace(/^The/, 'the')
          .replace(/^Each/, 'each')}`
      : `changed the mapping of <${path}>`;
    await editDraft(hub, editorOf(ctx), context.serviceId, revision, change, (d) => {
      d.xml = { xsd: context.xsd!, mapping: next };
    });
    ctx.redirect(`/staff/services/${context.serviceId}/xml#${rowId(path)}`);
  });

  // JavaScript's live preview: the XML this row's form would give, before it is saved (nothing is stored).
  router.post('/services/:id/xml/preview', ...guard, async (ctx) => {
    const context = await xmlEditorContext(ctx, hub, ctx.params.id!);
    let preview = previewOf(hub, context);
    const path = typeof ctx.query.path === 'string' ? ctx.query.path : '';
    const row = path && context.tree && context.mapping ? nodeAt(context.tree, context.mapping, path) : null;
    if (row) {
      const parsed = rowEditFrom(postedValues(formBody(ctx)), rowContext(context, row));
      if ('edit' in parsed) preview = previewOf(hub, { ...context, mapping: applyRowEdit(context.mapping!, context.tree!, path, parsed.edit) });
    }
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderStaffPage('services/xml-preview-fragment.njk', { preview: previewView(context.serviceId, preview) });
  });
}

function pageBasics(context: XmlEditorContext) {
  return {
    serviceId: context.serviceId,
    serviceTitle: context.draft.definition.title,
    draft: context.draft,
    xsd: context.xsd,
    mapping: context.mapping,
    problem: context.problem,
  };
}

function previewOf(hub: Hub, context: XmlEditorContext): XmlPreview | null {
  if (!context.xsd || !context.mapping || context.problem) return null;
  return previewXml(context.draft.definition, context.mapping, hub.config.paths.xsd, context.xsd);
}

function previewView(serviceId: string, preview: XmlPreview | null) {
  if (!preview) return null;
  return {
    xml: preview.xml,
    valid: preview.valid,
    errors: preview.errors.map((e) => ({
      ...e,
      href: e.path !== null ? rowHref(serviceId, e.path) : null,
      anchor: e.path !== null ? `#${rowId(e.path)}` : null,
    })),
  };
}

function rowHref(serviceId: string, path: string): string {
  return `/staff/services/${serviceId}/xml/row?path=${encodeURIComponent(path)}`;
}

function treeRows(context: XmlEditorContext, preview: XmlPreview | null) {
  const mapping = context.mapping as DraftMapping;
  const missing = new Set(missingRequiredElements(context.tree!, mapping).map((m) => m.path));
  const faulty = new Set((preview?.errors ?? []).map((e) => e.path));
  const nodes: XsdTreeNode[] = [...context.tree!.attributes, ...flattenTree(context.tree!.children)];
  return nodes.map((node) => {
    const parts = node.path.split('/');
    const spec = node.kind === 'element' ? elementAt(mapping, node.path) : undefined;
    return {
      id: rowId(node.path),
      path: node.path,
      name: node.kind === 'attribute' ? `${node.name} (attribute)` : node.name,
      parent: parts.slice(0, -1).join(' / '),
      depth: parts.length - 1,
      wants: `${occursInWords(node)}. ${typeInWords(node)}`,
      source:
        node.kind === 'attribute'
          ? valueInWords(attributeAt(mapping, node.path), context.draft.definition, repeatAbove(context, node.path))
          : elementInWords(spec, node, context.draft.definition, repeatAbove(context, node.path)),
      missing: missing.has(node.path),
      faulty: faulty.has(node.path),
      href: rowHref(context.serviceId, node.path),
      editable: !node.recursive,
    };
  });
}

/** What an element above this row repeats for ("answer:people"), if any. */
function repeatAbove(context: XmlEditorContext, path: string): string | null {
  return nodeAt(context.tree!, context.mapping!, path)?.inRepeat ?? null;
}

function rowOf(ctx: Koa.Context, context: XmlEditorContext) {
  const path = typeof ctx.query.path === 'string' ? ctx.query.path : '';
  const row = context.tree && context.mapping && path.length < 1000 ? nodeAt(context.tree, context.mapping, path) : null;
  if (!row || row.node.recursive) throw new NotFoundError('There is no such element in the XSD. Go back to the mapping and choose one from the list.');
  return { path, row };
}

function rowContext(context: XmlEditorContext, row: { node: XsdTreeNode; inRepeat: string | null }): RowContext {
  return { node: row.node, definition: context.draft.definition, inRepeat: row.inRepeat };
}

function sendRowPage(
  ctx: Koa.Context,
  hub: Hub,
  context: XmlEditorContext,
  path: string,
  row: { node: XsdTreeNode; inRepeat: string | null },
  values: RowFormValues,
  errors: Record<string, string>,
  status = 200,
): void {
  const { node } = row;
  const enumeration = node.simple?.enumeration ?? [];
  const definition = context.draft.definition;
  sendStaffPage(
    ctx,
    hub,
    'services/xml-row.njk',
    {
      title: `${node.name} – XML mapping – ${definition.title}`,
      section: 'services',
      ...pageBasics(context),
      path,
      node,
      parent: path.split('/').slice(0, -1).join(' / '),
      wants: `${occursInWords(node)}. ${typeInWords(node)}.`,
      isElement: node.kind === 'element',
      leaf: !!node.simple,
      canRepeat: node.kind === 'element' && (node.maxOccurs === null || node.maxOccurs > 1 || values.each !== ''),
      inRepeat: !!row.inRepeat || values.each !== '',
      values,
      enumeration,
      answerItems: selectItems(answerOptions(definition), values.answer, 'Select an answer'),
      processItems: selectItems(PROCESS_FIELDS, values.process, 'Select a case detail'),
      constantItems: enumeration.length
        ? selectItems(
            enumeration.map((v) => ({ value: v, text: v })),
            values.constant,
            'Select a value',
          )
        : null,
      itemItems: selectItems(itemOptions(definition, values.each || row.inRepeat), values.item, 'Select a part of the item'),
      repeatItemName: listQuestion(definition, values.each || row.inRepeat)?.itemName ?? null,
      eachItems: selectItems(eachOptions(definition), values.each),
      formatItems: selectItems(formatOptions(), values.format),
      suggestedFormat: suggestedFormat(node),
      lookupRows: lookupRows(values, rowContext(context, row)).map((r, i) => ({
        ...r,
        index: i,
        codeItems: enumeration.length
          ? selectItems(
              enumeration.map((v) => ({ value: v, text: v })),
              r.code,
              'No code',
            )
          : null,
      })),
      previewAction: `/staff/services/${context.serviceId}/xml/preview?path=${encodeURIComponent(path)}`,
      preview: previewView(context.serviceId, previewOf(hub, context)),
      errors,
      errorSummary: errorSummary(errors),
    },
    status,
  );
}
