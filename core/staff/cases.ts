// Cases as council staff find and work on them: a search scoped like API keys (another council's case, or a caseworker's
// case of a service it is not given, is not found), a case's page, and its changes (notes, tasks, closing) made through
// the same domain functions as the REST API with the person as the actor, so the timeline and the audit log say who.
import type { Readable } from 'node:stream';
import type { Hub } from '../hub.ts';
import { NotFoundError } from '../errors.ts';
import type { Actor } from '../plugins/index.ts';
import {
  addCouncilDocument,
  addNote,
  closeProcess,
  processView,
  timelineView,
  updateTask,
  type ActionDeps,
  type CouncilDocumentInput,
  type ProcessView,
  type TaskUpdate,
  type TimelineView,
} from '../processes/index.ts';
import { findProcessById, type ProcessRecord } from '../processes/processes-repo.ts';
import { findMessagesOf, type MessageRecord } from '../replies/index.ts';
import { findDocumentWithContent, auditDocumentDownload } from '../documents/documents-repo.ts';
import {
  countCases,
  findCaseDeliveries,
  findCaseMessages,
  searchCases,
  type CaseDeliveryRow,
  type CaseMessageRow,
  type CaseRow,
  type CasePosition,
} from './cases-repo.ts';
import { staffMaySeeService } from './scope.ts';
import { staffActor, staffDisplayName, type StaffUser } from './types.ts';

export const CASE_STATUSES = ['submitted', 'received', 'in_progress', 'completed', 'closed'] as const;
export const PAGE_SIZE = 25;
/** Counted no further: "more than 1,000 cases". */
export const COUNT_LIMIT = 1000;
/** A search by part of a name is counted to 100: a common name matches thousands, and counting them costs more than
 * the page itself ("more than 100 cases" says to narrow the search as well). */
export const NAME_COUNT_LIMIT = 100;

export interface CaseQuery {
  reference?: string;
  externalRef?: string;
  name?: string;
  email?: string;
  postcode?: string;
  service?: string;
  statuses: string[];
  from?: string;
  to?: string;
}

export interface CaseSearchResult {
  cases: (CaseRow & { serviceTitle: string })[];
  /** Up to countLimit + 1 (more than countLimit). */
  count: number;
  /** How far it was counted: COUNT_LIMIT, or NAME_COUNT_LIMIT for a search by part of a name. */
  countLimit: number;
  /** Ids to page from: older (next page) and newer (previous page); null when there is none. */
  next: string | null;
  previous: string | null;
}

/** The services the person may see, with their titles, in the catalogue's order. */
export function servicesFor(hub: Hub, user: StaffUser): { id: string; title: string }[] {
  return hub.catalogue
    .list()
    .map((s) => ({ id: s.definition.id, title: s.definition.title }))
    .filter((s) => staffMaySeeService(user, s.id, hub.councils.idOfService(hub.catalogue, s.id)));
}

/** A page of the cases the person may see that match. */
export async function findCases(hub: Hub, user: StaffUser, q: CaseQuery, position: CasePosition): Promise<CaseSearchResult> {
  const visible = servicesFor(hub, user);
  const titles = new Map(visible.map((s) => [s.id, s.title]));
  const services = q.service ? visible.filter((s) => s.id === q.service).map((s) => s.id) : visible.map((s) => s.id);
  const countLimit = q.name && !(q.reference || q.externalRef || q.email || q.postcode) ? NAME_COUNT_LIMIT : COUNT_LIMIT;
  if (!services.length) return { cases: [], count: 0, countLimit, next: null, previous: null };
  const filter = { ...q, services, statuses: q.statuses.length ? q.statuses : undefined };
  const [rows, count] = await Promise.all([searchCases(hub.db, filter, position, PAGE_SIZE + 1), countCases(hub.db, filter, countLimit + 1)]);
  const backwards = position !== null && 'before' in position;
  // One row more than a page tells whether there is another page in the direction read.
  const more = rows.length > PAGE_SIZE;
  const page = backwards ? rows.slice(rows.length - Math.min(rows.length, PAGE_SIZE)) : rows.slice(0, PAGE_SIZE);
  const first = page[0]?.id ?? null;
  const last = page[page.length - 1]?.id ?? null;
  return {
    cases: page.map((c) => ({ ...c, serviceTitle: titles.get(c.serviceId) ?? c.serviceId })),
    count,
    countLimit,
    next: backwards ? (position ? last : null) : more ? last : null,
    previous: backwards ? (more ? first : null) : position ? first : null,
  };
}

export interface CasePage {
  process: ProcessView;
  erased: boolean;
  timeline: TimelineView[];
  deliveries: CaseDeliveryRow[];
  messages: CaseMessageRow[];
  /** What the citizen sent from the tracking page (replies and further evidence), oldest first. */
  fromCitizen: MessageRecord[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case, when the person may see it; otherwise (none, another council's, a service not given) not found. */
export async function loadCase(hub: Hub, user: StaffUser, id: string): Promise<CasePage> {
  const row = await visibleProcess(hub, user, id);
  const [process, timeline, deliveries, messages, fromCitizen] = await Promise.all([
    processView(hub.db, hub.catalogue, hub.config.server.publicBaseUrl, row),
    timelineView(hub.db, row.id, false),
    findCaseDeliveries(hub.db, row.id),
    findCaseMessages(hub.db, row.id),
    findMessagesOf(hub.db, row.id),
  ]);
  return { process, erased: row.erasedAt !== null, timeline, deliveries, messages, fromCitizen };
}

/** The actor a staff member's changes are recorded with: their name on the timeline, "staff:<id>" in the audit log. */
export function staffCaseActor(user: StaffUser): Actor {
  return { kind: 'staff', name: staffDisplayName(user), id: user.id };
}

function deps(hub: Hub): ActionDeps {
  return {
    db: hub.db,
    notifyWindowSeconds: hub.config.notifications.combineWindowSeconds,
    calendarOf: (serviceId: string) => hub.councils.calendarOf(hub.catalogue, serviceId),
  };
}

/** The process, when the person may see it: not found (404) when there is none or it is outside their scope alike. */
async function visibleProcess(hub: Hub, user: StaffUser, id: string): Promise<ProcessRecord> {
  const row = UUID.test(id) ? await findProcessById(hub.db, id) : undefined;
  if (!row || !staffMaySeeService(user, row.serviceId, hub.councils.idOfService(hub.catalogue, row.serviceId)))
    throw new NotFoundError('There is no such case, or you do not have access to it.');
  return row;
}

async function caseIdFor(hub: Hub, user: StaffUser, id: string): Promise<string> {
  return (await visibleProcess(hub, user, id)).id;
}

export async function addCaseNote(hub: Hub, user: StaffUser, id: string, note: { text: string; visibleToCitizen: boolean }): Promise<void> {
  await addNote(deps(hub), await caseIdFor(hub, user, id), note, staffCaseActor(user));
}

export async function updateCaseTask(hub: Hub, user: StaffUser, id: string, taskKey: string, update: TaskUpdate): Promise<{ changed: boolean }> {
  return updateTask(deps(hub), await caseIdFor(hub, user, id), taskKey, update, staffCaseActor(user));
}

/** Adds a document (its file already stored) to the case, as the person: the citizen is told when it is visible to them. */
export async function addCaseDocument(hub: Hub, user: StaffUser, id: string, document: CouncilDocumentInput): Promise<void> {
  await addCouncilDocument(deps(hub), await caseIdFor(hub, user, id), document, staffCaseActor(user));
}

export async function closeCase(hub: Hub, user: StaffUser, id: string, reason: string): Promise<{ changed: boolean }> {
  return closeProcess(deps(hub), await caseIdFor(hub, user, id), reason, staffCaseActor(user));
}

/** A case's document for download, the download in the audit log; not found outside the person's scope, gone when erased. */
export async function caseDocument(
  hub: Hub,
  user: StaffUser,
  id: string,
  documentId: string,
): Promise<{ name: string; contentType: string; size: number; sha256: string; body: Buffer | Readable } | { erasedAt: Date }> {
  const processId = await caseIdFor(hub, user, id);
  const doc = UUID.test(documentId) ? await findDocumentWithContent(hub.db, processId, documentId) : undefined;
  if (!doc) throw new NotFoundError('There is no such document.');
  const state = await auditDocumentDownload(hub.db, { actor: staffActor(user), processId, documentId: doc.id, detail: JSON.stringify({ kind: doc.kind }) });
  if (state?.erased_at) return { erasedAt: state.erased_at };
  return { name: doc.name, contentType: doc.contentType, size: doc.size, sha256: doc.sha256, body: doc.content ?? hub.store.stream(doc.storageKey!) };
}
