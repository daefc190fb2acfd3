// Plausible answers for every question of a service, so check-config and the admin preview can prove a mapping yields
// valid XML before any citizen submits.
import { listMinItems, type Field, type ListItemField, type ServiceDefinition } from './definition.ts';

export interface SampleDocument {
  id: string;
  kind: string;
  fieldId: string | null;
  name: string;
  contentType: string;
  size: number;
  url: string;
}

export function sampleAnswers(def: ServiceDefinition): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  const exits = exitAnswers(def);
  for (const field of def.fields) {
    const v = sampleValue(field, exits);
    if (v !== undefined) answers[field.id] = v;
  }
  return answers;
}

export function sampleDocuments(
  def: ServiceDefinition,
  baseUrl = 'https://closeloop.example/api/v1/processes/00000000-0000-4000-8000-000000000000/documents',
): SampleDocument[] {
  const docs: SampleDocument[] = [
    {
      id: '00000000-0000-4000-8000-0000000000f1',
      kind: 'form-json',
      fieldId: null,
      name: 'form.json',
      contentType: 'application/json',
      size: 900,
      url: `${baseUrl}/00000000-0000-4000-8000-0000000000f1`,
    },
    {
      id: '00000000-0000-4000-8000-0000000000f2',
      kind: 'form-html',
      fieldId: null,
      name: 'form.html',
      contentType: 'text/html',
      size: 1800,
      url: `${baseUrl}/00000000-0000-4000-8000-0000000000f2`,
    },
  ];
  def.fields.forEach((f, i) => {
    if (f.type !== 'file') return;
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    docs.push({
      id,
      kind: 'evidence',
      fieldId: f.id,
      name: `evidence-${i}${extension(f.accept[0]!)}`,
      contentType: f.accept[0]!,
      size: 12345,
      url: `${baseUrl}/${id}`,
    });
  });
  return docs;
}

function extension(type: string): string {
  return { 'image/jpeg': '.jpg', 'image/png': '.png', 'application/pdf': '.pdf', 'audio/mpeg': '.mp3', 'video/mp4': '.mp4' }[type] ?? '.bin';
}

/** Per question, the option values that lead to an exit page (by goTo, or by an exit page's showIf): samples avoid them. */
function exitAnswers(def: ServiceDefinition): Map<string, Set<string>> {
  const exitPages = new Set(def.fields.filter((f) => f.type === 'exit').map((f) => f.page ?? f.id));
  const avoid = new Map<string, Set<string>>();
  const add = (id: string, value: string) => avoid.set(id, (avoid.get(id) ?? new Set()).add(value));
  for (const f of def.fields) {
    if (f.type === 'radios' || f.type === 'select') for (const o of f.options) if (o.goTo && exitPages.has(o.goTo)) add(f.id, o.value);
    if (f.type === 'exit' && f.showIf) for (const v of f.showIf.in ?? (f.showIf.equals !== undefined ? [f.showIf.equals] : [])) add(f.showIf.field, v);
  }
  return avoid;
}

function sampleValue(field: Field | ListItemField, exits: Map<string, Set<string>> = new Map()): unknown {
  switch (field.type) {
    case 'content':
    case 'exit':
      return undefined;
    case 'declaration':
      return true;
    case 'money':
      return (field.min ?? Math.min(25, field.max ?? 25)).toFixed(2);
    case 'list': {
      const item = Object.fromEntries(field.fields.map((sub) => [sub.id, sampleValue(sub)]).filter(([, v]) => v !== undefined));
      return Array.from({ length: Math.max(1, listMinItems(field)) }, () => ({ ...item }));
    }
    case 'text':
    case 'textarea': {
      if (field.pattern) return undefined; // cannot invent a value for an arbitrary pattern; optional elements are omitted
      const text = field.type === 'textarea' ? 'A sample description & some <angle brackets> to prove escaping.' : 'Sample text';
      return text.slice(0, field.maxLength ?? text.length).padEnd(field.minLength ?? 0, 'x');
    }
    case 'email':
      return 'citizen@example.com';
    case 'phone':
      return '01632 960001';
    case 'number':
      return field.min !== undefined ? field.min : field.max !== undefined ? Math.min(1, field.max) : 1;
    case 'date':
      return '2026-01-15';
    case 'datetime':
      return '2026-01-15T21:30';
    case 'select':
    case 'radios': {
      const avoid = exits.get(field.id);
      return (field.options.find((o) => !avoid?.has(o.value)) ?? field.options[0]!).value;
    }
    case 'checkboxes':
      return field.options.slice(0, 2).map((o) => o.value);
    case 'address':
      // In Exampleton, inside the example council's boundary (config/boundaries/example.geojson).
      return { line1: '1 Sample Street', town: 'Exampleton', postcode: 'EX1 1AA', easting: 452110, northing: 304190 };
    case 'location':
      return {
        easting: 452110.95,
        northing: 304189.75,
        latitude: 52.6345,
        longitude: -1.2316,
        description: 'On the verge by the bus stop',
        nearest: { uprn: '990000100001', label: '1 Sample Street, Exampleton, EX1 1AA', street: 'Sample Street' },
      };
    case 'file':
      return [{ documentId: '00000000-0000-4000-8000-000000000000', name: 'evidence.jpg', contentType: field.accept[0], size: 12345 }];
  }
}
