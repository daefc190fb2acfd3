// Turns a question into the govuk-frontend component (macro name + params) that asks it, with its value and error.
import { fileSizeText, uploadTypeNames, type Field } from '../services/index.ts';
import { locationComponent } from './location/component.ts';
import type { LocationMap } from './location/map.ts';

export interface Component {
  macro: 'input' | 'textarea' | 'radios' | 'checkboxes' | 'select' | 'dateInput' | 'fileUpload' | 'group' | 'location';
  params: Record<string, unknown>;
  /** For a fieldset of several inputs (address, date and time): its parts. */
  parts?: Component[];
}

export type ErrorsByField = Map<string, string>;

const TYPE_ATTRS: Record<string, Record<string, unknown>> = {
  email: { type: 'email', autocomplete: 'email', spellcheck: false },
  phone: { type: 'tel', autocomplete: 'tel' },
  number: { inputmode: 'numeric' },
};

function label(field: Field, asPageHeading: boolean) {
  return asPageHeading ? { text: field.label, isPageHeading: true, classes: 'govuk-label--l' } : { text: field.label, classes: 'govuk-label--s' };
}

function legend(field: Field, asPageHeading: boolean) {
  return asPageHeading
    ? { text: field.label, isPageHeading: true, classes: 'govuk-fieldset__legend--l' }
    : { text: field.label, classes: 'govuk-fieldset__legend--s' };
}

function errorFor(errors: ErrorsByField, id: string) {
  const message = errors.get(id);
  return message ? { text: message } : undefined;
}

/** Split a stored "YYYY-MM-DD[THH:mm]" (or the parts just posted) into the date input's values. */
function dateParts(value: unknown): { day: string; month: string; year: string; time: string } {
  if (value && typeof value === 'object') {
    const v = value as Record<string, string>;
    return { day: v.day ?? '', month: v.month ?? '', year: v.year ?? '', time: v.time ?? '' };
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(String(value ?? ''));
  return m ? { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])), time: m[4] ?? '' } : { day: '', month: '', year: '', time: '' };
}

/** What a file question accepts, from its settings (so the hint cannot disagree with the check). */
export function fileHint(field: Extract<Field, { type: 'file' }>): string {
  const names = uploadTypeNames(field.accept);
  const types = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];
  const count = field.multiple ? `You can upload up to ${field.maxFiles} files. Each` : 'The file';
  return `${count} must be a ${types} and smaller than ${fileSizeText(field.maxSize)}.`;
}

/**
 * The component for one question. `conditionalHtml` maps an option value to HTML revealed under it (questions on the
 * same page that depend on that option). `uploaded` lists files already received for a file question.
 */
export function componentFor(
  field: Field,
  value: unknown,
  errors: ErrorsByField,
  options: { asPageHeading: boolean; conditionalHtml?: Map<string, string>; uploaded?: string[]; map?: LocationMap | null },
): Component {
  const hint = field.hint ? { text: field.hint } : undefined;
  const common = { id: field.id, name: field.id, hint, errorMessage: errorFor(errors, field.id) };
  switch (field.type) {
    case 'text':
    case 'email':
    case 'phone':
    case 'number':
      return {
        macro: 'input',
        params: {
          ...common,
          label: label(field, options.asPageHeading),
          value: value === undefined ? '' : String(value),
          ...(TYPE_ATTRS[field.type]
            ? {
                type: TYPE_ATTRS[field.type]!.type,
                inputmode: TYPE_ATTRS[field.type]!.inputmode,
                autocomplete: TYPE_ATTRS[field.type]!.autocomplete,
                spellcheck: TYPE_ATTRS[field.type]!.spellcheck,
              }
            : {}),
          classes: field.type === 'number' ? 'govuk-input--width-5' : field.type === 'phone' ? 'govuk-input--width-20' : undefined,
        },
      };
    case 'textarea':
      return { macro: 'textarea', params: { ...common, label: label(field, options.asPageHeading), value: value === undefined ? '' : String(value), rows: 6 } };
    case 'radios':
    case 'checkboxes': {
      const selected = new Set(Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);
      return {
        macro: field.type,
        params: {
          ...common,
          idPrefix: field.id,
          fieldset: { legend: legend(field, options.asPageHeading) },
          items: field.options.map((o) => ({
            value: o.value,
            text: o.label,
            hint: o.hint ? { text: o.hint } : undefined,
            checked: selected.has(o.value),
            conditional: options.conditionalHtml?.get(o.value) ? { html: options.conditionalHtml.get(o.value) } : undefined,
          })),
        },
      };
    }
    case 'select':
      return {
        macro: 'select',
        params: {
          ...common,
          label: label(field, options.asPageHeading),
          items: [{ value: '', text: 'Choose an option' }, ...field.options.map((o) => ({ value: o.value, text: o.label, selected: value === o.value }))],
        },
      };
    case 'date':
    case 'datetime': {
      const parts = dateParts(value);
      const error = errorFor(errors, field.id);
      const date: Component = {
        macro: 'dateInput',
        params: {
          id: field.id,
          namePrefix: field.id,
          fieldset: { legend: legend(field, options.asPageHeading) },
          hint: hint ?? { text: 'For example, 27 3 2026' },
          errorMessage: error,
          items: [
            { name: 'day', label: 'Day', classes: `govuk-input--width-2${error ? ' govuk-input--error' : ''}`, value: parts.day },
            { name: 'month', label: 'Month', classes: `govuk-input--width-2${error ? ' govuk-input--error' : ''}`, value: parts.month },
            { name: 'year', label: 'Year', classes: `govuk-input--width-4${error ? ' govuk-input--error' : ''}`, value: parts.year },
          ],
        },
      };
      if (field.type === 'date') return date;
      return {
        macro: 'group',
        params: { legend: legend(field, options.asPageHeading), hint, errorMessage: error, id: field.id },
        parts: [
          {
            ...date,
            params: {
              ...date.params,
              fieldset: { legend: { text: 'Date', classes: 'govuk-fieldset__legend--s' } },
              hint: { text: 'For example, 27 3 2026' },
              errorMessage: undefined,
            },
          },
          {
            macro: 'input',
            params: {
              id: `${field.id}.time`,
              name: `${field.id}[time]`,
              label: { text: 'Time' },
              hint: { text: 'Use the 24-hour clock, for example 21:30' },
              classes: 'govuk-input--width-5',
              value: parts.time,
            },
          },
        ],
      };
    }
    case 'address': {
      const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      const part = (key: string, text: string, classes?: string, autocomplete?: string): Component => ({
        macro: 'input',
        params: {
          id: `${field.id}.${key}`,
          name: `${field.id}[${key}]`,
          label: { text },
          value: v[key] === undefined ? '' : String(v[key]),
          classes,
          autocomplete,
          errorMessage: errorFor(errors, `${field.id}.${key}`),
        },
      });
      const parts = [
        part('line1', 'Address line 1', undefined, 'address-line1'),
        part('line2', 'Address line 2 (optional)', undefined, 'address-line2'),
        part('town', 'Town or city', 'govuk-!-width-two-thirds', 'address-level2'),
        part('postcode', 'Postcode', 'govuk-input--width-10', 'postal-code'),
      ];
      if (field.allowLocationOnly) {
        parts.push(
          part('easting', 'Easting (optional, if there is no address)', 'govuk-input--width-10'),
          part('northing', 'Northing (optional)', 'govuk-input--width-10'),
        );
      }
      return { macro: 'group', params: { id: field.id, legend: legend(field, options.asPageHeading), hint, errorMessage: errorFor(errors, field.id) }, parts };
    }
    case 'location':
      return locationComponent(field, value, errors, options.asPageHeading, options.map ?? null);
    case 'file':
      return {
        macro: 'fileUpload',
        params: {
          ...common,
          label: label(field, options.asPageHeading),
          hint: { text: `${field.hint ? `${field.hint} ` : ''}${fileHint(field)}` },
          attributes: { accept: field.accept.join(','), ...(field.multiple ? { multiple: true } : {}) },
          uploaded: options.uploaded ?? [],
        },
      };
    default:
      // Content, exit, declaration, money and "add another" questions: drawn by the pages issue 20 adds.
      throw new Error(`no component for ${field.type} questions yet`);
  }
}
