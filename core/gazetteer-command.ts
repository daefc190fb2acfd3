// `closeloop gazetteer import FILE [--council ID] [--on-bad-rows abort|skip]`: loads a council's address list (an
// LLPG/AddressBase CSV export) into the embedded gazetteer, replacing the one before atomically. Tests call it as the
// command line does.
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Config } from './config/index.ts';
import { connectDatabase, migrate } from './db/index.ts';
import { insertAuditEvent } from './governance/audit-repo.ts';
import { GazetteerImportError, importGazetteer, type ImportReport } from './address/index.ts';

export interface GazetteerCommandOptions {
  council?: string;
  'on-bad-rows'?: string;
}

const USAGE = 'closeloop gazetteer import FILE [--council ID] [--on-bad-rows abort|skip]\n';

export async function gazetteerCommand(
  config: Config,
  sub: string | undefined,
  file: string | undefined,
  values: GazetteerCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  if (sub !== 'import' || !file) {
    err.write(`Usage: ${USAGE}`);
    return 1;
  }
  const onBadRows = values['on-bad-rows'] ?? 'abort';
  if (onBadRows !== 'abort' && onBadRows !== 'skip') {
    err.write(`--on-bad-rows must be abort (import nothing when a row is bad) or skip (import the good rows), not "${onBadRows}"\n`);
    return 1;
  }
  const councils = [config.council.id, ...Object.keys(config.councils)];
  const council = values.council ?? config.council.id;
  if (!councils.includes(council)) {
    err.write(`--council "${council}" is not a council in ${config.file} (known: ${councils.join(', ')})\n`);
    return 1;
  }
  const path = resolve(file);
  try {
    await access(path, constants.R_OK);
  } catch {
    err.write(`cannot read ${path}\n`);
    return 1;
  }
  const provider = (council === config.council.id ? config.council : config.councils[council]!).address?.provider ?? 'gazetteer';
  if (provider !== 'gazetteer')
    err.write(`Note: council "${council}" finds addresses with ${provider}, not the gazetteer: this list is used once its address.provider is gazetteer.\n`);

  const db = connectDatabase({ url: config.database.url, poolMax: 2 });
  try {
    await migrate(db, config);
    let report: ImportReport;
    try {
      report = await importGazetteer(db.url, createReadStream(path), { council, onBadRows, source: basename(path) });
    } catch (e) {
      if (!(e instanceof GazetteerImportError)) throw e;
      err.write(`${path}: ${e.message}\nNothing was imported; council "${council}"'s addresses are as they were.\n`);
      return 1;
    }
    const listed = report.badRows.map((b) => `  line ${b.line}: ${b.problem}\n`).join('');
    const more = report.badRowCount > report.badRows.length ? `  … and ${report.badRowCount - report.badRows.length} more\n` : '';
    if (report.outcome === 'aborted') {
      err.write(
        `${path}: ${count(report.badRowCount, 'bad row')}:\n${listed}${more}` +
          `Nothing was imported; council "${council}"'s addresses are as they were. Correct the rows, or import the good ones with --on-bad-rows skip.\n`,
      );
      return 1;
    }
    if (report.badRowCount) out.write(`Skipped ${count(report.badRowCount, 'bad row')}:\n${listed}${more}`);
    out.write(
      `Imported ${report.rows.toLocaleString('en-GB')} addresses for council "${council}" in ${report.seconds.toFixed(1)} s ` +
        `(${report.rowsPerSecond.toLocaleString('en-GB')} rows/s); they replace the council's previous list.\n`,
    );
    const actor = `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
    await insertAuditEvent(db, {
      actor,
      action: 'gazetteer.imported',
      target: council,
      detail: { file: basename(path), rows: report.rows, skippedRows: report.badRowCount },
    });
    return 0;
  } finally {
    await db.close();
  }
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-GB')} ${noun}${n === 1 ? '' : 's'}`;
}
