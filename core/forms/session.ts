// A citizen's progress through a form, kept in Postgres under a random cookie (only its hash is stored).
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { QueryTypes, type Sequelize } from 'sequelize';

const COOKIE = 'closeloop_form';

export interface SessionFile {
  documentId: string;
  fieldId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  key: string;
}

/** What the confirmation page needs once a form is sent; nothing the citizen answered is kept. */
export interface SentForm {
  reference: string;
  trackingUrl: string;
  processId: string;
}

export interface FormSession {
  serviceId: string;
  serviceVersion: number;
  answers: Record<string, unknown>;
  files: SessionFile[];
  /** Set once the form is sent. */
  result: SentForm | null;
  /** Another request of this browser is sending the form right now. */
  sending: boolean;
}

/** A session row not touched for a day is gone as far as the citizen is concerned. */
const fresh = (row: string) => `${row}.updated_at > now() - interval '1 day'`;
/**
 * A form the citizen may still change: being filled in, or left "sending" by a request that never finished (a send takes
 * well under a second; after 2 minutes the claim is taken to belong to a crashed request).
 */
const open = (row: string) =>
  `(${row}.result is null or (${row}.result ? 'sending' and (${row}.result->>'since')::timestamptz < now() - interval '2 minutes'))`;

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The browser's session token, set (HttpOnly, SameSite=Lax) when missing. */
function token(ctx: Context, create: boolean): string | null {
  const existing = ctx.cookies.get(COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  if (!create) return null;
  const fresh = randomBytes(32).toString('base64url');
  ctx.cookies.set(COOKIE, fresh, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/services', overwrite: true });
  return fresh;
}

export async function loadSession(sequelize: Sequelize, ctx: Context, serviceId: string): Promise<FormSession | null> {
  const t = token(ctx, false);
  if (!t) return null;
  const [row] = await sequelize.query<{
    service_version: number;
    answers: Record<string, unknown>;
    files: SessionFile[];
    result: SentForm | null;
    open: boolean;
  }>(
    `select service_version, answers, files, case when result ? 'sending' then null else result end as result, ${open('s')} as open
     from form_sessions s where token_hash = $1 and service_id = $2 and ${fresh('s')}`,
    { bind: [tokenHash(t), serviceId], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  return { serviceId, serviceVersion: row.service_version, answers: row.answers, files: row.files, result: row.result, sending: !row.open && !row.result };
}

/**
 * Saves the answers of a form being filled in. Returns false, saving nothing, when the form was sent (or is being sent)
 * meanwhile, for example from another tab: a sent form is never reopened.
 */
export async function saveAnswers(
  sequelize: Sequelize,
  ctx: Context,
  session: Pick<FormSession, 'serviceId' | 'serviceVersion' | 'answers' | 'files'>,
): Promise<boolean> {
  const t = token(ctx, true)!;
  const rows = await sequelize.query(
    `insert into form_sessions (token_hash, service_id, service_version, answers, files, result) values ($1, $2, $3, $4::jsonb, $5::jsonb, null)
     on conflict (token_hash, service_id) do update set service_version = excluded.service_version, answers = excluded.answers,
       files = excluded.files, result = null, updated_at = now()
     where ${open('form_sessions')} or not ${fresh('form_sessions')}
     returning 1 as saved`,
    {
      bind: [tokenHash(t), session.serviceId, session.serviceVersion, JSON.stringify(session.answers), JSON.stringify(session.files)],
      type: QueryTypes.SELECT,
    },
  );
  return rows.length === 1;
}

/**
 * Claims a form for sending, atomically: of two requests sending the same form (a double click without JavaScript, two
 * tabs), only one gets the answers; the other finds the form sending or sent. Returns null when there is nothing to send.
 */
export async function claimForSending(sequelize: Sequelize, ctx: Context, serviceId: string): Promise<FormSession | null> {
  const t = token(ctx, false);
  if (!t) return null;
  const [row] = await sequelize.query<{ service_version: number; answers: Record<string, unknown>; files: SessionFile[] }>(
    `update form_sessions s set result = jsonb_build_object('sending', true, 'since', now()), updated_at = now()
     where token_hash = $1 and service_id = $2 and ${fresh('s')} and ${open('s')}
     returning service_version, answers, files`,
    { bind: [tokenHash(t), serviceId], type: QueryTypes.SELECT },
  );
  return row ? { serviceId, serviceVersion: row.service_version, answers: row.answers, files: row.files, result: null, sending: true } : null;
}

/** The form is sent: forget every answer and file, keep only what the confirmation page shows. */
export async function markSent(sequelize: Sequelize, ctx: Context, serviceId: string, sent: SentForm): Promise<void> {
  const t = token(ctx, false)!;
  await sequelize.query(
    `update form_sessions set result = $3::jsonb, answers = '{}'::jsonb, files = '[]'::jsonb, updated_at = now() where token_hash = $1 and service_id = $2`,
    { bind: [tokenHash(t), serviceId, JSON.stringify(sent)] },
  );
}

/** Sending failed (answers no longer valid, the database unreachable): the form can be changed and sent again. */
export async function releaseClaim(sequelize: Sequelize, ctx: Context, serviceId: string): Promise<void> {
  const t = token(ctx, false)!;
  await sequelize.query(`update form_sessions set result = null, updated_at = now() where token_hash = $1 and service_id = $2 and result ? 'sending'`, {
    bind: [tokenHash(t), serviceId],
  });
}

/** Forgets a finished form, so starting the service again begins with empty answers. */
export async function clearSession(sequelize: Sequelize, ctx: Context, serviceId: string): Promise<void> {
  const t = token(ctx, false);
  if (!t) return;
  await sequelize.query('delete from form_sessions where token_hash = $1 and service_id = $2', { bind: [tokenHash(t), serviceId] });
}
