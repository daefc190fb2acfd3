// One keep-alive agent per binding, with the SSRF guard in its DNS lookup. Responses are read up to a bound.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress, SsrfError } from '../../core/webhooks/ssrf-guard.ts';

export interface PostResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class HttpClient {
  private readonly agent: http.Agent;
  constructor(
    private readonly url: URL,
    private readonly allowPrivate: boolean,
  ) {
    const options = { keepAlive: true, maxSockets: 256, ...(allowPrivate ? {} : { lookup: guardedLookup as never }) };
    this.agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  post(body: Buffer, headers: Record<string, string>, timeoutMs: number, maxResponseBytes = 64 * 1024): Promise<PostResult> {
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    // A literal IP address skips DNS, so the guard checks it here.
    if (!this.allowPrivate && isIP(host) && isPrivateAddress(host)) return Promise.reject(new SsrfError(`${host} is a private or local address`));
    const lib = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(this.url, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < maxResponseBytes) chunks.push(c.subarray(0, maxResponseBytes - size));
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Closes idle keep-alive sockets so a shutting-down process is not held open. */
  closeIdle(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
  }
}
