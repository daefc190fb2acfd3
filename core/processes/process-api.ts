// The ProcessApi given to connectors: the same actions as the REST API, bound to one binding, with inbound event ids
// recorded in the same transaction as the change (a repeated event has no second effect).
import type { Sql } from '../db/database.ts';
import type { ChangeOptions, DocumentToAdd, ProcessApi } from '@closeloop/sdk';
import { PayloadTooLargeError, ValidationError } from '../errors.ts';
import { COUNCIL_DOCUMENT_RULE, fetchDocument, INLINE_DOCUMENT_MAX_BYTES, storeCouncilFile, type DocumentStore } from '../documents/index.ts';
import { safeFileName } from '../documents/file-name.ts';
import { addNote, closeProcess, updateTask, type ActionDeps } from './actions.ts';
import { addCouncilDocument, discardBlob } from './council-documents.ts';
import { claimInboundEvent, findBindingProcessByExternalRef, findBindingProcessById, findBindingProcessByReference } from './processes-repo.ts';
import { findTasksForBinding } from './tasks-repo.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The document store, for documents a back office adds (absent in a role that never mounts inbound routes). */
export type ProcessApiDeps = ActionDeps & { store?: DocumentStore };

export function processApiFor(deps: ProcessApiDeps, binding: string): ProcessApi {
  // `applied` is false for a repeated event id and for an action that changed nothing.
  const once = async (options: ChangeOptions | undefined, fn: (t: Sql) => Promise<{ changed?: boolean } | unknown>): Promise<{ applied: boolean }> =>
    deps.db.transaction(async (t) => {
      if (options?.eventId) {
        if (!(await claimInboundEvent(t, binding, options.eventId.slice(0, 300)))) return { applied: false };
      }
      const result = (await fn(t)) as { changed?: boolean } | undefined;
      return { applied: result?.changed !== false };
    });

  return {
    async find(ref) {
      if (ref.processId) {
        if (!UUID.test(ref.processId)) return null;
        return findBindingProcessById(deps.db, binding, ref.processId);
      }
      if (ref.externalRef) return findBindingProcessByExternalRef(deps.db, binding, ref.externalRef);
      if (ref.reference) return findBindingProcessByReference(deps.db, binding, ref.reference.trim().toUpperCase());
      return null;
    },
    async tasks(processId) {
      if (!UUID.test(processId)) return [];
      return findTasksForBinding(deps.db, processId, binding);
    },
    addNote: (processId, note, actor, options) => once(options, (transaction) => addNote(deps, processId, note, actor, { transaction })),
    updateTask: (processId, taskKey, update, actor, options) =>
      once(options, (transaction) => updateTask(deps, processId, taskKey, update, actor, { transaction })),
    close: (processId, reason, actor, options) => once(options, (transaction) => closeProcess(deps, processId, reason, actor, { transaction })),
    async addDocument(processId, document, actor, options) {
      const store = deps.store;
      if (!store) throw new Error('documents can be added only where the hub has its document store');
      if (!UUID.test(processId)) throw new ValidationError('There is no such process', [{ field: 'processId', message: 'is not a process id' }]);
      const bytes = await documentBytes(document);
      const { blob, type } = await storeCouncilFile(store, bytes);
      let documentId: string | undefined;
      try {
        const result = await once(options, async (transaction) => {
          const doc = await addCouncilDocument(
            deps,
            processId,
            { name: fileNameOf(document), title: document.title, contentType: type, blob, visibleToCitizen: document.visibleToCitizen },
            actor,
            { transaction },
          );
          documentId = doc.id;
        });
        if (!result.applied) await discardBlob(store, blob);
        return { applied: result.applied, ...(documentId && result.applied ? { documentId } : {}) };
      } catch (err) {
        await discardBlob(store, blob);
        throw err;
      }
    },
  };
}

/** The document's bytes: given inline (at most 2 MB), or fetched from its URL through the SSRF guard. */
async function documentBytes(d: DocumentToAdd): Promise<Buffer> {
  if ((d.content === undefined) === (d.url === undefined))
    throw new ValidationError('Give the document as content or as a url, not both', [{ field: 'url', message: 'give exactly one of url and contentBase64' }]);
  if (d.content !== undefined) {
    if (d.content.length > INLINE_DOCUMENT_MAX_BYTES) {
      throw new PayloadTooLargeError(`An inline document may be at most 2 MB; send a larger one as a url`, { field: 'contentBase64' });
    }
    return Buffer.from(d.content);
  }
  return fetchDocument(d.url!, { maxBytes: COUNCIL_DOCUMENT_RULE.maxSize, allowPrivateNetwork: d.allowPrivateNetwork });
}

/** The name the citizen downloads the file as: given, or the URL's last path segment, made safe. */
function fileNameOf(d: DocumentToAdd): string {
  if (d.fileName) return safeFileName(d.fileName);
  if (d.url) {
    try {
      const last = decodeURIComponent(new URL(d.url).pathname.split('/').pop() ?? '');
      if (last) return safeFileName(last);
    } catch {
      // not decodable: the default name
    }
  }
  return 'document';
}
