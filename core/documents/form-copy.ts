// The stored copy of a submitted form: JSON for machines, a self-contained HTML page for people (back office, auditors).
import type { ServiceDefinition, Field, ListField, ListItemField } from '../services/index.ts';
import { asksSomething, isFieldShown } from '../services/index.ts';
import { ukAnswerDate, ukDateTime } from '@closeloop/sdk';

export interface FormCopyInput {
  definition: ServiceDefinition;
  version: number;
  reference: string;
  processId: string;
  submittedAt: Date;
  answers: Record<string, unknown>;
}

export function formCopyJson(input: FormCopyInput): string {
  return JSON.stringify(
    {
      service: { id: input.definition.id, title: input.definition.title, version: input.version },
      processId: input.processId,
      reference: input.reference,
      submittedAt: input.submittedAt.toISOString(),
      answers: input.answers,
    },
    null,
    2,
  );
}

export function formCopyHtml(input: FormCopyInput): string {
  const rows = input.definition.fields
    .filter((f) => asksSomething(f) && isFieldShown(f, input.answers))
    .map(
      (f) =>
        `<tr><th scope="row">${esc(f.label)}</th><td>${f.type === 'list' ? listInFull(f, input.answers[f.id]) : displayAnswer(f, input.answers[f.id])}</td></tr>`,
    )
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.reference)} – ${esc(input.definition.title)}</title>
<style>body{font-family:Arial,sans-serif;margin:2em;color:#0b0c0c}table{border-collapse:collapse}th,td{text-align:left;vertical-align:top;border-bottom:1px solid #b1b4b6;padding:.5em 1em .5em 0}th{width:40%}</style>
</head><body>
<h1>${esc(input.definition.title)}</h1>
<p>Reference <strong>${esc(input.reference)}</strong>, sent ${esc(ukDateTime(input.submittedAt))} (form version ${input.version}).</p>
<table>
${rows}
</table>
</body></html>
`;
  return html;
}

/** An amount kept as "1250.00", as people read it: "£1,250.00". */
export function poundsAndPence(value: unknown): string {
  const amount = Number(value);
  if (typeof value === 'boolean' || value === '' || !Number.isFinite(amount)) return String(value);
  return `£${amount.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A list's items, one a line, each its answers in the order asked: "Ann, 7". */
function listInShort(field: ListField, value: unknown): string {
  const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  return items
    .map((item) =>
      field.fields
        .filter((sub) => item?.[sub.id] !== undefined && item[sub.id] !== '')
        .map((sub) => displayAnswer(sub, item[sub.id]))
        .join(', '),
    )
    .join('<br>');
}

/** A list's items in full, for the form copy: "Person 1", then each question and answer. */
export function listInFull(field: ListField, value: unknown): string {
  const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  if (!items.length) return '<em>Not answered</em>';
  return items
    .map((item, i) => {
      const lines = field.fields
        .filter((sub) => item?.[sub.id] !== undefined && item[sub.id] !== '')
        .map((sub) => `${esc(sub.label)}: ${displayAnswer(sub, item[sub.id])}`);
      return `<strong>${esc(field.itemName.charAt(0).toUpperCase() + field.itemName.slice(1))} ${i + 1}</strong><br>${lines.join('<br>')}`;
    })
    .join('<br><br>');
}

/** An answer as escaped HTML text. */
export function displayAnswer(field: Field | ListItemField, value: unknown): string {
  if (value === undefined || value === null || value === '') return '<em>Not answered</em>';
  switch (field.type) {
    case 'money':
      return esc(poundsAndPence(value));
    case 'declaration':
      return value === true ? 'Confirmed' : esc(String(value));
    case 'list':
      return listInShort(field, value);
    case 'content':
    case 'exit':
      return '';
    case 'select':
    case 'radios':
      return esc(field.options.find((o) => o.value === value)?.label ?? String(value));
    case 'checkboxes':
      return (value as string[]).map((v) => esc(field.options.find((o) => o.value === v)?.label ?? v)).join('<br>');
    case 'address': {
      const a = value as Record<string, unknown>;
      const lines = [a.line1, a.line2, a.town, a.postcode].filter(Boolean).map((l) => esc(String(l)));
      if (a.uprn !== undefined) lines.push(`UPRN ${esc(String(a.uprn))}`);
      if (a.easting !== undefined) lines.push(`Easting ${esc(String(a.easting))}, northing ${esc(String(a.northing))}`);
      if (a.latitude !== undefined) lines.push(`Latitude ${esc(String(a.latitude))}, longitude ${esc(String(a.longitude))}`);
      return lines.join('<br>');
    }
    case 'location': {
      const l = value as { description?: string; nearest?: { label: string }; easting?: number; northing?: number; latitude?: number; longitude?: number };
      const lines: string[] = [];
      if (l.description) lines.push(esc(l.description).replace(/\n/g, '<br>'));
      if (l.nearest) lines.push(`Nearest address: ${esc(l.nearest.label)}`);
      if (l.easting !== undefined) lines.push(`Easting ${esc(String(l.easting))}, northing ${esc(String(l.northing))}`);
      if (l.latitude !== undefined) lines.push(`Latitude ${esc(String(l.latitude))}, longitude ${esc(String(l.longitude))}`);
      return lines.join('<br>');
    }
    case 'file':
      return (value as { name: string; size: number }[]).map((f) => `${esc(f.name)} (${Math.ceil(f.size / 1024)} KB)`).join('<br>');
    case 'textarea':
      return esc(String(value)).replace(/\n/g, '<br>');
    case 'date':
    case 'datetime':
      return esc(ukAnswerDate(String(value)));
    default:
      return esc(String(value));
  }
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
