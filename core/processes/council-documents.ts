// A document the council adds to a process (REST API, signed callback, staff console): its row, and — as a change the
// citizen may see — its timeline entry, the citizen's message when it is visible to them, and the audit entry, all
// through citizen-changes in one transaction. A private document is on the case's timeline for staff only and never
// reaches the citizen (not listed on the tracking page, not downloadable with the tracking link, not in any message).
import { newId } from '../db/ids.ts';
import type { Sql } from '../db/database.ts';
import { GoneError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from '../plugins/index.ts';
import { recordCitizenChange } from '../citizen-changes/index.ts';
import { insertCouncilDocument, type DocumentRecord } from '../documents/documents-repo.ts';
import type { DocumentStore, StoredBlob } from '../documents/index.ts';
import { lockProcess } from './processes-repo.ts';
import type { ActionDeps, ActionOptions } from './actions.ts';

export const MAX_DOCUMENT_TITLE = 200;

export interface CouncilDocumentInput {
  /** The file's name as the citizen downloads it (already made safe: safeFileName). */
  name: string;
  title?: string | null;
  contentType: string;
  blob: StoredBlob;
  visibleToCitizen: boolean;
}

/** What the citizen (and the case's timeline) reads: "The council added a document: Abatement notice". */
export function documentTimelineText(d: { name: string; title: string | null }): string {
  return `The council added a document: ${d.title ?? d.name}`;
}

/**
 * Adds the document (its bytes already stored) in the caller's transaction or its own. 404 for no such process, 410 for
 * one erased on the citizen's request. The caller removes a blob it created when this throws (discardBlob).
 */
export async function addCouncilDocument(
  deps: ActionDeps,
  processId: string,
  input: CouncilDocumentInput,
  actor: Actor,
  options: ActionOptions = {},
): Promise<DocumentRecord> {
  const title = input.title?.trim() || null;
  if (title && title.length > MAX_DOCUMENT_TITLE)
    throw new ValidationError('The title is too long', [{ field: 'title', message: `must be ${MAX_DOCUMENT_TITLE} characters or fewer` }]);
  const run = async (t: Sql) => {
    const p = await lockProcess(t, processId);
    if (!p) throw new NotFoundError('There is no such process');
    if (p.erased_at) throw new GoneError('The personal data of this process was erased; documents can no longer be added');
    const doc = await insertCouncilDocument(t, {
      id: newId(),
      processId,
      name: input.name,
      title,
      contentType: input.contentType,
      size: input.blob.size,
      sha256: input.blob.sha256,
      storageKey: input.blob.key,
      visibleToCitizen: input.visibleToCitizen,
    });
    await recordCitizenChange(deps, t, {
      processId,
      actor,
      entries: [{ kind: 'document', text: documentTimelineText(doc), visibleToCitizen: input.visibleToCitizen, data: { document: doc.id } }],
      audit: {
        action: 'document.added',
        detail: { document: doc.id, visibleToCitizen: input.visibleToCitizen, contentType: doc.contentType, size: doc.size },
      },
    });
    return doc;
  };
  return options.transaction ? run(options.transaction) : deps.db.transaction(run);
}

/** Removes a blob this request stored when the document was not added (never one that already existed: it is shared). */
export async function discardBlob(store: DocumentStore, blob: StoredBlob): Promise<void> {
  if (blob.created) await store.remove(blob.key);
}
