// Erasure of a citizen's personal data from one process, on request (admin API, CLI) or when its retention period ends.
// The process keeps its row, reference, service, status, dates, tasks and timeline shape, so statistics and the audit
// trail survive; what the citizen wrote, who they are, the files they sent and every copy of those are removed.
// Everything is changed in ONE transaction with the process row locked, so two erasures (or an erasure and a back-office
// change) never interleave; a second erasure finds erased_at set and does nothing.
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../errors.ts';
import type { DocumentStore } from '../documents/index.ts';
import { PROCESS_STATUS_TEXT, TASK_STATUS_LABEL } from '../processes/index.ts';
import { serviceDefinitionSchema, type ServiceDefinition } from '../services/index.ts';
import { ERASED, erasedDocument, personalValues, redactedAnswers, scrubText } from './redact.ts';
import { pluginDatabase } from '../db/index.ts';
import type { PluginEraser } from '../plugins/plugin-data.ts';
import { insertAuditEvent } from './audit-repo.ts';
import {
  blobInUse,
  deleteFormSessionsOfProcess,
  deleteTrackingTokensOfProcess,
  deliveriesOfProcess,
  deliveryAttemptsOfProcess,
  documentsOfProcess,
  eraseCitizenMessagesOfProcess,
  eraseNotificationsOfProcess,
  deleteSubscriptionEventsOfProcess,
  lockProcessForErasure,
  markProcessErased,
  replaceDocument,
  serviceVersionDefinition,
  setAttemptErrorAndExcerpt,
  setDeliveryStatusAndError,
  setTimelineText,
  taskTitlesOfProcess,
  timelineOfProcess,
  transactionNow,
} from './erasure-repo.ts';

export { erasedAtOf, processIdByReference } from './erasure-repo.ts';

export interface EraseDeps {
  db: Database;
  store: DocumentStore;
  /** Plugins that keep data of their own (hub.erasers): each erases its copy in the same transaction. */
  erasers: readonly PluginEraser[];
}

export interface EraseRequest {
  /** Who erases, as the audit log names actors: "api-client:<key name>", "cli:<user>", "retention". */
  actor: string;
  /** Why (kept in the audit log, which is never erased: no personal data here). */
  reason?: string | null;
  via: 'request' | 'retention';
}

/** What an erasure changed, by kind (counts only: the audit entry keeps these). */
export interface ErasedCounts {
  answers: number;
  documents: number;
  filesDeleted: number;
  timelineEvents: number;
  notifications: number;
  deliveries: number;
  deliveryAttempts: number;
  trackingTokens: number;
  formSessions: number;
  /** Records erased by plugins that keep data of their own, by plugin (the sandbox back office's inbox). */
  pluginRecords: Record<string, number>;
}

export interface EraseResult {
  processId: string;
  reference: string;
  serviceId: string;
  /** False when the process had already been erased: nothing was done. */
  erased: boolean;
  erasedAt: Date;
  message: string;
  removed: ErasedCounts | null;
}

export { GoneError } from '../errors.ts';

/** Deliveries not yet made when the process was erased are ended with this error (and must not be replayed). */
export const NOT_DELIVERED_ERASED = 'Not delivered: the process was erased';

const REASON_MAX = 1000;

/** Postgres gave up one of two transactions waiting on each other (deadlock) or could not serialize it. */
function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}

export async function eraseProcess(deps: EraseDeps, processId: string, request: EraseRequest): Promise<EraseResult> {
  // Erasure locks the process and then its deliveries; a delivery being recorded at that moment locks them the other way
  // round, so Postgres may end one of the two as a deadlock. Erasing again is safe (it is idempotent): try up to 3 times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await eraseOnce(deps, processId, request);
    } catch (err) {
      if (attempt >= 3 || !isRetryableConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
    }
  }
}

async function eraseOnce(deps: EraseDeps, processId: string, request: EraseRequest): Promise<EraseResult> {
  const { db } = deps;
  return db.transaction(async (t) => {
    const p = await lockProcessForErasure(t, processId);
    if (!p) throw new NotFoundError('There is no such process');
    if (p.erasedAt) {
      return {
        processId: p.id,
        reference: p.reference,
        serviceId: p.serviceId,
        erased: false,
        erasedAt: p.erasedAt,
        removed: null,
        message: `${p.reference} was already erased on ${p.erasedAt.toISOString()}; nothing was changed`,
      };
    }
    const now = await transactionNow(t);
    const definition = definitionOf(await serviceVersionDefinition(t, p.serviceId, p.serviceVersion));
    const docs = await documentsOfProcess(t, p.id);
    const contactValues = Object.values(p.contact).filter((v): v is string => typeof v === 'string');
    const values = personalValues(definition, p.answers, [...contactValues, ...docs.filter((d) => d.kind === 'evidence').map((d) => d.name)]);

    const removed: ErasedCounts = {
      answers: Object.keys(p.answers).length,
      documents: docs.length,
      filesDeleted: 0,
      timelineEvents: 0,
      notifications: 0,
      deliveries: 0,
      deliveryAttempts: 0,
      trackingTokens: 0,
      formSessions: 0,
      pluginRecords: {},
    };

    // Documents: each keeps its row (kind, dates; evidence its type) with a small stand-in instead of its bytes.
    for (const d of docs) {
      const stand = erasedDocument(d.kind, p.reference, now);
      // A citizen's file names and a council document's name and title may name the citizen.
      await replaceDocument(t, d.id, { ...stand, name: d.kind === 'evidence' || d.kind === 'council' ? 'erased' : d.name });
    }

    // The citizen's finished form sessions (their answers and file list): gone, before blobs are checked for other users.
    removed.formSessions = await deleteFormSessionsOfProcess(t, p.id);

    // Evidence blobs are content-addressed and may be shared: delete one only when no document (and no form in progress)
    // still refers to it. Done before commit: should the commit fail, the erasure is simply run again.
    for (const key of new Set(docs.map((d) => d.storageKey).filter((k): k is string => !!k))) {
      if (await blobInUse(t, key)) continue;
      await deps.store.remove(key);
      removed.filesDeleted++;
    }

    // Deliveries: ones not yet made are ended (the back office must not receive erased data); errors lose the citizen's
    // values; what back offices answered is replaced.
    for (const d of await deliveriesOfProcess(t, p.id)) {
      const open = ['pending', 'queued', 'delivering'].includes(d.status);
      const error = open ? NOT_DELIVERED_ERASED : d.lastError === null ? null : scrubText(d.lastError, values);
      if (!open && error === d.lastError) continue;
      await setDeliveryStatusAndError(t, d.id, open ? 'dead' : d.status, error);
      removed.deliveries++;
    }
    for (const a of await deliveryAttemptsOfProcess(t, p.id)) {
      const error = a.error === null ? null : scrubText(a.error, values);
      const excerpt = a.responseExcerpt === null ? null : ERASED;
      if (error === a.error && excerpt === a.responseExcerpt) continue;
      await setAttemptErrorAndExcerpt(t, a.id, error, excerpt);
      removed.deliveryAttempts++;
    }

    // Messages: texts and errors replaced (the times and channel stay); messages not yet sent never will be.
    removed.notifications = await eraseNotificationsOfProcess(t, p.id, ERASED);
    // The citizen's own messages (replies from the tracking page): their words replaced, unsent updates ended.
    await eraseCitizenMessagesOfProcess(t, p.id, ERASED);
    // Outbound subscriptions' events of the process: deleted (a subscriber's copy is its own, like a back office's).
    await deleteSubscriptionEventsOfProcess(t, p.id);

    // Timeline: kinds and times stay; notes (any author) lose their text, task and status entries keep only the change.
    const titles = await taskTitlesOfProcess(t, p.id);
    for (const e of await timelineOfProcess(t, p.id)) {
      const text = timelineText(e, titles);
      if (text === e.text) continue;
      await setTimelineText(t, e.id, text);
      removed.timelineEvents++;
    }

    // Tracking links stop working.
    removed.trackingTokens = await deleteTrackingTokensOfProcess(t, p.id);
    // Plugins that keep what they received in this database (the sandbox back office) erase their copy too.
    for (const eraser of deps.erasers) {
      removed.pluginRecords[eraser.plugin] = await eraser.erase({ processId: p.id, reference: p.reference, placeholder: ERASED }, pluginDatabase(t));
    }

    // With its contact details gone the citizen can no longer be told anything: the process keeps no channel.
    await markProcessErased(t, p.id, { answers: redactedAnswers(p.answers), placeholder: ERASED, erasedAt: now });
    const reason = request.reason?.trim().slice(0, REASON_MAX) || null;
    await insertAuditEvent(t, {
      actor: request.actor,
      action: 'process.erased',
      processId: p.id,
      target: p.reference,
      detail: { via: request.via, reason, removed },
      at: now,
    });
    return {
      processId: p.id,
      reference: p.reference,
      serviceId: p.serviceId,
      erased: true,
      erasedAt: now,
      removed,
      message:
        `${p.reference} was erased: answers, contact details, ${removed.documents} document(s) (${removed.filesDeleted} file(s) deleted), ` +
        `${removed.timelineEvents} timeline text(s), ${removed.notifications} message(s) and ${removed.trackingTokens} tracking link(s)`,
    };
  });
}

/** The timeline text an erased process keeps: notes say nothing, changes say only what changed. */
function timelineText(e: { kind: string; text: string; data: Record<string, unknown> }, titles: Map<string, string>): string {
  switch (e.kind) {
    case 'note':
      return ERASED;
    case 'task': {
      const title = titles.get(String(e.data.task));
      // A target set or moved keeps its date, not its reason.
      if (typeof e.data.dueDate === 'string' && title) return `${title}: target date ${e.data.dueDate}`;
      const label = TASK_STATUS_LABEL[String(e.data.status) as keyof typeof TASK_STATUS_LABEL];
      return title && label ? `${title}: ${label}` : ERASED;
    }
    case 'status':
      return PROCESS_STATUS_TEXT[String(e.data.status)] ?? ERASED;
    case 'document':
      // Its title may name the citizen; that a document was added stays.
      return 'The council added a document';
    default:
      // 'submitted' and 'received' are the hub's own fixed texts; 'message' says only what the citizen sent ("You sent a message and 1 file"): their words are in citizen_messages.
      return e.text;
  }
}

function definitionOf(stored: unknown): ServiceDefinition | null {
  const parsed = serviceDefinitionSchema.safeParse(stored);
  // Without a readable definition every answer's text is treated as personal (the safe side).
  return parsed.success ? parsed.data : null;
}
