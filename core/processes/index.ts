export { submit, type SubmitDeps, type SubmitInput, type SubmitResult } from './submit.ts';
export { newReference, REFERENCE_ALPHABET } from './reference.ts';
export { newTrackingToken, hashTrackingToken, looksLikeTrackingToken } from './tracking-token.ts';
export * from './views.ts';
