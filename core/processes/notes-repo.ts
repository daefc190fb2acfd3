// The SQL of a note: one statement writes the notes of several processes (the process touched, the timeline entry, the
// citizen's message and the audit entry of each), so concurrent notes share a statement and a commit (see GroupBatcher).
import type { Database, Sql } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import { GroupBatcher, isIntegrityViolation, perDatabase } from '../db/group-batcher.ts';
import { auditEntrySql, citizenMessageSql, messageUpdate, timelineEntrySql } from '../citizen-changes/index.ts';
import { OUTBOX_CHANNEL } from '../jobs/index.ts';

/**
 * At most one note a process in a statement (noteBatcher's key sees to it): its message upsert would otherwise touch the
 * process's pending message twice (Postgres refuses: 21000). The processes are taken in id order (the plan's nested
 * loop over the sorted ids, not a promise of Postgres's), so batches of notes lock their rows in the same order; a
 * deadlock with another statement is retried note by note (retryNoteAlone). A note is not added to a process erased on
 * the citizen's request (a note may carry personal data).
 */
const ADD_NOTES = preparedStatement(
  'add_notes',
  `with x as (
       select * from unnest($1::uuid[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
         with ordinality as x(process_id, visible, text, data, actor_name, audit_actor, audit_detail, window_seconds, ord)
     ), p as (
       update processes set updated_at = now() from (select process_id from x order by process_id) s
       where processes.id = s.process_id and processes.erased_at is null
       returning processes.id, processes.channel, processes.contact
     ), px as (
       select x.*, p.channel, p.contact from x join p on p.id = x.process_id
     ), e as (
       ${timelineEntrySql({ from: 'px', processId: 'px.process_id', kind: "'note'", visibleToCitizen: 'px.visible', text: 'px.text', data: 'px.data::jsonb', actor: 'px.actor_name', returning: 'id, process_id' })}
     ), n as (
       ${citizenMessageSql({ from: 'px', processId: 'px.process_id', channel: 'px.channel', contact: 'px.contact', kind: 'update', updates: messageUpdate('px.text'), windowSeconds: 'px.window_seconds', where: 'px.visible' })}
       returning process_id
     ), a as (
       ${auditEntrySql({ from: 'px', actor: 'px.audit_actor', action: "'note.added'", processId: 'px.process_id', detail: 'px.audit_detail::jsonb' })}
     )
     select (select e.id::text from e where e.process_id = x.process_id) as id,
       (select erased_at is not null from processes where id = x.process_id) as erased,
       exists (select 1 from n where n.process_id = x.process_id) as told
     from x order by x.ord`,
);

export interface NoteValues {
  processId: string;
  visibleToCitizen: boolean;
  text: string;
  /** jsonb text. */
  data: string;
  actorName: string;
  auditActor: string;
  /** jsonb text. */
  auditDetail: string;
  /** The config's notifications.combineWindowSeconds. */
  windowSeconds: number;
}

/** `id` is the timeline entry's (null when the process was erased); `erased` is null when there is no such process. */
export interface NoteRow {
  id: string | null;
  erased: boolean | null;
}

/** Statements that wrote notes in this process, and the notes they wrote (for tests: fewer statements than notes under load). */
const written = { statements: 0, notes: 0 };

/** Writes notes on distinct processes in one statement; answers each in order. A citizen told wakes the relay once committed. */
async function insertNotes(sql: Sql, notes: NoteValues[]): Promise<NoteRow[]> {
  const rows = await sql.prepared<NoteRow & { told: boolean }>(ADD_NOTES, [
    notes.map((n) => n.processId),
    notes.map((n) => n.visibleToCitizen),
    notes.map((n) => n.text),
    notes.map((n) => n.data),
    notes.map((n) => n.actorName),
    notes.map((n) => n.auditActor),
    notes.map((n) => n.auditDetail),
    notes.map((n) => n.windowSeconds),
  ]);
  written.statements++;
  written.notes += notes.length;
  // Sql.wake: NOTIFY outside the notes' commit (after the caller's transaction commits, when there is one).
  if (rows.some((r) => r.told)) sql.wake(OUTBOX_CHANNEL, 'notifications');
  return rows.map(({ id, erased }) => ({ id, erased }));
}

/**
 * Each note again alone when one note's data is at fault (class 22: e.g. a process id that is not a UUID; class 23), so
 * only that note fails, or when Postgres broke a deadlock with a statement that locks processes in another order.
 */
const retryNoteAlone = (err: unknown) => {
  const code = String((err as { code?: string }).code ?? '');
  return isIntegrityViolation(err) || code.startsWith('22') || code === '40P01';
};

/**
 * One note a process in a statement, and a note on a process whose note is in a statement in flight waits for that
 * statement to commit (the batcher's key): notes on one process are written in the order they came, and a failure of a
 * later statement never runs again a note already written.
 */
const noteBatcher = perDatabase(
  (db: Database) =>
    new GroupBatcher((notes: NoteValues[]) => insertNotes(db, notes), {
      retryAlone: retryNoteAlone,
      key: (n) => n.processId.toLowerCase(),
    }),
);

/** Adds a note in the caller's transaction (one statement), e.g. one that also records an idempotency key. */
export async function insertNoteIn(t: Sql, note: NoteValues): Promise<NoteRow> {
  return (await insertNotes(t, [note]))[0]!;
}

/** Adds a note in a statement shared with the notes other requests add at the same time (atomic on its own). */
export async function addNoteShared(db: Database, note: NoteValues): Promise<NoteRow> {
  return noteBatcher(db).call(note);
}

/** Statements that wrote notes in this process so far, and the notes they wrote. */
export function noteStatementStats(): { statements: number; notes: number } {
  return { ...written };
}
