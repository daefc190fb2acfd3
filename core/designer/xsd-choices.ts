// The XSDs a service may use: the files of the XSD folder (config/xsd, shared by every council on the hub) and the
// council's own uploaded ones (Postgres, materialised by core/xml/uploaded-xsds.ts). Uploading one checks it safely
// (core/xml checkUploadedXsd), stores it with who and when, and writes an audit entry.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Database } from '../db/database.ts';
import { insertAuditEvent } from '../governance/audit-repo.ts';
import {
  checkUploadedXsd,
  findUploadedXsd,
  insertUploadedXsd,
  listUploadedXsds,
  loadXsd,
  materialiseXsd,
  readSchemaFiles,
  sha256,
  uploadedXsdPath,
  type SchemaFile,
  type UploadedXsdRow,
} from '../xml/index.ts';
import type { Editor } from './drafts.ts';

export interface XsdChoice {
  /** What the definition's xml.xsd holds: "fly-tipping.xsd" or "uploaded/<council>/<name>". */
  file: string;
  uploaded: { by: string; at: Date; sha256: string } | null;
}

/** The XSD folder's files (sorted), then the council's uploads. */
export async function xsdChoices(db: Database, xsdDir: string, council: string): Promise<XsdChoice[]> {
  const folder = listXsdFiles(xsdDir).map((file) => ({ file, uploaded: null }));
  const uploads = (await listUploadedXsds(db, council)).map((x) => ({
    file: uploadedXsdPath(x.council, x.name),
    uploaded: { by: x.uploadedByName, at: x.uploadedAt, sha256: x.sha256 },
  }));
  return [...folder, ...uploads];
}

function listXsdFiles(dir: string): string[] {
  try {
    return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile() && e.name.endsWith('.xsd'))
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
  } catch {
    return [];
  }
}

/** The schema files of an XSD as data, or the reason it cannot be used (a sentence naming no server path). */
export function schemaFilesOf(xsdDir: string, file: string): { files: SchemaFile[] } | { problem: string } {
  try {
    loadXsd(xsdDir, file);
    return { files: readSchemaFiles(xsdDir, file) };
  } catch (err) {
    return { problem: `${file} cannot be used: ${(err as Error).message}` };
  }
}

export type UploadOutcome = { ok: true; file: string; reused: boolean } | { ok: false; message: string };

/** "Dead animal (v2).XSD" → "dead-animal-v2.xsd". */
export function uploadName(fileName: string): string {
  const base = fileName
    .toLowerCase()
    .replace(/\.xsd$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || 'schema'}.xsd`;
}

/** Checks and stores an uploaded XSD in the council's set; the same file uploaded again is the same XSD. */
export async function uploadXsd(db: Database, editor: Editor, council: string, fileName: string, bytes: Buffer): Promise<UploadOutcome> {
  const checked = checkUploadedXsd(bytes);
  if (!checked.ok) return checked;
  const name = uploadName(fileName);
  const hash = sha256(checked.text);
  const existing = await findUploadedXsd(db, council, name);
  if (existing) {
    if (existing.sha256 !== hash)
      return { ok: false, message: `An XSD called ${name} has already been uploaded with different content. Rename the file and upload it again` };
    materialiseXsd(existing);
    return { ok: true, file: uploadedXsdPath(council, name), reused: true };
  }
  const row = await db.transaction(async (tx) => {
    const stored: UploadedXsdRow | undefined = await insertUploadedXsd(tx, {
      council,
      name,
      content: checked.text,
      sha256: hash,
      uploadedBy: editor.actor,
      uploadedByName: editor.name,
    });
    if (stored) await insertAuditEvent(tx, { actor: editor.actor, action: 'service.xsd-uploaded', target: `${council}/${name}`, detail: { sha256: hash } });
    return stored;
  });
  if (!row) return uploadXsd(db, editor, council, fileName, bytes); // uploaded by someone else in the same moment
  materialiseXsd(row);
  return { ok: true, file: uploadedXsdPath(council, name), reused: false };
}
