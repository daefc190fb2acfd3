// Where document bytes live. The filesystem store is the default; an object store implements the same interface.
import type { Readable } from 'node:stream';

export interface StoredBlob {
  /** Opaque key to read the blob back (content-addressed: the SHA-256). */
  key: string;
  sha256: string;
  size: number;
  /** False when identical bytes were already stored. */
  created: boolean;
}

export interface DocumentStore {
  put(content: Readable | Buffer, options?: { maxBytes?: number }): Promise<StoredBlob>;
  read(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  /** Removes a blob; callers make sure no document row still points at it. */
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}
