// A real SMTP server for tests (smtp-server): records each message, decoded enough to search its text and HTML parts.
// It can be stopped and started again on the same port, and can refuse messages with 4xx/5xx replies.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
  headers: Record<string, string>;
  /** When the message arrived (ms since the epoch). */
  at: number;
  /** The SMTP session (one connection) it came over. */
  connection: string;
}

export interface SmtpPeer {
  port: number;
  messages: ReceivedMail[];
  /** Refuse the next n messages with this SMTP code. */
  refuseNext(n: number, code: number): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  waitFor(predicate: (messages: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpPeer(port = 0): Promise<SmtpPeer> {
  const messages: ReceivedMail[] = [];
  let refusals: { n: number; code: number } = { n: 0, code: 0 };
  let server: SMTPServer | null = null;
  let boundPort = port;

  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (refusals.n > 0) {
            refusals.n--;
            return callback(Object.assign(new Error('refused by test'), { responseCode: refusals.code }));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          messages.push(
            parseMail(
              raw,
              session.envelope.mailFrom ? String(session.envelope.mailFrom.address) : '',
              session.envelope.rcptTo.map((r) => r.address),
              session.id,
            ),
          );
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(boundPort, '127.0.0.1', () => resolve());
    });
    boundPort = (server!.server.address() as AddressInfo).port;
  };
  await listen();

  const peer: SmtpPeer = {
    get port() {
      return boundPort;
    },
    messages,
    refuseNext(n, code) {
      refusals = { n, code };
    },
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())).then(() => void (server = null)),
    start: listen,
    async waitFor(predicate, timeoutMs = 15_000) {
      const start = Date.now();
      while (!predicate(messages)) {
        if (Date.now() - start > timeoutMs) throw new Error(`SMTP peer: condition not met within ${timeoutMs} ms (${messages.length} messages)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => peer.stop(),
  };
  return peer;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (/base64/i.test(encoding ?? '')) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding ?? '')) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function decodeHeader(value: string): string {
  // Whitespace between two encoded words is folding, not text (RFC 2047 section 6.2): drop it before decoding.
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

function parseMail(raw: string, from: string, to: string[], connection: string): ReceivedMail {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const mail: ReceivedMail = { from, to, subject: decodeHeader(headers.subject ?? ''), text: '', html: '', raw, headers, at: Date.now(), connection };
  const walk = (hdrs: Record<string, string>, content: string) => {
    const type = hdrs['content-type'] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (boundary) {
      for (const part of content.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const p = part.replace(/^\r?\n/, '');
        const at = p.search(/\r?\n\r?\n/);
        walk(parseHeaders(p.slice(0, at)), p.slice(at).replace(/^\r?\n\r?\n/, ''));
      }
      return;
    }
    const decoded = decodeBody(content, hdrs['content-transfer-encoding']);
    if (/text\/html/i.test(type)) mail.html += decoded;
    else if (/text\/plain/i.test(type)) mail.text += decoded;
  };
  walk(headers, body);
  return mail;
}
