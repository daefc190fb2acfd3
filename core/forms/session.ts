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

export interface FormSession {
  serviceId: string;
  serviceVersion: number;
  answers: Record<string, unknown>;
  files: SessionFile[];
  result: { reference: string; trackingUrl: string; processId: string } | null;
}

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
  const [row] = await sequelize.query<{ service_version: number; answers: Record<string, unknown>; files: SessionFile[]; result: FormSession['result'] }>(
    `select service_version, answers, files, result from form_sessions where token_hash = $1 and service_id = $2 and updated_at > now() - interval '1 day'`,
    { bind: [tokenHash(t), serviceId], type: QueryTypes.SELECT },
  );
  return row ? { serviceId, serviceVersion: row.service_version, answers: row.answers, files: row.files, result: row.result } : null;
}

export async function saveSession(sequelize: Sequelize, ctx: Context, session: FormSession): Promise<void> {
  const t = token(ctx, true)!;
  await sequelize.query(
    `insert into form_sessions (token_hash, service_id, service_version, answers, files, result) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb)
     on conflict (token_hash, service_id) do update set service_version = excluded.service_version, answers = excluded.answers,
       files = excluded.files, result = excluded.result, updated_at = now()`,
    { bind: [tokenHash(t), session.serviceId, session.serviceVersion, JSON.stringify(session.answers), JSON.stringify(session.files), session.result ? JSON.stringify(session.result) : null] },
  );
}

/** Forgets a finished form, so starting the service again begins with empty answers. */
export async function clearSession(sequelize: Sequelize, ctx: Context, serviceId: string): Promise<void> {
  const t = token(ctx, false);
  if (!t) return;
  await sequelize.query('delete from form_sessions where token_hash = $1 and service_id = $2', { bind: [tokenHash(t), serviceId] });
}
