// What a question page shows, from the definition, the answers so far and the errors: the components (questions revealed
// under the option they depend on), the title and heading, the error summary. Shared by the citizen's form, the
// designer's "try it" and its page-by-page preview, so all three show the same page.
import type { FieldError } from '../../errors.ts';
import { errorMessages, pageTitle, type Field, type FileField, type ReceivedFile, type ServiceDefinition } from '../../services/index.ts';
import { componentFor, type Component, type ErrorsByField } from '../../forms/components.ts';
import { visibleFields, type FormPage } from '../../forms/pages.ts';
import type { FormSession } from '../../forms/session.ts';
import type { LocationMap } from '../../forms/location/map.ts';
import type { MultipartResult } from '../multipart.ts';
import { renderPage } from '../pages/index.ts';
import { itemHasAnswers, listAnswer } from '../../forms/form-input.ts';

/**
 * Error summary entries, one per problem. Messages name their question, so they differ; should two still read the same
 * (two address questions on one page), the later ones also quote their question.
 */
export function summaryOf(errors: FieldError[], fields: Field[], href: (e: FieldError) => string): { text: string; href: string }[] {
  const seen = new Set<string>();
  return errors.map((e) => {
    const label = fields.find((f) => f.id === e.field.split('.')[0])?.label;
    const text = seen.has(e.message) && label ? `${e.message} (${label.replace(/\s*\(optional\)\s*$/i, '')})` : e.message;
    seen.add(e.message);
    return { text, href: href(e) };
  });
}

/** GOV.UK's file upload errors for files the page refused, one per question. */
export function uploadErrors(parsed: Pick<MultipartResult, 'refused' | 'tooManyFiles'>, fileFields: Map<string, FileField>): FieldError[] {
  const errors = new Map<string, string>();
  for (const r of parsed.refused) {
    const f = fileFields.get(r.fieldId);
    if (f && !errors.has(f.id)) errors.set(f.id, r.reason === 'type' ? errorMessages.fileType(f) : errorMessages.fileSize(f));
  }
  const first = [...fileFields.values()][0];
  if (parsed.tooManyFiles && first && !errors.has(first.id))
    errors.set(first.id, first.multiple ? errorMessages.tooManyFiles(first.maxFiles) : errorMessages.oneFile());
  return [...errors].map(([field, message]) => ({ field, message }));
}

export function filesMap(session: Pick<FormSession, 'files'>): Map<string, ReceivedFile[]> {
  const map = new Map<string, ReceivedFile[]>();
  for (const f of session.files)
    map.set(f.fieldId, [...(map.get(f.fieldId) ?? []), { documentId: f.documentId, name: f.name, contentType: f.contentType, size: f.size }]);
  return map;
}

/** Field ids an error belongs to: "noiseSource.postcode" belongs to noiseSource. */
export function errorsOnPage(errors: FieldError[], fields: Field[]): FieldError[] {
  const ids = new Set(fields.map((f) => f.id));
  return errors.filter((e) => ids.has(e.field.split('.')[0]!));
}

/** Anchor of the input an error summary link should focus. */
export function anchorFor(field: Field | undefined, errorField: string): string {
  if (!field) return errorField;
  if (field.type === 'list') {
    // people.0.dob → the day of person 1's date; people.0.name → its input; people → the list's group.
    const sub = field.fields.find((f) => f.id === errorField.split('.')[2]);
    return sub?.type === 'date' ? `${errorField}-day` : errorField;
  }
  if (errorField.includes('.')) return errorField;
  if (field.type === 'radios' || field.type === 'checkboxes') return field.id;
  if (field.type === 'date') return `${field.id}-day`;
  if (field.type === 'datetime') return `${field.id}-day`;
  if (field.type === 'address') return `${field.id}.line1`;
  if (field.type === 'location') return `${field.id}.description`;
  return field.id;
}

/** The question page's content (without the council, addresses and back link, which depend on where it is served). */
export function questionPageView(
  def: ServiceDefinition,
  page: FormPage,
  values: Record<string, unknown>,
  errors: FieldError[],
  session: Pick<FormSession, 'files'> | null,
  map: LocationMap | null = null,
): Record<string, unknown> {
  const fields = visibleFields(page, values);
  const byField: ErrorsByField = new Map(errors.map((e) => [e.field, e.message]));
  const single = fields.length === 1;
  // Questions that depend on an option of another question on this page are revealed under that option.
  const dependents = new Map<string, Map<string, Field[]>>();
  for (const f of fields) {
    const cond = f.showIf;
    const controller =
      cond && fields.find((c): c is Extract<Field, { options: unknown }> => c.id === cond.field && (c.type === 'radios' || c.type === 'checkboxes'));
    if (!cond || !controller) continue;
    const m = dependents.get(controller.id) ?? new Map<string, Field[]>();
    for (const value of revealingValues(cond, controller)) m.set(value, [...(m.get(value) ?? []), f]);
    dependents.set(controller.id, m);
  }
  const nested = new Set([...dependents.values()].flatMap((m) => [...m.values()].flat().map((f) => f.id)));
  const uploadedFor = (id: string) => (session?.files ?? []).filter((x) => x.fieldId === id).map((x) => x.name);
  const build = (f: Field, asHeading: boolean): Component => {
    const conditionalHtml = new Map<string, string>();
    for (const [value, deps] of dependents.get(f.id) ?? []) {
      conditionalHtml.set(value, deps.map((d) => renderPage('component.njk', { c: build(d, false) })).join(''));
    }
    return componentFor(f, values[f.id], byField, { asPageHeading: asHeading, conditionalHtml, uploaded: uploadedFor(f.id), map });
  };
  const components = fields.filter((f) => !nested.has(f.id)).map((f) => build(f, single && !nested.size));
  return {
    // An exit page ends the form: no Continue, no saving for later.
    exitPage: fields.some((f) => f.type === 'exit'),
    listPage: fields.some((f) => f.type === 'list'),
    title: single ? fields[0]!.label : pageTitle(def, page.id),
    serviceName: def.title,
    pageHeading: single && !nested.size ? null : pageTitle(def, page.id),
    components,
    errorSummary: errors.length
      ? summaryOf(
          errors,
          def.fields,
          (e) =>
            `#${anchorFor(
              def.fields.find((f) => f.id === e.field.split('.')[0]),
              e.field,
            )}`,
        )
      : null,
  };
}

/** While re-showing a page with errors, date inputs keep exactly what was typed. */
export function rawDates(fields: Field[], posted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.type === 'list') {
      // An item's dates too: the items kept (those not left empty, as the errors count them), with their typed parts.
      const typed = Array.isArray(posted[f.id]) ? Array.from(posted[f.id] as unknown[], (item) => (item ?? {}) as Record<string, unknown>) : [];
      const converted = listAnswer(f, typed) ?? [];
      const kept = typed.flatMap((item, i) => (itemHasAnswers(converted[i]!) ? [{ ...converted[i]!, ...rawDates(f.fields as Field[], item) }] : []));
      if (kept.length) out[f.id] = kept;
      continue;
    }
    if (f.type !== 'date' && f.type !== 'datetime') continue;
    out[f.id] = {
      day: posted[`${f.id}-day`] ?? '',
      month: posted[`${f.id}-month`] ?? '',
      year: posted[`${f.id}-year`] ?? '',
      time: (posted[f.id] as { time?: string } | undefined)?.time ?? '',
    };
  }
  return out;
}

/**
 * The options of a same-page controller that reveal a dependent question. "Is not" reveals under every other option of
 * radios (one answer); under checkboxes (several) it cannot be tied to one box, so the question stays on the page.
 */
function revealingValues(cond: NonNullable<Field['showIf']>, controller: Extract<Field, { options: unknown }>): string[] {
  if (cond.notIn) return controller.type === 'radios' ? controller.options.map((o) => o.value).filter((v) => !cond.notIn!.includes(v)) : [];
  return cond.equals !== undefined ? [cond.equals] : (cond.in ?? []);
}
