// Uploaded XSDs live in Postgres; loadXsd (synchronous, on every delivery) reads files. So each process materialises
// them into a folder of its own — on start, when one is uploaded here, and when another process's upload is announced
// (NOTIFY on XSD_UPLOADS_CHANNEL) — and resolves "uploaded/<council>/<name>" there. Nothing accepted exists only on one
// machine's disk: a new machine rebuilds the folder from Postgres.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../db/database.ts';
import { forgetXsd, setUploadedXsdRoot, UPLOADED_PREFIX } from './xsd.ts';
import { findUploadedXsd, listUploadedXsds, type UploadedXsdRow } from './uploaded-xsds-repo.ts';

let root: string | null = null;

/** This process's folder of uploaded XSDs (made on first use, under the system's temporary folder). */
export function uploadedXsdRoot(): string {
  if (!root) {
    root = mkdtempSync(join(tmpdir(), 'closeloop-xsds-'));
    setUploadedXsdRoot(root);
  }
  return root;
}

/** How a service names an uploaded XSD. */
export function uploadedXsdPath(council: string, name: string): string {
  return `${UPLOADED_PREFIX}${council}/${name}`;
}

/** "uploaded/<council>/<name>" → its parts; null for a file of the XSD folder. */
export function parseUploadedXsdPath(file: string): { council: string; name: string } | null {
  const m = /^uploaded\/([a-z][a-z0-9-]*)\/([a-z0-9][a-z0-9.-]*\.xsd)$/.exec(file);
  return m ? { council: m[1]!, name: m[2]! } : null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Whether "uploaded/<council>/<name>" has been materialised in this process (from Postgres). */
export function uploadedXsdExists(file: string): boolean {
  return parseUploadedXsdPath(file) !== null && existsSync(join(uploadedXsdRoot(), file));
}

/** Writes one XSD into the folder (atomically), forgetting a compiled copy of older content. */
export function materialiseXsd(row: Pick<UploadedXsdRow, 'council' | 'name' | 'content'>): void {
  const dir = join(uploadedXsdRoot(), 'uploaded', row.council);
  const path = join(dir, row.name);
  if (existsSync(path) && readFileSync(path, 'utf8') === row.content) return;
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, row.content, 'utf8');
  renameSync(temp, path);
  forgetXsd(path);
}

/** Materialises every uploaded XSD (at start). */
export async function syncUploadedXsds(sql: Sql): Promise<number> {
  uploadedXsdRoot();
  const rows = await listUploadedXsds(sql);
  for (const row of rows) materialiseXsd(row);
  return rows.length;
}

/** Makes sure an uploaded XSD a service names is materialised here (a no-op for files of the XSD folder). */
export async function ensureUploadedXsd(sql: Sql, file: string): Promise<void> {
  const parts = parseUploadedXsdPath(file);
  if (!parts || uploadedXsdExists(file)) return;
  const row = await findUploadedXsd(sql, parts.council, parts.name);
  if (row) materialiseXsd(row);
}

/** Materialises one announced upload ("<council>/<name>", the NOTIFY payload). */
export async function syncUploadedXsd(sql: Sql, payload: string | undefined): Promise<void> {
  const m = /^([a-z][a-z0-9-]*)\/(.+)$/.exec(payload ?? '');
  if (!m) return void (await syncUploadedXsds(sql));
  const row = await findUploadedXsd(sql, m[1]!, m[2]!);
  if (row) materialiseXsd(row);
}
