export type { DocumentStore, StoredBlob, DocumentColumns, UploadedFile } from './store.ts';
export { documentUrl } from './url.ts';
export { BlobTooLargeError } from './store.ts';
export { FilesystemStore } from './filesystem-store.ts';
export { sniffContentType, typeAccepted, SNIFF_BYTES } from './sniff.ts';
