// Erasure of a citizen's personal data from one process, on request (admin API, CLI) or when its retention period ends.
// The process keeps its row, reference, service, status, dates, tasks and timeline shape, so statistics and the audit
// trail survive; what the citizen wrote, who they are, the files they sent and every copy of those are removed.
// Everything is changed in ONE transaction with the process row locked, so two erasures (or an erasure and a back-office
// change) never interleave; a second erasure finds erased_at set and does nothing.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { NotFoundError } from '../errors.ts';
import type { DocumentStore } from '../documents/index.ts';
import { PROCESS_STATUS_TEXT, TASK_STATUS_LABEL } from '../processes/index.ts';
import { serviceDefinitionSchema, type ServiceDefinition } from '../services/index.ts';
import { ERASED, erasedDocument, personalValues, redactedAnswers, scrubText } from './redact.ts';
import { pluginDatabase } from '../db/index.ts';
import type { PluginEraser } from '../plugins/plugin-data.ts';

export interface EraseDeps {
  sequelize: Sequelize;
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

interface LockedProcess {
  id: string;
  reference: string;
  service_id: string;
  service_version: number;
  answers: Record<string, unknown>;
  contact: Record<string, unknown>;
  erased_at: Date | null;
}

/** The process id for a human reference (case and spaces forgiven), or null. */
export async function processIdByReference(sequelize: Sequelize, reference: string): Promise<string | null> {
  const [row] = await sequelize.query<{ id: string }>('select id from processes where reference = $1', {
    bind: [reference.trim().toUpperCase()],
    type: QueryTypes.SELECT,
  });
  return row?.id ?? null;
}

/** When a process was erased (null: it was not). */
export async function erasedAtOf(sequelize: Sequelize, processId: string): Promise<Date | null> {
  const [row] = await sequelize.query<{ erased_at: Date | null }>('select erased_at from processes where id = $1', {
    bind: [processId],
    type: QueryTypes.SELECT,
  });
  return row?.erased_at ?? null;
}

/** Postgres gave up one of two transactions waiting on each other (deadlock) or could not serialize it. */
function isRetryableConflict(err: unknown): boolean {
  const e = err as { parent?: { code?: string }; original?: { code?: string }; code?: string };
  const code = e?.parent?.code ?? e?.original?.code ?? e?.code;
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
  const { sequelize } = deps;
  return sequelize.transaction(async (t) => {
    const q = <T extends object>(sql: string, bind: unknown[]) => sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT, transaction: t });
    const [p] = await q<LockedProcess>(
      'select id, reference, service_id, service_version, answers, contact, erased_at from processes where id = $1 for update',
      [processId],
    );
    if (!p) throw new NotFoundError('There is no such process');
    if (p.erased_at) {
      return {
        processId: p.id,
        reference: p.reference,
        serviceId: p.service_id,
        erased: false,
        erasedAt: p.erased_at,
        removed: null,
        message: `${p.reference} was already erased on ${p.erased_at.toISOString()}; nothing was changed`,
      };
    }
    const [{ now }] = (await q<{ now: Date }>('select now() as now', [])) as [{ now: Date }];
    const definition = await definitionOf(sequelize, t, p.service_id, p.service_version);
    const docs = await q<{ id: string; kind: string; name: string; storage_key: string | null }>(
      'select id, kind, name, storage_key from documents where process_id = $1',
      [p.id],
    );
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
      await q('update documents set content = $2, storage_key = null, size = $3, sha256 = $4, name = $5 where id = $1', [
        d.id,
        stand.content,
        stand.content.length,
        stand.sha256,
        d.kind === 'evidence' ? 'erased' : d.name,
      ]);
    }

    // The citizen's finished form sessions (their answers and file list): gone, before blobs are checked for other users.
    removed.formSessions = await count(
      q,
      `with x as (delete from form_sessions where result->>'processId' = $1 returning 1) select count(*)::int as n from x`,
      [p.id],
    );

    // Evidence blobs are content-addressed and may be shared: delete one only when no document (and no form in progress)
    // still refers to it. Done before commit: should the commit fail, the erasure is simply run again.
    for (const key of new Set(docs.map((d) => d.storage_key).filter((k): k is string => !!k))) {
      const [use] = await q<{ used: boolean }>(
        `select exists (select 1 from documents where storage_key = $1)
           or exists (select 1 from form_sessions s, jsonb_array_elements(s.files) f where f->>'key' = $1) as used`,
        [key],
      );
      if (use?.used) continue;
      await deps.store.remove(key);
      removed.filesDeleted++;
    }

    // Deliveries: ones not yet made are ended (the back office must not receive erased data); errors lose the citizen's
    // values; what back offices answered is replaced.
    const deliveries = await q<{ id: string; status: string; last_error: string | null }>(
      'select id, status, last_error from deliveries where process_id = $1',
      [p.id],
    );
    for (const d of deliveries) {
      const open = ['pending', 'queued', 'delivering'].includes(d.status);
      const error = open ? NOT_DELIVERED_ERASED : d.last_error === null ? null : scrubText(d.last_error, values);
      if (!open && error === d.last_error) continue;
      await q(`update deliveries set status = $2, last_error = $3, updated_at = now() where id = $1`, [d.id, open ? 'dead' : d.status, error]);
      removed.deliveries++;
    }
    const attempts = await q<{ id: string; error: string | null; response_excerpt: string | null }>(
      'select a.id, a.error, a.response_excerpt from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.process_id = $1',
      [p.id],
    );
    for (const a of attempts) {
      const error = a.error === null ? null : scrubText(a.error, values);
      const excerpt = a.response_excerpt === null ? null : ERASED;
      if (error === a.error && excerpt === a.response_excerpt) continue;
      await q('update delivery_attempts set error = $2, response_excerpt = $3 where id = $1', [a.id, error, excerpt]);
      removed.deliveryAttempts++;
    }

    // Messages: texts and errors replaced (the times and channel stay); messages not yet sent never will be.
    removed.notifications = await count(
      q,
      `with x as (
         update notifications set
           updates = coalesce((select jsonb_agg(jsonb_build_object('text', $2::text, 'at', u->'at')) from jsonb_array_elements(updates) u), '[]'::jsonb),
           last_error = case when last_error is null then null else $2 end,
           status = case when status in ('pending', 'queued', 'sending') then 'skipped' else status end,
           updated_at = now()
         where process_id = $1 returning 1)
       select count(*)::int as n from x`,
      [p.id, ERASED],
    );

    // Timeline: kinds and times stay; notes (any author) lose their text, task and status entries keep only the change.
    const titles = new Map(
      (await q<{ key: string; title: string }>('select key, title from tasks where process_id = $1', [p.id])).map((r) => [r.key, r.title]),
    );
    const events = await q<{ id: string; kind: string; text: string; data: Record<string, unknown> }>(
      'select id, kind, text, data from timeline_events where process_id = $1',
      [p.id],
    );
    for (const e of events) {
      const text = timelineText(e, titles);
      if (text === e.text) continue;
      await q('update timeline_events set text = $2 where id = $1', [e.id, text]);
      removed.timelineEvents++;
    }

    // Tracking links stop working.
    removed.trackingTokens = await count(q, 'with x as (delete from tracking_tokens where process_id = $1 returning 1) select count(*)::int as n from x', [
      p.id,
    ]);
    // Plugins that keep what they received in this database (the sandbox back office) erase their copy too.
    for (const eraser of deps.erasers) {
      removed.pluginRecords[eraser.plugin] = await eraser.erase({ processId: p.id, reference: p.reference, placeholder: ERASED }, pluginDatabase(sequelize, t));
    }

    // With its contact details gone the citizen can no longer be told anything: the process keeps no channel.
    await q(
      `update processes set answers = $2::jsonb, contact = '{}'::jsonb, channel = null, closed_reason = case when closed_reason is null then null else $3 end,
         erased_at = $4, updated_at = now() where id = $1`,
      [p.id, JSON.stringify(redactedAnswers(p.answers)), ERASED, now],
    );
    const reason = request.reason?.trim().slice(0, REASON_MAX) || null;
    await q(`insert into audit_events (actor, action, process_id, target, detail, created_at) values ($1, 'process.erased', $2, $3, $4::jsonb, $5)`, [
      request.actor,
      p.id,
      p.reference,
      JSON.stringify({ via: request.via, reason, removed }),
      now,
    ]);
    return {
      processId: p.id,
      reference: p.reference,
      serviceId: p.service_id,
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
      const label = TASK_STATUS_LABEL[String(e.data.status) as keyof typeof TASK_STATUS_LABEL];
      return title && label ? `${title}: ${label}` : ERASED;
    }
    case 'status':
      return PROCESS_STATUS_TEXT[String(e.data.status)] ?? ERASED;
    default:
      // 'submitted' and 'received' are the hub's own fixed texts.
      return e.text;
  }
}

async function definitionOf(sequelize: Sequelize, t: Transaction, serviceId: string, version: number): Promise<ServiceDefinition | null> {
  const [row] = await sequelize.query<{ definition: unknown }>('select definition from service_versions where service_id = $1 and version = $2', {
    bind: [serviceId, version],
    type: QueryTypes.SELECT,
    transaction: t,
  });
  const parsed = serviceDefinitionSchema.safeParse(row?.definition);
  // Without a readable definition every answer's text is treated as personal (the safe side).
  return parsed.success ? parsed.data : null;
}

async function count(q: <T extends object>(sql: string, bind: unknown[]) => Promise<T[]>, sql: string, bind: unknown[]): Promise<number> {
  const [row] = await q<{ n: number }>(sql, bind);
  return row?.n ?? 0;
}
