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
  tasks: { key: string; title: string; status: string; updated_at: string }[] | null;
  timeline: { at: string; kind: string; text: string }[] | null;
  documents: { name: string; size: number }[] | null;
}

/** The process a token's hash opens, with everything the page shows, in one round trip; undefined for an unknown token. */
export async function findTrackedProcess(sql: Sql, tokenHash: Buffer): Promise<TrackedProcess | undefined> {
  return sql.row<TrackedProcess>(
    `select p.reference, p.service_id, p.service_version, p.status, p.closed_reason, p.submitted_at, p.updated_at,
       (select json_agg(json_build_object('key', t.key, 'title', t.title, 'status', t.status, 'updated_at', t.updated_at) order by t.position)
          from tasks t where t.process_id = p.id) as tasks,
       (select json_agg(json_build_object('at', e.created_at, 'kind', e.kind, 'text', e.text) order by e.id desc)
          from timeline_events e where e.process_id = p.id and e.visible_to_citizen) as timeline,
       (select json_agg(json_build_object('name', d.name, 'size', d.size) order by d.created_at)
          from documents d where d.process_id = p.id and d.kind = 'evidence') as documents
     from tracking_tokens k join processes p on p.id = k.process_id where k.hash = $1`,
    [tokenHash],
  );
}
