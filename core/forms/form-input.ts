// Turns what an HTML form posts into answers in the API's shape (date inputs into "YYYY-MM-DD", and so on), so the
// pages and the API share one validator.
import type { Field, ListField } from '../services/index.ts';

export function pageAnswers(fields: Field[], posted: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.type === 'file' || f.type === 'content' || f.type === 'exit') continue;
    if (f.type === 'list') {
      out[f.id] = listAnswer(f, posted[f.id]);
      continue;
    }
    // govuk-frontend's date input names its parts "<id>-day", "<id>-month", "<id>-year".
    const v =
      f.type === 'date' || f.type === 'datetime'
        ? {
            day: posted[`${f.id}-day`],
            month: posted[`${f.id}-month`],
            year: posted[`${f.id}-year`],
            time: (posted[f.id] as { time?: string } | undefined)?.time,
          }
        : posted[f.id];
    out[f.id] = convert(f, v);
  }
  return out;
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function convert(field: Field, v: unknown): unknown {
  switch (field.type) {
    case 'checkboxes':
      if (blank(v)) return undefined;
      return (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string' && x !== '');
    case 'date':
    case 'datetime': {
      if (!v || typeof v !== 'object') return blank(v) ? undefined : v;
      const p = v as Record<string, string>;
      const day = (p.day ?? '').trim();
      const month = (p.month ?? '').trim();
      const year = (p.year ?? '').trim();
      const time = (p.time ?? '').trim();
      if (!day && !month && !year && !time) return undefined;
      // Incomplete or odd parts still make a string, which the validator then reports: "00"/"0000" for a part left empty
      // ("must include a month"), anything else as "not a real date". A short year is not padded: "26" is not 2026.
      const date = `${year || '0000'}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
      if (field.type === 'date') return date;
      const t = /^(\d{1,2})[:.](\d{2})$/.exec(time);
      return t ? `${date}T${t[1]!.padStart(2, '0')}:${t[2]}` : `${date}T${time || '??:??'}`;
    }
    case 'address': {
      if (!v || typeof v !== 'object') return undefined;
      // A UPRN comes only from the address finder's steps, which read the address back from the council's provider: one
      // posted with the typed parts is not taken (the pages' answers are not looked up again when the form is sent).
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k !== 'uprn' && typeof x === 'string' && x.trim() !== '') out[k] = x.trim();
      return Object.keys(out).length ? out : undefined;
    }
    default:
      return blank(v) ? undefined : v;
  }
}

/**
 * An "add another" page's items as typed, in order, each converted as its questions are (an item's date parts are named
 * "<list>[0][<question>]-day"). Items left wholly empty are kept here (the page shows them); the validator drops them.
 */
export function listAnswer(field: ListField, posted: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(posted)) return undefined;
  const items = Array.from(posted as unknown[], (item) => {
    const typed = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const answers = pageAnswers(field.fields as Field[], typed);
    for (const [k, v] of Object.entries(answers)) if (v === undefined) delete answers[k];
    return answers;
  });
  return items.length ? items : undefined;
}

/** Does an item hold any answer? */
export function itemHasAnswers(item: Record<string, unknown>): boolean {
  return Object.values(item).some((v) => !blank(v));
}
