// Imports a council's address list (CSV) into the gazetteer: streamed through csv-parse into Postgres COPY, every row
// checked, bad rows reported by line; then indexed and switched in atomically (see gazetteer-repo.ts). With
// `onBadRows: 'abort'` (the default) one bad row imports nothing; with 'skip' the bad rows are listed and the rest
// imported. Either way, nothing is ever half-imported: until the switch, readers see the previous list.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import { from as copyFrom } from 'pg-copy-streams';
import { ClientWithErrorListener } from '../../db/safe-pg.ts';
import { addressRow, type AddressRow } from './address-row.ts';
import { columnsOf, type ColumnMap } from './columns.ts';
import {
  abandonImport,
  copyStatement,
  dropGeneration,
  dropLeftovers,
  hasAddressesOn,
  indexImport,
  lockImports,
  startImport,
  switchToImport,
  unlockImports,
} from './gazetteer-repo.ts';

export interface ImportOptions {
  council: string;
  /** What a bad row does: 'abort' (the default) imports nothing; 'skip' imports the other rows. */
  onBadRows?: 'abort' | 'skip';
  /** Where the rows came from (a file name), kept with the import. */
  source: string;
  /** Import only when the council has no addresses yet (the example council's seed): waits for an import under way. */
  onlyIfEmpty?: boolean;
}

export interface BadRow {
  line: number;
  problem: string;
}

export interface ImportReport {
  /** imported: the list is the council's now; aborted: bad rows and 'abort', nothing changed; skipped: onlyIfEmpty and not empty. */
  outcome: 'imported' | 'aborted' | 'skipped';
  /** Good rows (imported, or that would have been). */
  rows: number;
  /** The first bad rows, by line (at most MAX_LISTED_BAD_ROWS), and how many there were in all. */
  badRows: BadRow[];
  badRowCount: number;
  seconds: number;
  rowsPerSecond: number;
}

/** A problem with the file as a whole (no header, broken quoting, no rows) or with importing now (another import runs). */
export class GazetteerImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GazetteerImportError';
  }
}

export const MAX_LISTED_BAD_ROWS = 1000;
const CHUNK_BYTES = 256 * 1024;

export async function importGazetteer(databaseUrl: string, input: Readable, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const client = new ClientWithErrorListener({ connectionString: databaseUrl, application_name: 'closeloop-gazetteer-import' });
  await client.connect();
  try {
    if (!(await lockImports(client, options.council, options.onlyIfEmpty === true)))
      throw new GazetteerImportError(`another import of council "${options.council}"'s addresses is running; try again when it has finished`);
    try {
      if (options.onlyIfEmpty && (await hasAddressesOn(client, options.council))) return report('skipped', 0, [], 0, started);
      await dropLeftovers(client, options.council);
      const generation = await startImport(client, options.council, options.source);
      let loaded: Loaded;
      try {
        loaded = await copyRows(client, generation, input, options.council);
      } catch (err) {
        await abandonImport(client, generation);
        throw err;
      }
      const { rows, badRows, badRowCount } = loaded;
      if ((badRowCount && options.onBadRows !== 'skip') || rows === 0) {
        await abandonImport(client, generation);
        if (rows === 0 && !badRowCount) throw new GazetteerImportError('the file has a header row but no addresses');
        return report('aborted', rows, badRows, badRowCount, started);
      }
      try {
        await indexImport(client, generation);
        const previous = await switchToImport(client, options.council, generation, rows);
        if (previous) await dropGeneration(client, previous);
      } catch (err) {
        await abandonImport(client, generation).catch(() => {});
        throw err;
      }
      return report('imported', rows, badRows, badRowCount, started);
    } finally {
      await unlockImports(client, options.council).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

interface Loaded {
  rows: number;
  badRows: BadRow[];
  badRowCount: number;
}

/** Parses, checks and COPYs every row into the import's table; answers the counts and the bad rows. */
async function copyRows(client: ClientWithErrorListener, generation: string, input: Readable, council: string): Promise<Loaded> {
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024, info: true }));
  input.once('error', (err) => parser.destroy(err));
  const copy = client.query(copyFrom(copyStatement(generation)));
  const prefix = `${generation}\t${copyText(council)}\t`;
  const badRows: BadRow[] = [];
  let badRowCount = 0;
  let rows = 0;
  let columns: ColumnMap | undefined;
  const seen = new Map<number, number>();
  let chunk: string[] = [];
  let chunkBytes = 0;
  const bad = (line: number, problem: string) => {
    badRowCount++;
    if (badRows.length < MAX_LISTED_BAD_ROWS) badRows.push({ line, problem });
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        const header = columnsOf(record);
        if ('problem' in header) throw new GazetteerImportError(`line ${info.lines}: ${header.problem}`);
        columns = header.columns;
        continue;
      }
      const checked = addressRow(record, columns);
      if ('problem' in checked) {
        bad(info.lines, checked.problem);
        continue;
      }
      const uprn = Number(checked.row.uprn);
      const first = seen.get(uprn);
      if (first !== undefined) {
        bad(info.lines, `UPRN ${checked.row.uprn} is already on line ${first}`);
        continue;
      }
      seen.set(uprn, info.lines);
      rows++;
      const line = prefix + copyLine(checked.row);
      chunk.push(line);
      chunkBytes += line.length;
      if (chunkBytes >= CHUNK_BYTES) {
        if (!copy.write(chunk.join(''))) await once(copy, 'drain');
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (!columns) throw new GazetteerImportError('the file is empty: it needs a header row and one row per address');
    copy.end(chunk.join(''));
    await finished(copy);
  } catch (err) {
    copy.destroy();
    await finished(copy).catch(() => {});
    if (err instanceof CsvError) throw new GazetteerImportError(`line ${(err as CsvError & { lines?: number }).lines ?? '?'}: ${err.message}`);
    throw err;
  }
  return { rows, badRows, badRowCount };
}

/** One row in COPY's text format (the generation and council come first, from the prefix). */
function copyLine(r: AddressRow): string {
  const lines = `{${r.lines.map((l) => `"${l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
  return `${copyText(r.uprn)}\t${copyText(lines)}\t${r.town === null ? '\\N' : copyText(r.town)}\t${r.postcode}\t${r.easting}\t${r.northing}\t${r.latitude}\t${r.longitude}\t${r.searchText}\n`;
}

/** Rows hold no control characters (address-row.ts refuses them), so a backslash is all COPY's text format needs escaped. */
function copyText(text: string): string {
  return text.replace(/\\/g, '\\\\');
}

function report(outcome: ImportReport['outcome'], rows: number, badRows: BadRow[], badRowCount: number, started: number): ImportReport {
  const seconds = (performance.now() - started) / 1000;
  return { outcome, rows, badRows, badRowCount, seconds, rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : rows };
}
