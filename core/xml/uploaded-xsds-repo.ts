// The SQL of uploaded XSDs (service_xsds): one set per council, each name stored once.
import type { Sql } from '../db/database.ts';

export interface UploadedXsdRow {
  council: string;
  name: string;
  content: string;
  sha256: string;
  uploadedBy: string;
  uploadedByName: string;
  uploadedAt: Date;
}

interface Columns {
  council: string;
  name: string;
  content: string;
  sha256: string;
  uploaded_by: string;
  uploaded_by_name: string;
  uploaded_at: Date;
}

const COLUMNS = 'council, name, content, sha256, uploaded_by, uploaded_by_name, uploaded_at';
export const XSD_UPLOADS_CHANNEL = 'closeloop_xsd_uploads';

function toRow(r: Columns): UploadedXsdRow {
  return {
    council: r.council,
    name: r.name,
    content: r.content,
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    uploadedByName: r.uploaded_by_name,
    uploadedAt: r.uploaded_at,
  };
}

/** Stores a new XSD and tells every process (NOTIFY, delivered on commit); undefined when the name is taken. */
export async function insertUploadedXsd(sql: Sql, x: Omit<UploadedXsdRow, 'uploadedAt'>): Promise<UploadedXsdRow | undefined> {
  const row = await sql.row<Columns>(
    `insert into service_xsds (council, name, content, sha256, uploaded_by, uploaded_by_name)
     values ($1, $2, $3, $4, $5, $6) on conflict (council, name) do nothing returning ${COLUMNS}`,
    [x.council, x.name, x.content, x.sha256, x.uploadedBy, x.uploadedByName],
  );
  if (row) await sql.run('select pg_notify($1, $2)', [XSD_UPLOADS_CHANNEL, `${x.council}/${x.name}`]);
  return row && toRow(row);
}

export async function findUploadedXsd(sql: Sql, council: string, name: string): Promise<UploadedXsdRow | undefined> {
  const row = await sql.row<Columns>(`select ${COLUMNS} from service_xsds where council = $1 and name = $2`, [council, name]);
  return row && toRow(row);
}

/** Every uploaded XSD (of one council when given), by name. */
export async function listUploadedXsds(sql: Sql, council?: string): Promise<UploadedXsdRow[]> {
  const rows =
    council === undefined
      ? await sql.rows<Columns>(`select ${COLUMNS} from service_xsds order by council, name`)
      : await sql.rows<Columns>(`select ${COLUMNS} from service_xsds where council = $1 order by name`, [council]);
  return rows.map(toRow);
}
