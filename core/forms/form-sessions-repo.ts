// The SQL of form_sessions: a citizen's form in progress, keyed by the hash of the browser's session token.
import type { Sql } from '../db/database.ts';
import type { FormSession, SentForm, SessionFile } from './session-types.ts';

/** A session row not touched for a day is gone as far as the citizen is concerned. */
const fresh = (row: string) => `${row}.updated_at > now() - interval '1 day'`;
/**
 * A form the citizen may still change: being filled in, or left "sending" by a request that never finished (a send takes
 * well under a second; after 2 minutes the claim is taken to belong to a crashed request).
 */
const open = (row: string) =>
  `(${row}.result is null or (${row}.result ? 'sending' and (${row}.result->>'since')::timestamptz < now() - interval '2 minutes'))`;

export interface SessionRow {
  service_version: number;
  answers: Record<string, unknown>;
  files: SessionFile[];
  result: SentForm | null;
  open: boolean;
}

export async function findSession(sql: Sql, tokenHash: Buffer, serviceId: string): Promise<SessionRow | undefined> {
  return sql.row<SessionRow>(
    `select service_version, answers, files, case when result ? 'sending' then null else result end as result, ${open('s')} as open
     from form_sessions s where token_hash = $1 and service_id = $2 and ${fresh('s')}`,
    [tokenHash, serviceId],
  );
}

/** Saves the answers unless the form was sent (or is being sent) meanwhile; answers whether it saved. */
export async function saveOpenSession(
  sql: Sql,
  tokenHash: Buffer,
  session: Pick<FormSession, 'serviceId' | 'serviceVersion' | 'answers' | 'files'>,
): Promise<boolean> {
  const rows = await sql.rows(
    `insert into form_sessions (token_hash, service_id, service_version, answers, files, result) values ($1, $2, $3, $4::jsonb, $5::jsonb, null)
     on conflict (token_hash, service_id) do update set service_version = excluded.service_version, answers = excluded.answers,
       files = excluded.files, result = null, updated_at = now()
     where ${open('form_sessions')} or not ${fresh('form_sessions')}
     returning 1 as saved`,
    [tokenHash, session.serviceId, session.serviceVersion, JSON.stringify(session.answers), JSON.stringify(session.files)],
  );
  return rows.length === 1;
}

/** Marks an open form as being sent, in one statement (of two racing requests, one wins); returns what to send. */
export async function claimOpenSession(sql: Sql, tokenHash: Buffer, serviceId: string): Promise<Omit<SessionRow, 'result' | 'open'> | undefined> {
  return sql.row<Omit<SessionRow, 'result' | 'open'>>(
    `update form_sessions s set result = jsonb_build_object('sending', true, 'since', now()), updated_at = now()
     where token_hash = $1 and service_id = $2 and ${fresh('s')} and ${open('s')}
     returning service_version, answers, files`,
    [tokenHash, serviceId],
  );
}

export async function markSessionSent(sql: Sql, tokenHash: Buffer, serviceId: string, sent: SentForm): Promise<void> {
  await sql.run(
    `update form_sessions set result = $3::jsonb, answers = '{}'::jsonb, files = '[]'::jsonb, updated_at = now() where token_hash = $1 and service_id = $2`,
    [tokenHash, serviceId, JSON.stringify(sent)],
  );
}

export async function releaseSessionClaim(sql: Sql, tokenHash: Buffer, serviceId: string): Promise<void> {
  await sql.run(`update form_sessions set result = null, updated_at = now() where token_hash = $1 and service_id = $2 and result ? 'sending'`, [
    tokenHash,
    serviceId,
  ]);
}

export async function deleteSession(sql: Sql, tokenHash: Buffer, serviceId: string): Promise<void> {
  await sql.run('delete from form_sessions where token_hash = $1 and service_id = $2', [tokenHash, serviceId]);
}
