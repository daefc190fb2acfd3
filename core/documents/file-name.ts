// File names clients send are hostile input: what is kept of one.

/**
 * Cleans a client-supplied file name: no path, no control characters, no bidirectional or invisible formatting characters
 * (which can make "photo\u202Egnp.exe" read as "photoexe.png"), no leading dots, bounded length.
 */
export function safeFileName(raw: string | undefined): string {
  const base = (raw ?? '').replace(/\\/g, '/').split('/').pop() ?? '';
  const clean = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '')
    .replace(/^\.+/, '')
    .trim();
  // At most 200 characters, never cutting an emoji (or any character outside the BMP) in half.
  return Array.from(clean).slice(0, 200).join('') || 'file';
}
