// The SQL that reads `timeline_events` (entries are written with each change, by citizen-changes).
import type { Sql } from '../db/database.ts';

export interface TimelineRecord {
  id: string;
  kind: 'submitted' | 'received' | 'note' | 'task' | 'status' | 'document';
  visibleToCitizen: boolean;
  text: string;
  data: Record<string, unknown>;
  actor: string;
  createdAt: Date;
}

/** A process's timeline, newest first; only what the citizen sees when `citizenOnly`. */
export async function findTimeline(sql: Sql, processId: string, citizenOnly: boolean): Promise<TimelineRecord[]> {
  const rows = await sql.rows<{
    id: string;
    kind: TimelineRecord['kind'];
    visible_to_citizen: boolean;
    text: string;
    data: Record<string, unknown>;
    actor: string;
    created_at: Date;
  }>(
    `select id, kind, visible_to_citizen, text, data, actor, created_at from timeline_events
     where process_id = $1${citizenOnly ? ' and visible_to_citizen = true' : ''} order by id desc`,
    [processId],
  );
  return rows.map((e) => ({
    id: e.id,
    kind: e.kind,
    visibleToCitizen: e.visible_to_citizen,
    text: e.text,
    data: e.data,
    actor: e.actor,
    createdAt: e.created_at,
  }));
}
