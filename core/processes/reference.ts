// Human references: the service's prefix and 8 characters from an alphabet a citizen can read aloud without ambiguity.
import { randomInt } from 'node:crypto';

/** No 0/O or 1/I: they are confused when read over the phone or copied from a letter. */
export const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newReference(prefix: string): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return `${prefix}-${code}`;
}
