// One keep-alive agent per binding, with the SSRF guard in its DNS lookup. A whole request (connect, send, answer)
// must finish within the timeout; the answer is read up to a bound.
import http from 'node:http';
import https from 'node:https';
import { assertLiteralHostAllowed, guardedAgent } from '../../core/webhooks/ssrf-guard.ts';

export interface PostResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most `maxResponseBytes` of the answer. */
  body: Buffer;
}

export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  /** The URL as request options, worked out once. */
  private readonly target: http.RequestOptions;

  constructor(
    private readonly url: URL,
    private readonly allowPrivateNetwork: boolean,
  ) {
    this.agent = guardedAgent(url, { allowPrivateNetwork });
    this.request = url.protocol === 'https:' ? https.request : http.request;
    this.target = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    };
  }

  post(body: Buffer, headers: Record<string, string>, timeoutMs: number, maxResponseBytes = 64 * 1024): Promise<PostResult> {
    try {
      assertLiteralHostAllowed(this.url, { allowPrivateNetwork: this.allowPrivateNetwork });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const req = this.request({ ...this.target, method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < maxResponseBytes) chunks.push(size + c.length > maxResponseBytes ? c.subarray(0, maxResponseBytes - size) : c);
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new TimeoutError(timeoutMs)), timeoutMs);
      function fail(err: Error) {
        clearTimeout(timer);
        reject(err);
      }
      req.on('error', fail);
      req.end(body);
    });
  }

  /** Closes idle keep-alive sockets; a request still in flight (another hub in the same process) is left to finish. */
  close(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
  }
}
