// The SQL of `documents`: a process's form copies, evidence files and the XML sent. Small generated files are kept
// inline (`content`); evidence lives in the document store (`storage_key`).
import type { Sql } from '../db/database.ts';

export interface DocumentRecord {
  id: string;
  processId: string;
  /** 'council': added by the council or its back office for the citizen (or privately, for the case). */
  kind: 'form-json' | 'form-html' | 'evidence' | 'xml' | 'council';
  fieldId: string | null;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string | null;
  createdAt: Date;
  /** A council document the citizen may see and download (false for every other kind). */
  visibleToCitizen: boolean;
  /** A council document's title, when one was given. */
  title: string | null;
}

interface DocumentColumns {
  id: string;
  process_id: string;
  kind: DocumentRecord['kind'];
  field_id: string | null;
  name: string;
  content_type: string;
  size: string;
  sha256: string;
  storage_key: string | null;
  created_at: Date;
  visible_to_citizen: boolean;
  title: string | null;
}

const COLUMNS = 'id, process_id, kind, field_id, name, content_type, size, sha256, storage_key, created_at, visible_to_citizen, title';

function toRecord(d: DocumentColumns): DocumentRecord {
  return {
    id: d.id,
    processId: d.process_id,
    kind: d.kind,
    fieldId: d.field_id,
    name: d.name,
    contentType: d.content_type,
    size: Number(d.size),
    sha256: d.sha256,
    storageKey: d.storage_key,
    createdAt: d.created_at,
    visibleToCitizen: d.visible_to_citizen,
    title: d.title,
  };
}

/** A process's documents (without their bytes), oldest first. */
export async function findDocumentsOf(sql: Sql, processId: string): Promise<DocumentRecord[]> {
  const rows = await sql.rows<DocumentColumns>(`select ${COLUMNS} from documents where process_id = $1 order by created_at asc, kind asc`, [processId]);
  return rows.map(toRecord);
}

/** One document of a process, with its bytes when they are kept inline. `id` must be a UUID. */
export async function findDocumentWithContent(sql: Sql, processId: string, id: string): Promise<(DocumentRecord & { content: Buffer | null }) | undefined> {
  const row = await sql.row<DocumentColumns & { content: Buffer | null }>(`select ${COLUMNS}, content from documents where id = $1 and process_id = $2`, [
    id,
    processId,
  ]);
  return row && { ...toRecord(row), content: row.content };
}

/**
 * Puts a download in the audit log, in the same round trip that finds out whether the process was erased (nothing is
 * logged then). Answers the process's erased_at (undefined when there is no such process).
 */
export async function auditDocumentDownload(
  sql: Sql,
  a: { actor: string; processId: string; documentId: string; detail: string },
): Promise<{ erased_at: Date | null } | undefined> {
  return sql.row<{ erased_at: Date | null }>(
    `with p as (select erased_at from processes where id = $2),
     a as (insert into audit_events (actor, action, process_id, target, detail) select $1, 'document.downloaded', $2, $3, $4::jsonb from p where erased_at is null)
     select erased_at from p`,
    [a.actor, a.processId, a.documentId, a.detail],
  );
}

/** A council document's row, its bytes already in the document store. Answers the row as stored. */
export async function insertCouncilDocument(
  sql: Sql,
  d: {
    id: string;
    processId: string;
    name: string;
    title: string | null;
    contentType: string;
    size: number;
    sha256: string;
    storageKey: string;
    visibleToCitizen: boolean;
  },
): Promise<DocumentRecord> {
  const row = await sql.row<DocumentColumns>(
    `insert into documents (id, process_id, kind, name, title, content_type, size, sha256, storage_key, visible_to_citizen)
     values ($1, $2, 'council', $3, $4, $5, $6, $7, $8, $9) returning ${COLUMNS}`,
    [d.id, d.processId, d.name, d.title, d.contentType, d.size, d.sha256, d.storageKey, d.visibleToCitizen],
  );
  return toRecord(row!);
}
