// Read models of a process: what a back office sees, and the much smaller part a citizen sees through the tracking link.
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../errors.ts';
import { clientMaySee, type ApiClient } from '../auth/api-keys.ts';
import { documentUrl } from '../documents/index.ts';
import { findDocumentsOf, type DocumentRecord } from '../documents/documents-repo.ts';
import { asksSomething, isFieldShown, type Field, type ListItemField, type ServiceCatalogue } from '../services/index.ts';
import { poundsAndPence } from '../documents/form-copy.ts';
import { whereOf, type Where } from '../boundary/index.ts';
import { hashTrackingToken, looksLikeTrackingToken } from './tracking-token.ts';
import { findDeliveriesOf, findProcessById, findProcessService, type ProcessRecord } from './processes-repo.ts';
import { findTasks, type TaskRecord } from './tasks-repo.ts';
import { isOverdue } from './targets.ts';
import { findTimeline } from './timeline-repo.ts';
import { findTrackedDocument, findTrackedProcess, type TrackedDocument } from './tracking-repo.ts';

export interface DocumentView {
  id: string;
  kind: string;
  fieldId: string | null;
  name: string;
  title: string | null;
  visibleToCitizen: boolean;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  url: string;
}

export interface TaskView {
  key: string;
  title: string;
  status: string;
  updatedAt: string;
  /** When the council aims to have it done: the end of a working day in the UK (23:59:59 Europe/London); null without a target. */
  dueAt: string | null;
  /** The date has passed and the task is not done (nor the process finished). */
  overdue: boolean;
}

export interface TimelineView {
  id: string;
  at: string;
  kind: string;
  text: string;
  visibleToCitizen: boolean;
  by: string;
  data: Record<string, unknown>;
}

export interface ProcessView {
  id: string;
  reference: string;
  serviceId: string;
  serviceVersion: number;
  serviceTitle: string;
  status: string;
  closedReason: string | null;
  externalRef: string | null;
  submittedAt: string;
  updatedAt: string;
  answers: Record<string, unknown>;
  /** The questions of the version this process was submitted with, and the answers as text. */
  questions: { id: string; label: string; answer: string | null }[];
  contact: Record<string, string>;
  tasks: TaskView[];
  deliveries: { binding: string; status: string; externalRef: string | null; attempts: number }[];
  documents: DocumentView[];
}

export interface TrackingView {
  reference: string;
  serviceId: string;
  serviceTitle: string;
  status: string;
  closedReason: string | null;
  submittedAt: string;
  updatedAt: string;
  tasks: (TaskView & { description?: string })[];
  /** `message`: what the citizen wrote, on their own messages (kind `message`). */
  timeline: { at: string; kind: string; text: string; message?: string }[];
  documents: { name: string; size: number }[];
  /** Documents the council added for the citizen, newest first, each downloaded at `url` (relative, with the token). */
  councilDocuments: { id: string; name: string; title: string | null; size: number; contentType: string; addedAt: string; url: string }[];
  /** Where the case happened (the one part of the answers the page shows); the page only, not in the JSON API's answer. */
  place?: Where;
}

/** A task as the API, the staff console and the tracking page show it. */
export function toTaskView(t: Pick<TaskRecord, 'key' | 'title' | 'status' | 'updatedAt' | 'dueAt'>, processStatus: string, now = new Date()): TaskView {
  return {
    key: t.key,
    title: t.title,
    status: t.status,
    updatedAt: t.updatedAt.toISOString(),
    dueAt: t.dueAt?.toISOString() ?? null,
    overdue: isOverdue(t, processStatus, now),
  };
}

/** An answer as plain text for staff: money as "£1,250.00", a list's items one after another ("Person 1: Ann, 7; …"). */
function answerText(field: Field | ListItemField, value: unknown): string {
  if (field.type === 'money') return poundsAndPence(value);
  if (field.type === 'declaration') return value === true ? 'Confirmed' : String(value);
  if (field.type === 'list' && Array.isArray(value)) {
    const name = field.itemName.charAt(0).toUpperCase() + field.itemName.slice(1);
    return (value as Record<string, unknown>[])
      .map((item, i) => {
        const parts = field.fields.filter((sub) => item?.[sub.id] !== undefined).map((sub) => answerText(sub, item[sub.id]));
        return `${name} ${i + 1}: ${parts.join(', ')}`;
      })
      .join('; ');
  }
  if (Array.isArray(value))
    return value.map((v) => (v && typeof v === 'object' ? String((v as { name?: unknown }).name ?? JSON.stringify(v)) : String(v))).join(', ');
  if (value && typeof value === 'object')
    return Object.values(value as Record<string, unknown>)
      .filter((v) => v !== undefined && v !== '')
      .join(', ');
  return String(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * 404 for a process the key may not see, another council's or another service's: the same answer as for no process at all,
 * so a key never learns that a process outside its scope exists (a 403 would confirm it).
 */
function checkAccess(client: ApiClient, serviceId: string, councilOf: (serviceId: string) => string): void {
  if (!clientMaySee(client, serviceId, councilOf(serviceId))) throw new NotFoundError('There is no such process');
}

/** Loads a process a client may see: 404 if it does not exist or the key may not see it (see checkAccess). */
export async function loadProcessFor(db: Database, client: ApiClient, processId: string, councilOf: (serviceId: string) => string): Promise<ProcessRecord> {
  if (!UUID.test(processId)) throw new NotFoundError('There is no such process');
  const row = await findProcessById(db, processId);
  if (!row) throw new NotFoundError('There is no such process');
  checkAccess(client, row.serviceId, councilOf);
  return row;
}

/**
 * The same checks as loadProcessFor for routes that change a process and need only to know they may: one small
 * prepared query instead of loading the whole row (answers and all). Returns the process id as stored.
 */
export async function checkProcessAccess(db: Database, client: ApiClient, processId: string, councilOf: (serviceId: string) => string): Promise<string> {
  if (!UUID.test(processId)) throw new NotFoundError('There is no such process');
  const row = await findProcessService(db, processId);
  if (!row) throw new NotFoundError('There is no such process');
  checkAccess(client, row.serviceId, councilOf);
  return row.id;
}

export function toDocumentView(publicBaseUrl: string, d: DocumentRecord): DocumentView {
  return {
    id: d.id,
    kind: d.kind,
    fieldId: d.fieldId,
    name: d.name,
    title: d.title,
    visibleToCitizen: d.visibleToCitizen,
    contentType: d.contentType,
    size: Number(d.size),
    sha256: d.sha256,
    createdAt: d.createdAt.toISOString(),
    url: documentUrl(publicBaseUrl, d.processId, d.id),
  };
}

export async function processView(db: Database, catalogue: ServiceCatalogue, publicBaseUrl: string, row: ProcessRecord): Promise<ProcessView> {
  const [sv, tasks, deliveries, documents] = await Promise.all([
    catalogue.getVersion(row.serviceId, row.serviceVersion),
    findTasks(db, row.id),
    findDeliveriesOf(db, row.id),
    findDocumentsOf(db, row.id),
  ]);
  return {
    id: row.id,
    reference: row.reference,
    serviceId: row.serviceId,
    serviceVersion: row.serviceVersion,
    serviceTitle: sv.definition.title,
    status: row.status,
    closedReason: row.closedReason,
    externalRef: row.externalRef,
    submittedAt: row.submittedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    answers: row.answers,
    questions: sv.definition.fields
      .filter((f) => asksSomething(f) && isFieldShown(f, row.answers))
      .map((f) => ({ id: f.id, label: f.label, answer: row.answers[f.id] === undefined ? null : answerText(f, row.answers[f.id]) })),
    contact: row.contact as Record<string, string>,
    tasks: tasks.map((t) => toTaskView(t, row.status)),
    deliveries,
    documents: documents.map((d) => toDocumentView(publicBaseUrl, d)),
  };
}

export async function timelineView(db: Database, processId: string, citizenOnly: boolean): Promise<TimelineView[]> {
  const rows = await findTimeline(db, processId, citizenOnly);
  return rows.map((e) => ({
    id: String(e.id),
    at: e.createdAt.toISOString(),
    kind: e.kind,
    text: e.text,
    visibleToCitizen: e.visibleToCitizen,
    by: e.actor,
    data: e.data,
  }));
}

/**
 * The citizen's view, found by tracking token. One round trip: the token lookup and everything shown are fetched together.
 * Returns null for an unknown token.
 */
export async function trackingView(db: Database, catalogue: ServiceCatalogue, token: string): Promise<TrackingView | null> {
  if (!looksLikeTrackingToken(token)) return null;
  const p = await findTrackedProcess(db, hashTrackingToken(token));
  if (!p) return null;
  const sv = await catalogue.getVersion(p.service_id, p.service_version);
  const taskDescriptions = new Map(sv.definition.tasks.map((t) => [t.key, t.description]));
  return {
    reference: p.reference,
    serviceId: p.service_id,
    serviceTitle: sv.definition.title,
    status: p.status,
    closedReason: p.closed_reason,
    submittedAt: p.submitted_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
    tasks: (p.tasks ?? []).map((t) => ({
      ...toTaskView(
        {
          key: t.key,
          title: t.title,
          status: t.status as TaskRecord['status'],
          updatedAt: new Date(t.updated_at),
          dueAt: t.due_at ? new Date(t.due_at) : null,
        },
        p.status,
      ),
      ...(taskDescriptions.get(t.key) ? { description: taskDescriptions.get(t.key) } : {}),
    })),
    timeline: (p.timeline ?? []).map((e) => ({ at: new Date(e.at).toISOString(), kind: e.kind, text: e.text, ...(e.message ? { message: e.message } : {}) })),
    documents: (p.documents ?? []).map((d) => ({ name: d.name, size: Number(d.size) })),
    councilDocuments: (p.council_documents ?? []).map((d) => ({
      id: d.id,
      name: d.name,
      title: d.title,
      size: Number(d.size),
      contentType: d.content_type,
      addedAt: new Date(d.at).toISOString(),
      url: `/track/${token}/documents/${d.id}`,
    })),
    ...placeOf(sv.definition.fields, p.answers),
  };
}

function placeOf(fields: Parameters<typeof whereOf>[0], answers: Record<string, unknown> | null): { place?: Where } {
  const place = answers ? whereOf(fields, answers) : undefined;
  return place ? { place } : {};
}

/** A council document the tracking token may download (see findTrackedDocument); null for anything else. */
export async function trackedDocument(db: Database, token: string, documentId: string): Promise<TrackedDocument | null> {
  if (!looksLikeTrackingToken(token) || !UUID.test(documentId)) return null;
  return (await findTrackedDocument(db, hashTrackingToken(token), documentId)) ?? null;
}
