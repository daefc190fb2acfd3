// Working drafts: the service a designer is building or changing in the staff console, saved on every step (there is
// no "save" button to forget) with who saved it last. Each save names the revision it was made from; a save made from an
// older revision is refused with DraftConflictError (someone else saved in between), so nothing is silently overwritten.
// A draft may be incomplete (no questions yet): it is checked against the definition schema only when published, and
// publishing goes through the catalogue's createDraft + publish, the same calls as the admin API.
import type { Database } from '../db/database.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../errors.ts';
import { insertAuditEvent } from '../governance/audit-repo.ts';
import type { ServiceCatalogue, ServiceDefinitionInput, FieldInput, TaskInput } from '../services/index.ts';
import { serviceDefinitionSchema } from '../services/index.ts';
import type { Config } from '../config/index.ts';
import { publishProblems } from './publish-problems.ts';
import { deleteDraft, findDraft, insertDraft, listDrafts, updateDraft, type DraftRow } from './drafts-repo.ts';

/** A definition being designed: the definition's own shape, possibly incomplete (no questions or tasks yet). */
export type DraftDefinition = Omit<ServiceDefinitionInput, 'fields' | 'tasks'> & { fields: FieldInput[]; tasks: TaskInput[] };

export interface WorkingDraft extends Omit<DraftRow, 'definition'> {
  definition: DraftDefinition;
  /** The council that owns the service. */
  council: string;
}

/** Who is editing: the audit log's actor ("staff:<id>") and the name pages show ("Jane Smith"). */
export interface Editor {
  actor: string;
  name: string;
}

/** What the designer needs of the hub. */
export interface DesignerHub {
  db: Database;
  config: Config;
  catalogue: ServiceCatalogue;
  councils: { defaultId: string };
}

/** Someone saved the draft after this person opened it. `current` is what is saved now. */
export class DraftConflictError extends ConflictError {
  constructor(readonly current: WorkingDraft | undefined) {
    super(
      current
        ? `${current.editedByName} changed this service at the same time. Your change has not been saved.`
        : 'This draft has been published or discarded by someone else. Your change has not been saved.',
    );
  }
}

function toWorkingDraft(row: DraftRow, defaultCouncil: string): WorkingDraft {
  return { ...row, council: row.council ?? defaultCouncil, definition: row.definition as DraftDefinition };
}

export async function getDraft(hub: DesignerHub, serviceId: string): Promise<WorkingDraft | undefined> {
  const row = await findDraft(hub.db, serviceId);
  return row && toWorkingDraft(row, hub.councils.defaultId);
}

/** Every working draft; of one council when `council` is given. */
export async function listWorkingDrafts(hub: DesignerHub, council: string | null): Promise<WorkingDraft[]> {
  const rows = await listDrafts(hub.db);
  return rows.map((r) => toWorkingDraft(r, hub.councils.defaultId)).filter((d) => council === null || d.council === council);
}

/**
 * Starts a working draft: a new service (baseVersion null) or a change to a stored version. Refused (409) when the
 * service already has one — there is one draft per service, which every editor of it works on.
 */
export async function startDraft(
  hub: DesignerHub,
  editor: Editor,
  draft: { definition: DraftDefinition; baseVersion: number | null; council: string },
): Promise<WorkingDraft> {
  const serviceId = draft.definition.id;
  const definition = { ...draft.definition, council: draft.council === hub.councils.defaultId ? draft.definition.council : draft.council };
  return hub.db.transaction(async (tx) => {
    const row = await insertDraft(tx, {
      serviceId,
      council: draft.council,
      definition,
      baseVersion: draft.baseVersion,
      actor: editor.actor,
      actorName: editor.name,
    });
    if (!row) throw new ConflictError(`There is already a draft of ${serviceId}`);
    await insertAuditEvent(tx, { actor: editor.actor, action: 'service.draft-started', target: serviceId, detail: { baseVersion: draft.baseVersion } });
    return toWorkingDraft(row, hub.councils.defaultId);
  });
}

/** The service's working draft, or a new one started from its live version (never published: its newest stored one). */
export async function openDraft(hub: DesignerHub, editor: Editor, serviceId: string): Promise<WorkingDraft> {
  const existing = await getDraft(hub, serviceId);
  if (existing) return existing;
  // The live version (after a roll back, not the newer one rolled back from); never published: the newest stored.
  const [latest] = await hub.catalogue.versionsOf(serviceId);
  if (!latest) throw new NotFoundError(`There is no service "${serviceId}"`);
  const base = hub.catalogue.has(serviceId) ? hub.catalogue.get(serviceId).version : latest.version;
  const { definition } = await hub.catalogue.getVersion(serviceId, base);
  try {
    return await startDraft(hub, editor, {
      definition: definition as DraftDefinition,
      baseVersion: base,
      council: definition.council ?? hub.councils.defaultId,
    });
  } catch (err) {
    // Someone else opened it in the same moment: theirs is the draft.
    const raced = await getDraft(hub, serviceId);
    if (err instanceof ConflictError && raced) return raced;
    throw err;
  }
}

/**
 * Saves a changed definition over the draft at `revision`. `change` says what changed, in words for the audit log
 * ("added the question “Where is it?”"). Throws DraftConflictError when the draft is no longer at that revision.
 */
export async function saveDraft(
  hub: DesignerHub,
  editor: Editor,
  serviceId: string,
  revision: number,
  definition: DraftDefinition,
  change: string,
): Promise<WorkingDraft> {
  if (definition.id !== serviceId) throw new ValidationError('A draft keeps its service id', [{ field: 'id', message: `must be "${serviceId}"` }]);
  return hub.db.transaction(async (tx) => {
    const row = await updateDraft(tx, { serviceId, revision, definition, actor: editor.actor, actorName: editor.name });
    if (!row) {
      const current = await findDraft(tx, serviceId);
      throw new DraftConflictError(current && toWorkingDraft(current, hub.councils.defaultId));
    }
    await insertAuditEvent(tx, { actor: editor.actor, action: 'service.draft-edited', target: serviceId, detail: { revision: row.revision, change } });
    return toWorkingDraft(row, hub.councils.defaultId);
  });
}

/** Reads the draft at `revision`, applies `edit` to a copy of its definition and saves it (see saveDraft). */
export async function editDraft(
  hub: DesignerHub,
  editor: Editor,
  serviceId: string,
  revision: number,
  change: string,
  edit: (definition: DraftDefinition) => DraftDefinition | void,
): Promise<WorkingDraft> {
  const draft = await getDraft(hub, serviceId);
  if (!draft || draft.revision !== revision) throw new DraftConflictError(draft);
  const copy = structuredClone(draft.definition);
  const next = edit(copy) ?? copy;
  return saveDraft(hub, editor, serviceId, revision, next, change);
}

/** Throws the draft away (the stored versions are untouched). */
export async function discardDraft(hub: DesignerHub, editor: Editor, serviceId: string, revision: number): Promise<void> {
  await hub.db.transaction(async (tx) => {
    if (!(await deleteDraft(tx, serviceId, revision))) {
      const current = await findDraft(tx, serviceId);
      throw new DraftConflictError(current && toWorkingDraft(current, hub.councils.defaultId));
    }
    await insertAuditEvent(tx, { actor: editor.actor, action: 'service.draft-discarded', target: serviceId, detail: { revision } });
  });
}

/** What stops the draft being published: the definition schema's problems first, then publishProblems'. */
export function draftProblems(hub: DesignerHub, definition: DraftDefinition): FieldError[] {
  const parsed = serviceDefinitionSchema.safeParse(definition);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  return publishProblems(hub.config, hub.catalogue, parsed.data);
}

/**
 * Publishes the draft at `revision`: stored as a new version (or the identical stored one reused), made the published
 * version, and the working draft removed. Problems are thrown as a ValidationError listing each (field path + message).
 */
export async function publishDraft(hub: DesignerHub, editor: Editor, serviceId: string, revision: number): Promise<{ version: number }> {
  const draft = await getDraft(hub, serviceId);
  if (!draft || draft.revision !== revision) throw new DraftConflictError(draft);
  const problems = draftProblems(hub, draft.definition);
  if (problems.length) throw new ValidationError('This service cannot be published yet', problems);
  const definition = serviceDefinitionSchema.parse(draft.definition);
  const { version } = await hub.catalogue.createDraft(definition, 'staff-console');
  await hub.catalogue.publish(serviceId, version);
  await hub.db.transaction(async (tx) => {
    await deleteDraft(tx, serviceId, revision);
    await insertAuditEvent(tx, { actor: editor.actor, action: 'service.published', target: `${serviceId}@${version}`, detail: { from: 'staff-console' } });
  });
  return { version };
}
