// busboy hands over a text part already decoded (invalid bytes replaced by U+FFFD, in whatever charset the part declared)
// and never shows the part's headers. This checker reads the same bytes busboy parses and checks each text part itself:
// a declared charset other than UTF-8 is 415, bytes that are not UTF-8 are 400, each naming the part. It finds parts the
// way busboy does (a delimiter "\r\n--boundary" followed by CRLF, or "--" at the end); file parts are only skipped over.
import { BadRequestError, UnsupportedMediaTypeError, type HttpError } from '../errors.ts';
import { charsetOf } from './json-body.ts';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** busboy refuses larger header blocks itself; past this the checker stops looking. */
const MAX_HEADER_BYTES = 16 * 1024;

interface TextPart {
  name: string;
  charset: string;
  chunks: Buffer[];
  size: number;
}

export class TextPartChecker {
  /** The first problem found (the request is refused with it), or null. */
  problem: HttpError | null = null;
  private readonly delimiter: Buffer;
  /** Bytes not yet consumed: a possible start of a delimiter, or an unfinished header block. */
  private pending: Buffer = CRLF; // busboy also starts as if a line break came first, so a body may open with the boundary
  private state: 'body' | 'headers' | 'done' = 'body';
  /** The text part being read (null in the preamble, in a file part or in a part busboy skips). */
  private part: TextPart | null = null;

  constructor(
    boundary: string,
    /** Longer text parts are refused by busboy's own limit: the checker stops collecting them. */
    private readonly maxTextBytes: number,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** The boundary of a multipart Content-Type, or null. */
  static boundaryOf(contentType: string | undefined): string | null {
    const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
    return m ? (m[1] ?? m[2]!) : null;
  }

  push(chunk: Buffer): void {
    if (this.state === 'done' || this.problem) return;
    let buf = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.state === 'headers') {
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
          // No headers at all: busboy skips such a part.
          this.startPart('');
          buf = buf.subarray(2);
          this.state = 'body';
          continue;
        }
        const end = buf.indexOf(HEADER_END);
        if (end === -1) {
          if (buf.length > MAX_HEADER_BYTES) this.state = 'done';
          this.pending = buf;
          return;
        }
        this.startPart(buf.subarray(0, end).toString('latin1'));
        buf = buf.subarray(end + HEADER_END.length);
        this.state = 'body';
        continue;
      }
      const at = buf.indexOf(this.delimiter);
      if (at === -1) {
        // Keep what could be the start of a delimiter split across chunks.
        const keep = Math.min(buf.length, this.delimiter.length - 1);
        this.body(buf.subarray(0, buf.length - keep));
        this.pending = buf.subarray(buf.length - keep);
        return;
      }
      const after = at + this.delimiter.length;
      if (buf.length < after + 2) {
        this.body(buf.subarray(0, at));
        this.pending = buf.subarray(at);
        return;
      }
      this.body(buf.subarray(0, at));
      if (buf[after] === 0x2d && buf[after + 1] === 0x2d) {
        this.endPart();
        this.state = 'done';
        return;
      }
      if (buf[after] === 0x0d && buf[after + 1] === 0x0a) {
        this.endPart();
        this.state = 'headers';
        buf = buf.subarray(after + 2);
        continue;
      }
      // The boundary text inside a part, not a delimiter: busboy reads on, and so does the checker.
      this.body(buf.subarray(at, after));
      buf = buf.subarray(after);
    }
  }

  private startPart(headerBlock: string): void {
    this.part = null;
    let disposition = '';
    let contentType = '';
    for (const line of headerBlock.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'content-disposition' && !disposition) disposition = line.slice(colon + 1);
      else if (name === 'content-type' && !contentType) contentType = line.slice(colon + 1);
    }
    if (!/^\s*form-data\s*(;|$)/i.test(disposition)) return; // busboy skips it
    // A part with a file name, or of type application/octet-stream, is a file for busboy; anything else is text.
    if (/;\s*filename\*?\s*=/i.test(disposition)) return;
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/octet-stream') return;
    const name = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i.exec(disposition);
    const raw = name ? (name[1] ?? name[2] ?? '') : '';
    this.part = { name: Buffer.from(raw, 'latin1').toString('utf8'), charset: charsetOf(contentType), chunks: [], size: 0 };
  }

  private body(bytes: Buffer): void {
    const part = this.part;
    if (!part || bytes.length === 0 || part.size > this.maxTextBytes) return;
    part.chunks.push(Buffer.from(bytes)); // a copy: the request's chunk may be reused
    part.size += bytes.length;
  }

  private endPart(): void {
    const part = this.part;
    this.part = null;
    if (!part || part.size > this.maxTextBytes || this.problem) return;
    const field = part.name || '(a part with no name)';
    if (part.charset && part.charset !== 'utf-8' && part.charset !== 'utf8') {
      this.problem = new UnsupportedMediaTypeError(`The part "${field}" must be UTF-8, not ${part.charset.slice(0, 40)}`, { field });
      return;
    }
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(part.chunks, part.size));
    } catch {
      this.problem = new BadRequestError(`The part "${field}" is not valid UTF-8`, { errors: [{ field, message: 'is not valid UTF-8' }] });
    }
  }
}
