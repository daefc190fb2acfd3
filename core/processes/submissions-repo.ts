// The SQL of a submission: the process and everything that hangs off it (tracking token, tasks, timeline entry,
// documents, delivery outbox, the confirmation message), for a whole batch of submissions in one prepared statement.
import type { Sql } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import { citizenMessageSql, messageUpdate, timelineEntrySql } from '../citizen-changes/index.ts';

export interface SubmissionDocument {
  id: string;
  kind: string;
  fieldId: string | null;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string | null;
  /** Generated documents (the form copies) are kept inline (bytes: sent as bytea, nothing to escape); evidence files
   * live in the store (null). */
  content: Buffer | null;
}

export interface SubmissionTask {
  key: string;
  title: string;
  /** Set at once for a target counted from the submission; absent or null otherwise. */
  dueAt?: Date | null;
  targetWorkingDays?: number | null;
  targetFrom?: 'submission' | 'taskStart' | null;
}

export interface SubmissionRows {
  processId: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  answersJson: string;
  contactJson: string;
  /** How the citizen is told about their process, decided once here (citizen-changes/channel.ts); null: not told. */
  channel: string | null;
  at: Date;
  trackingHash: Buffer;
  tasks: SubmissionTask[];
  timelineText: string;
  documents: SubmissionDocument[];
  bindings: string[];
  /** The confirmation message's text (sent only when there is a channel). */
  confirmationText: string;
  /** The confirmation waits this long (not_before) so that a quick delivery's "passed to the team" can join it. */
  confirmationWindowSeconds: number;
}

// Every table of a submission in one statement, each fed by arrays (unnest) so one statement serves any batch size. The
// timeline entry and the confirmation message are citizen-changes fragments, as every citizen-visible change's are.
const INSERT_SUBMISSIONS = `
with p as (
  insert into processes (id, reference, service_id, service_version, status, answers, contact, channel, submitted_at, updated_at)
  select x.id, x.reference, x.service_id, x.version, 'submitted', x.answers::jsonb, x.contact::jsonb, x.channel, x.at, x.at
  from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $29::text[], $7::timestamptz[]) as x(id, reference, service_id, version, answers, contact, channel, at)
), k as (
  insert into tracking_tokens (hash, process_id, created_at)
  select x.hash, x.id, x.at from unnest($8::bytea[], $1::uuid[], $7::timestamptz[]) as x(hash, id, at)
), t as (
  insert into tasks (process_id, key, title, position, status, updated_at, due_at, target_working_days, target_from)
  select x.pid, x.key, x.title, x.pos, 'open', x.at, x.due_at, x.days, x.target_from
  from unnest($9::uuid[], $10::text[], $11::text[], $12::int[], $13::timestamptz[], $31::timestamptz[], $32::int[], $33::text[])
    as x(pid, key, title, pos, at, due_at, days, target_from)
), e as (
  ${timelineEntrySql({
    from: 'unnest($1::uuid[], $14::text[], $7::timestamptz[]) as x(id, text, at)',
    processId: 'x.id',
    kind: "'submitted'",
    visibleToCitizen: 'true',
    text: 'x.text',
    data: "'{}'::jsonb",
    actor: "'citizen'",
    at: 'x.at',
  })}
), d as (
  insert into documents (id, process_id, kind, field_id, name, content_type, size, sha256, storage_key, content, created_at)
  select x.id, x.pid, x.kind, x.field_id, x.name, x.content_type, x.size, x.sha256, x.storage_key, x.content, x.at
  from unnest($15::uuid[], $16::uuid[], $17::text[], $18::text[], $19::text[], $20::text[], $21::bigint[], $22::text[], $23::text[], $24::bytea[], $25::timestamptz[])
    as x(id, pid, kind, field_id, name, content_type, size, sha256, storage_key, content, at)
), o as (
  insert into deliveries (id, process_id, binding, status, created_at, updated_at)
  select uuid_v7(), x.pid, x.binding, 'pending', x.at, x.at from unnest($26::uuid[], $27::text[], $28::timestamptz[]) as x(pid, binding, at)
), n as (
  ${citizenMessageSql({
    from: 'unnest($1::uuid[], $29::text[], $30::text[], $7::timestamptz[], $34::int[]) as x(id, channel, text, at, window_seconds)',
    processId: 'x.id',
    channel: 'x.channel',
    contact: null,
    kind: 'submitted',
    updates: messageUpdate('x.text', 'x.at'),
    windowSeconds: 'x.window_seconds',
    at: 'x.at',
  })}
)
select 1`;

const INSERT_STATEMENT = preparedStatement('insert_submissions', INSERT_SUBMISSIONS);

function parameters(batch: SubmissionRows[]): unknown[] {
  const cols: unknown[][] = Array.from({ length: 34 }, () => []);
  const push = (from: number, ...values: unknown[]) => values.forEach((v, i) => cols[from + i]!.push(v));
  for (const s of batch) {
    push(0, s.processId, s.reference, s.serviceId, s.serviceVersion, s.answersJson, s.contactJson, s.at, s.trackingHash);
    s.tasks.forEach((t, i) => {
      push(8, s.processId, t.key, t.title, i + 1, s.at);
      push(30, t.dueAt ?? null, t.targetWorkingDays ?? null, t.targetFrom ?? null);
    });
    cols[13]!.push(s.timelineText);
    for (const d of s.documents) push(14, d.id, s.processId, d.kind, d.fieldId, d.name, d.contentType, d.size, d.sha256, d.storageKey, d.content, s.at);
    for (const b of s.bindings) push(25, s.processId, b, s.at);
    push(28, s.channel, s.confirmationText);
    cols[33]!.push(s.confirmationWindowSeconds);
  }
  return cols;
}

/** Writes a batch of submissions (one statement, so all or none). */
export async function insertSubmissions(sql: Sql, batch: SubmissionRows[]): Promise<void> {
  await sql.prepared(INSERT_STATEMENT, parameters(batch));
}
