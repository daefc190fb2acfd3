export type { DocumentStore, StoredBlob, DocumentColumns } from './store.ts';
export { BlobTooLargeError } from './store.ts';
export { FilesystemStore } from './filesystem-store.ts';
export { sniffContentType, typeAccepted, SNIFF_BYTES } from './sniff.ts';
