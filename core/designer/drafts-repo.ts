// The SQL of working drafts (service_drafts): one per service being edited in the staff console's designer.
import type { Sql } from '../db/database.ts';

export interface DraftRow {
  serviceId: string;
  council: string | null;
  definition: Record<string, unknown>;
  revision: number;
  baseVersion: number | null;
  createdBy: string;
  createdAt: Date;
  editedBy: string;
  editedByName: string;
  editedAt: Date;
}

interface DraftColumns {
  service_id: string;
  council: string | null;
  definition: Record<string, unknown>;
  revision: number;
  base_version: number | null;
  created_by: string;
  created_at: Date;
  edited_by: string;
  edited_by_name: string;
  edited_at: Date;
}

const COLUMNS = 'service_id, council, definition, revision, base_version, created_by, created_at, edited_by, edited_by_name, edited_at';

function toDraft(r: DraftColumns): DraftRow {
  return {
    serviceId: r.service_id,
    council: r.council,
    definition: r.definition,
    revision: r.revision,
    baseVersion: r.base_version,
    createdBy: r.created_by,
    createdAt: r.created_at,
    editedBy: r.edited_by,
    editedByName: r.edited_by_name,
    editedAt: r.edited_at,
  };
}

export async function findDraft(sql: Sql, serviceId: string): Promise<DraftRow | undefined> {
  const row = await sql.row<DraftColumns>(`select ${COLUMNS} from service_drafts where service_id = $1`, [serviceId]);
  return row && toDraft(row);
}

/** Every working draft (of one council, when given), by service id. */
export async function listDrafts(sql: Sql, council?: string | null): Promise<DraftRow[]> {
  const rows =
    council === undefined
      ? await sql.rows<DraftColumns>(`select ${COLUMNS} from service_drafts order by service_id`)
      : await sql.rows<DraftColumns>(`select ${COLUMNS} from service_drafts where council is not distinct from $1 order by service_id`, [council]);
  return rows.map(toDraft);
}

/** A new working draft; undefined when the service already has one. */
export async function insertDraft(
  sql: Sql,
  d: { serviceId: string; council: string | null; definition: unknown; baseVersion: number | null; actor: string; actorName: string },
): Promise<DraftRow | undefined> {
  const row = await sql.row<DraftColumns>(
    `insert into service_drafts (service_id, council, definition, base_version, created_by, edited_by, edited_by_name)
     values ($1, $2, $3::jsonb, $4, $5, $5, $6) on conflict (service_id) do nothing returning ${COLUMNS}`,
    [d.serviceId, d.council, JSON.stringify(d.definition), d.baseVersion, d.actor, d.actorName],
  );
  return row && toDraft(row);
}

/** Saves the definition if the draft is still at `revision`; undefined when someone saved in between (or it is gone). */
export async function updateDraft(
  sql: Sql,
  d: { serviceId: string; revision: number; definition: unknown; actor: string; actorName: string },
): Promise<DraftRow | undefined> {
  const row = await sql.row<DraftColumns>(
    `update service_drafts set definition = $3::jsonb, revision = revision + 1, edited_by = $4, edited_by_name = $5, edited_at = now()
     where service_id = $1 and revision = $2 returning ${COLUMNS}`,
    [d.serviceId, d.revision, JSON.stringify(d.definition), d.actor, d.actorName],
  );
  return row && toDraft(row);
}

/** Removes the working draft if it is still at `revision` (published or discarded); false when it was not. */
export async function deleteDraft(sql: Sql, serviceId: string, revision: number): Promise<boolean> {
  return (await sql.run('delete from service_drafts where service_id = $1 and revision = $2', [serviceId, revision])) > 0;
}
