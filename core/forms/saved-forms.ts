// "Save and come back later": an unfinished form kept under a one-time link sent by e-mail. The link (256 random bits) is
// minted when the e-mail is sent (core/notify/send.ts) and only its SHA-256 is stored. Opening it shows a page; its
// "Continue" button (a POST, so e-mail scanners that fetch the link do not use it up) restores the answers and files
// into a new form session on that device. Saved forms not used in time are erased by an hourly job.
import { randomUUID } from 'node:crypto';
import { newId } from '../db/ids.ts';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { DocumentStore } from '../documents/index.ts';
import { hashTrackingToken, looksLikeTrackingToken } from '../processes/tracking-token.ts';
import * as repo from './saved-forms-repo.ts';
import { restoreSession, type SessionPlace } from './session.ts';
import type { FormSession, SessionFile } from './session-types.ts';

/** What a link finds. */
export type SavedFormLink =
  | { state: 'ready'; id: string; serviceId: string; savedAt: Date; expiresAt: Date }
  | { state: 'used'; serviceId: string }
  | { state: 'expired'; serviceId: string };

export interface ExpiryOutcome {
  erased: number;
  filesRemoved: number;
  deleted: number;
}

/** How long a used or expired link still says why it fails before it finds nothing. */
const TOMBSTONE_DAYS = 30;

/** Keeps the form and queues the e-mail with its link; answers the saved form's id and when it expires. */
export async function saveForLater(
  db: Database,
  form: { session: Pick<FormSession, 'serviceId' | 'serviceVersion' | 'answers' | 'files'>; email: string; channel: string; expiresAfterDays: number },
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + form.expiresAfterDays * 86_400_000);
  await repo.insertSavedForm(db, {
    id,
    serviceId: form.session.serviceId,
    serviceVersion: form.session.serviceVersion,
    answers: form.session.answers,
    files: form.session.files,
    email: form.email,
    channel: form.channel,
    expiresAt,
  });
  return { id, expiresAt };
}

/** What the "your answers have been saved" page says, while the form is still saved. */
export interface SavedFormNotice {
  serviceId: string;
  email: string;
  expiresAt: Date;
  /** sent: the channel accepted the e-mail; sending: not yet (retries included); failed: it will not go. */
  link: 'sent' | 'sending' | 'failed';
}

export async function savedFormNotice(db: Database, id: string): Promise<SavedFormNotice | null> {
  const row = await repo.savedFormNotice(db, id);
  if (!row) return null;
  const link = row.status === 'sent' || row.status === 'delivered' ? 'sent' : row.status === 'failed' || row.status === 'skipped' ? 'failed' : 'sending';
  return { serviceId: row.service_id, email: row.email, expiresAt: row.expires_at, link };
}

/** What the link finds; null for a link that was never sent (or whose tombstone is gone). */
export async function findSavedFormLink(db: Database, token: string): Promise<SavedFormLink | null> {
  if (!looksLikeTrackingToken(token)) return null;
  const row = await repo.findSavedForm(db, hashTrackingToken(token));
  if (!row) return null;
  if (row.used) return { state: 'used', serviceId: row.service_id };
  if (row.expired) return { state: 'expired', serviceId: row.service_id };
  return { state: 'ready', id: row.id, serviceId: row.service_id, savedAt: row.created_at, expiresAt: row.expires_at };
}

/**
 * Uses the link: in one transaction the saved form gives up its answers and files and they become this browser's form
 * session (replacing any it had for the service). Null when the link was used, expired or never existed.
 */
export async function restoreSavedForm(
  db: Database,
  ctx: Context,
  token: string,
  place: SessionPlace,
): Promise<Omit<FormSession, 'result' | 'sending'> | null> {
  if (!looksLikeTrackingToken(token)) return null;
  return db.transaction(async (tx) => {
    const row = await repo.consumeSavedForm(tx, hashTrackingToken(token));
    if (!row) return null;
    // Fresh document ids: a file's id becomes its document's id when the form is sent, and must be new.
    const files: SessionFile[] = row.files.map((f) => ({ ...f, documentId: newId() }));
    const session = { serviceId: row.service_id, serviceVersion: row.service_version, answers: row.answers, files };
    await restoreSession(tx, ctx, session, place);
    return session;
  });
}

/** The hourly job: erases expired saved forms (answers, address, files no one else uses) and deletes old tombstones. */
export async function expireSavedForms(deps: { db: Database; store: DocumentStore; log?: Logger }, batchSize = 500): Promise<ExpiryOutcome> {
  const outcome: ExpiryOutcome = { erased: 0, filesRemoved: 0, deleted: 0 };
  for (;;) {
    const batch = await deps.db.transaction((tx) => repo.eraseExpired(tx, batchSize));
    outcome.erased += batch.length;
    for (const key of new Set(batch.flatMap((b) => b.keys))) {
      // Content-addressed blobs are shared: identical bytes in a sent document or another form keep theirs.
      if (await repo.blobInUse(deps.db, key)) continue;
      await deps.store.remove(key).catch((err: Error) => deps.log?.warn({ err: err.message }, 'could not remove an expired saved form file'));
      outcome.filesRemoved++;
    }
    if (batch.length < batchSize) break;
  }
  outcome.deleted = await repo.deleteOldSavedForms(deps.db, TOMBSTONE_DAYS);
  if (outcome.erased || outcome.deleted) deps.log?.info(outcome, 'expired saved forms erased');
  return outcome;
}
