// The SQL of the citizen's tracking page: `tracking_tokens` (SHA-256 hashes of the tokens) and what the page shows.
import type { Sql } from '../db/database.ts';

export interface TrackedProcess {
  reference: string;
  service_id: string;
  service_version: number;
  status: string;
  closed_reason: string | null;
  submitted_at: Date;
  updated_at: Date;
  tasks: { key: string; title: string; status: string; updated_at: string; due_at: string | null }[] | null;
  timeline: { at: string; kind: string; text: string; message: string | null }[] | null;
  documents: { name: string; size: number }[] | null;
  council_documents: { id: string; name: string; title: string | null; size: number; content_type: string; at: string }[] | null;
  /** Only to find the place the page shows; null once the process is erased. */
  answers: Record<string, unknown> | null;
}

export interface TrackedDocument {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  processId: string;
}

/** The process a token's hash opens, with everything the page shows, in one round trip; undefined for an unknown token. */
export async function findTrackedProcess(sql: Sql, tokenHash: Buffer): Promise<TrackedProcess | undefined> {
  return sql.row<TrackedProcess>(
    `select p.reference, p.service_id, p.service_version, p.status, p.closed_reason, p.submitted_at, p.updated_at,
       case when p.erased_at is null then p.answers end as answers,
       (select json_agg(json_build_object('key', t.key, 'title', t.title, 'status', t.status, 'updated_at', t.updated_at, 'due_at', t.due_at) order by t.position)
          from tasks t where t.process_id = p.id) as tasks,
       (select json_agg(json_build_object('at', e.created_at, 'kind', e.kind, 'text', e.text,
            'message', (select m.text from citizen_messages m where e.kind = 'message' and m.id = (e.data->>'messageId')::uuid)) order by e.id desc)
          from timeline_events e where e.process_id = p.id and e.visible_to_citizen) as timeline,
       (select json_agg(json_build_object('name', d.name, 'size', d.size) order by d.created_at)
          from documents d where d.process_id = p.id and d.kind = 'evidence') as documents,
       (select json_agg(json_build_object('id', d.id, 'name', d.name, 'title', d.title, 'size', d.size, 'content_type', d.content_type, 'at', d.created_at)
          order by d.created_at desc)
          from documents d where d.process_id = p.id and d.kind = 'council' and d.visible_to_citizen and d.storage_key is not null) as council_documents
     from tracking_tokens k join processes p on p.id = k.process_id where k.hash = $1`,
    [tokenHash],
  );
}

/**
 * A council document the citizen may download with this token: only kind 'council', only visible to the citizen, only
 * of the token's own process (and not erased: erasure deletes the tokens and the bytes). Undefined otherwise.
 */
export async function findTrackedDocument(sql: Sql, tokenHash: Buffer, documentId: string): Promise<TrackedDocument | undefined> {
  const row = await sql.row<{ id: string; name: string; content_type: string; size: string; sha256: string; storage_key: string; process_id: string }>(
    `select d.id, d.name, d.content_type, d.size, d.sha256, d.storage_key, d.process_id
     from tracking_tokens k join processes p on p.id = k.process_id join documents d on d.process_id = p.id
     where k.hash = $1 and d.id = $2 and d.kind = 'council' and d.visible_to_citizen and d.storage_key is not null and p.erased_at is null`,
    [tokenHash, documentId],
  );
  return (
    row && {
      id: row.id,
      name: row.name,
      contentType: row.content_type,
      size: Number(row.size),
      sha256: row.sha256,
      storageKey: row.storage_key,
      processId: row.process_id,
    }
  );
}
