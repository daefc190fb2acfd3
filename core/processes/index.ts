export { submit, type SubmitDeps, type SubmitInput, type SubmitResult } from './submit.ts';
export { onceEachUprn, withAddressesOfUprns } from './resolve-addresses.ts';
export { newReference, REFERENCE_ALPHABET } from './reference.ts';
export { newTrackingToken, hashTrackingToken, looksLikeTrackingToken } from './tracking-token.ts';
export * from './views.ts';
export {
  addNote,
  updateTask,
  setTaskTarget,
  closeProcess,
  TASK_STATUS_LABEL,
  PROCESS_STATUS_TEXT,
  type ActionDeps,
  type ActionOptions,
  type TaskUpdate,
  type TargetChange,
} from './actions.ts';
export { processApiFor } from './process-api.ts';
export { isOverdue } from './targets.ts';
export { addCouncilDocument, discardBlob, documentTimelineText, MAX_DOCUMENT_TITLE, type CouncilDocumentInput } from './council-documents.ts';
