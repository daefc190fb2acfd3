// TextPartChecker (core/http/multipart-text.ts) finds each text part of a multipart body as busboy does and checks its
// bytes, whatever the chunking. Through the server: test/security/bad-input.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextPartChecker } from '../../core/http/multipart-text.ts';

const BOUNDARY = '----closeloopXyZ';
const INVALID = Buffer.from([0xff, 0xfe, 0xc3, 0x28]);

function body(parts: { headers: string; bytes: Buffer }[], preamble = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const p of parts) chunks.push(Buffer.from(`--${BOUNDARY}\r\n${p.headers}\r\n\r\n`), p.bytes, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** The checker's problem for the body fed in chunks of every size from 1 byte to the whole body: it must be the same. */
function problemOf(bytes: Buffer): string | null {
  const answers = new Set<string>();
  for (const size of [1, 2, 3, 5, 7, 13, 64, bytes.length]) {
    const checker = new TextPartChecker(BOUNDARY, 1000);
    for (let i = 0; i < bytes.length; i += size) checker.push(bytes.subarray(i, i + size));
    answers.add(checker.problem ? `${checker.problem.status} ${checker.problem.message}` : 'ok');
  }
  assert.equal(answers.size, 1, [...answers].join(' | '));
  const [answer] = answers;
  return answer === 'ok' ? null : answer!;
}

const text = (name: string, bytes: Buffer | string, type?: string) => ({
  headers: `Content-Disposition: form-data; name="${name}"${type ? `\r\nContent-Type: ${type}` : ''}`,
  bytes: Buffer.from(bytes),
});
const file = (name: string, bytes: Buffer) => ({
  headers: `Content-Disposition: form-data; name="${name}"; filename="x.bin"\r\nContent-Type: image/png`,
  bytes,
});

describe('TextPartChecker', () => {
  test('valid UTF-8 text parts, any file bytes and a preamble pass', () => {
    assert.equal(
      problemOf(
        body(
          [
            text('a', 'Café €'),
            text('b', ''),
            file('evidence', Buffer.concat([INVALID, Buffer.from(`\r\n--${BOUNDARY}X`)])),
            text('c', 'x', 'text/plain; charset=UTF-8'),
          ],
          'preamble\r\n',
        ),
      ),
      null,
    );
    assert.equal(problemOf(body([{ headers: 'Content-Disposition: form-data; name="raw"\r\nContent-Type: application/octet-stream', bytes: INVALID }])), null);
  });

  test('invalid UTF-8 in a text part is 400 naming it, wherever the chunks split', () => {
    assert.equal(
      problemOf(body([text('answers', '{}'), text('description', Buffer.concat([Buffer.from('ab'), INVALID, Buffer.from('c')]))])),
      '400 The part "description" is not valid UTF-8',
    );
    assert.equal(problemOf(body([text('first', INVALID), text('second', INVALID)])), '400 The part "first" is not valid UTF-8');
  });

  test('a declared charset other than UTF-8 is 415', () => {
    assert.equal(
      problemOf(body([text('description', Buffer.from('hi', 'utf16le'), 'text/plain; charset=utf-16le')])),
      '415 The part "description" must be UTF-8, not utf-16le',
    );
    assert.equal(problemOf(body([text('d', 'x', 'text/plain; charset="ISO-8859-1"')])), '415 The part "d" must be UTF-8, not iso-8859-1');
  });

  test('a text part longer than the field limit is left to busboy (413 there)', () => {
    assert.equal(problemOf(body([text('long', Buffer.concat([Buffer.alloc(1200, 0x61), INVALID]))])), null);
  });
});
