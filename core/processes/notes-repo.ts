// The SQL of a note: one statement writes the notes of several processes (the process touched, the timeline entry, the
// citizen's message and the audit entry of each), so concurrent notes share a statement and a commit (see GroupBatcher).
import type { Database, Sql } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import { GroupBatcher, isIntegrityViolation, perDatabase } from '../db/group-batcher.ts';
import { auditEntrySql, citizenMessageSql, messageUpdate, timelineEntrySql } from '../citizen-changes/index.ts';
import { OUTBOX_CHANNEL } from '../jobs/index.ts';

/**
 * At most one note a process in a statement (notesInTurn sees to it): its message upsert would otherwise touch the
 * process's pending message twice (Postgres refuses: 21000). The processes are updated in id order, as every batch of
 * notes takes their row locks in the same order. A note is not added to a process erased on the citizen's request (a
 * note may carry personal data).
 */
const ADD_NOTES = preparedStatement(
  'add_notes',
  `with x as (
       select * from unnest($1::uuid[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         with ordinality as x(process_id, visible, text, data, actor_name, audit_actor, audit_detail, ord)
     ), p as (
       update processes set updated_at = now() from (select process_id from x order by process_id) s
       where processes.id = s.process_id and processes.erased_at is null
       returning processes.id, processes.channel, processes.contact
     ), px as (
       select x.*, p.channel, p.contact from x join p on p.id = x.process_id
     ), e as (
       ${timelineEntrySql({ from: 'px', processId: 'px.process_id', kind: "'note'", visibleToCitizen: 'px.visible', text: 'px.text', data: 'px.data::jsonb', actor: 'px.actor_name', returning: 'id, process_id' })}
     ), n as (
       ${citizenMessageSql({ from: 'px', processId: 'px.process_id', channel: 'px.channel', contact: 'px.contact', kind: 'update', updates: messageUpdate('px.text'), windowSeconds: '$8', where: 'px.visible' })}
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
}

/** `id` is the timeline entry's (null when the process was erased); `erased` is null when there is no such process. */
export interface NoteRow {
  id: string | null;
  erased: boolean | null;
}

/** Writes notes on distinct processes in one statement; answers each in order. A citizen told wakes the relay once committed. */
async function insertNotes(sql: Sql, notes: NoteValues[], windowSeconds: number): Promise<NoteRow[]> {
  const rows = await sql.prepared<NoteRow & { told: boolean }>(ADD_NOTES, [
    notes.map((n) => n.processId),
    notes.map((n) => n.visibleToCitizen),
    notes.map((n) => n.text),
    notes.map((n) => n.data),
    notes.map((n) => n.actorName),
    notes.map((n) => n.auditActor),
    notes.map((n) => n.auditDetail),
    windowSeconds,
  ]);
  // Sql.wake: NOTIFY outside the notes' commit (after the caller's transaction commits, when there is one).
  if (rows.some((r) => r.told)) sql.wake(OUTBOX_CHANNEL, 'notifications');
  return rows.map(({ id, erased }) => ({ id, erased }));
}

/**
 * Notes on the same process in one batch go in turn, in the order they came (the timeline keeps their order): the first
 * of each process in one statement, then the next of each, and so on.
 */
async function notesInTurn(sql: Sql, notes: NoteValues[], windowSeconds: number): Promise<NoteRow[]> {
  const answers: NoteRow[] = new Array(notes.length);
  let waiting = notes.map((note, i) => ({ note, i }));
  while (waiting.length) {
    const seen = new Set<string>();
    const now: typeof waiting = [];
    const later: typeof waiting = [];
    for (const w of waiting) {
      const key = w.note.processId.toLowerCase();
      (seen.has(key) ? later : now).push(w);
      seen.add(key);
    }
    const rows = await insertNotes(
      sql,
      now.map((w) => w.note),
      windowSeconds,
    );
    now.forEach((w, k) => (answers[w.i] = rows[k]!));
    waiting = later;
  }
  return answers;
}

/**
 * Each note again alone when one note's data is at fault (class 22: e.g. a process id that is not a UUID; class 23), so
 * only that note fails, or when Postgres broke a deadlock with a statement that locks processes in another order.
 */
const retryNoteAlone = (err: unknown) => {
  const code = String((err as { code?: string }).code ?? '');
  return isIntegrityViolation(err) || code.startsWith('22') || code === '40P01';
};

const noteBatcher = perDatabase(
  (db: Database) =>
    new GroupBatcher(
      async (calls: { note: NoteValues; windowSeconds: number }[]) => {
        // One window for the whole hub (notifications.combineWindowSeconds); a batch of calls with two would go in turn.
        const windows = [...new Set(calls.map((c) => c.windowSeconds))];
        const answers: NoteRow[] = new Array(calls.length);
        for (const window of windows) {
          const mine = calls.map((c, i) => ({ c, i })).filter(({ c }) => c.windowSeconds === window);
          const rows = await notesInTurn(
            db,
            mine.map(({ c }) => c.note),
            window,
          );
          mine.forEach(({ i }, k) => (answers[i] = rows[k]!));
        }
        return answers;
      },
      { retryAlone: retryNoteAlone },
    ),
);

/** Adds a note in the caller's transaction (one statement), e.g. one that also records an idempotency key. */
export async function insertNoteIn(t: Sql, note: NoteValues, windowSeconds: number): Promise<NoteRow> {
  return (await insertNotes(t, [note], windowSeconds))[0]!;
}

/** Adds a note in a statement shared with the notes other requests add at the same time (atomic on its own). */
export function addNoteShared(db: Database, note: NoteValues, windowSeconds: number): Promise<NoteRow> {
  return noteBatcher(db).call({ note, windowSeconds });
}

/** Statements run and notes written by them, in this process (for tests: fewer statements than notes under load). */
export function sharedNoteStats(db: Database): { statements: number; calls: number } {
  return noteBatcher(db).stats;
}
