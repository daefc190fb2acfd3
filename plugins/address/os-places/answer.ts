// The shape of an OS Places answer: `header` (totalresults, offset, maxresults, output_srs…) and, only when something
// matched, `results`: one object per record, `{ DPA: {…} }` (Royal Mail's postal address) or `{ LPI: {…} }` (the
// council's gazetteer entry, BS 7666). Only the fields the provider reads are checked; OS sends many more.
import { z } from 'zod';

/** A text field OS may send as a number (BUILDING_NUMBER, PAO_START_NUMBER) or leave out. */
const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? '' : String(v).trim()));
/** UPRNs are strings in OS's JSON; a number is accepted but must be a whole one (digits only after conversion). */
const uprn = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,12}$/));
const coordinate = z.union([
  z.number().finite(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

export const dpaSchema = z.object({
  UPRN: uprn,
  ADDRESS: text,
  DEPARTMENT_NAME: text,
  ORGANISATION_NAME: text,
  PO_BOX_NUMBER: text,
  SUB_BUILDING_NAME: text,
  BUILDING_NAME: text,
  BUILDING_NUMBER: text,
  DEPENDENT_THOROUGHFARE_NAME: text,
  THOROUGHFARE_NAME: text,
  DOUBLE_DEPENDENT_LOCALITY: text,
  DEPENDENT_LOCALITY: text,
  POST_TOWN: text,
  POSTCODE: text,
  X_COORDINATE: coordinate,
  Y_COORDINATE: coordinate,
});

export const lpiSchema = z.object({
  UPRN: uprn,
  ADDRESS: text,
  ORGANISATION: text,
  SAO_START_NUMBER: text,
  SAO_START_SUFFIX: text,
  SAO_END_NUMBER: text,
  SAO_END_SUFFIX: text,
  SAO_TEXT: text,
  PAO_START_NUMBER: text,
  PAO_START_SUFFIX: text,
  PAO_END_NUMBER: text,
  PAO_END_SUFFIX: text,
  PAO_TEXT: text,
  STREET_DESCRIPTION: text,
  LOCALITY_NAME: text,
  TOWN_NAME: text,
  POSTCODE_LOCATOR: text,
  /** 1 approved, 3 alternative, 6 provisional, 8 historical. */
  LPI_LOGICAL_STATUS_CODE: text,
  X_COORDINATE: coordinate,
  Y_COORDINATE: coordinate,
});

export type DpaRecord = z.infer<typeof dpaSchema>;
export type LpiRecord = z.infer<typeof lpiSchema>;
export type PlacesRecord = { dataset: 'DPA'; record: DpaRecord } | { dataset: 'LPI'; record: LpiRecord };

export const answerSchema = z.object({
  header: z.object({ totalresults: z.coerce.number().int().min(0), output_srs: z.string().optional() }),
  results: z.array(z.record(z.string(), z.unknown())).optional(),
});

export interface PlacesAnswer {
  totalResults: number;
  records: PlacesRecord[];
  /** Results OS sent that are not a DPA or LPI record this provider can read (counted, for the log). */
  unreadable: number;
}

/** Reads a parsed JSON answer; undefined when it is not an OS Places answer at all. */
export function readAnswer(json: unknown): PlacesAnswer | undefined {
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const records: PlacesRecord[] = [];
  let unreadable = 0;
  for (const result of parsed.data.results ?? []) {
    const dpa = result.DPA === undefined ? undefined : dpaSchema.safeParse(result.DPA);
    const lpi = result.LPI === undefined ? undefined : lpiSchema.safeParse(result.LPI);
    if (dpa?.success) records.push({ dataset: 'DPA', record: dpa.data });
    else if (lpi?.success) records.push({ dataset: 'LPI', record: lpi.data });
    else unreadable++;
  }
  return { totalResults: parsed.data.header.totalresults, records, unreadable };
}
