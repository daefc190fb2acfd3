// Decides a file's real media type from its bytes, not the client's claim.
import { fileTypeFromBuffer } from 'file-type';

/** Bytes to read before deciding (file-type needs up to ~4 KB). */
export const SNIFF_BYTES = 4100;

const TEXT_TYPES = new Set(['text/plain', 'text/csv']);

/** The media type the bytes show, or null when they match nothing we recognise. */
export async function sniffContentType(head: Buffer): Promise<string | null> {
  const found = await fileTypeFromBuffer(head);
  if (found) return normalise(found.mime);
  if (looksLikeText(head)) return 'text/plain';
  return null;
}

/** Does the real type satisfy an accepted type? text/plain bytes are also valid text/csv. */
export function typeAccepted(real: string, accept: readonly string[]): boolean {
  if (accept.includes(real)) return true;
  return real === 'text/plain' && accept.some((a) => TEXT_TYPES.has(a));
}

function normalise(mime: string): string {
  // file-type reports some audio as audio/x-wav / audio/vnd.wave; councils list the common names.
  if (mime === 'audio/x-wav' || mime === 'audio/vnd.wave') return 'audio/wav';
  return mime;
}

function looksLikeText(buf: Buffer): boolean {
  if (buf.length === 0 || buf.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, Math.max(0, buf.length - 4)));
    return true;
  } catch {
    return false;
  }
}
