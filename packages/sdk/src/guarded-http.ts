// HTTP to a URL an admin typed in, guarded against SSRF: one keep-alive agent per target whose DNS lookup refuses
// private addresses (unless the binding allows them), a deadline on the whole exchange (connect, send, answer), and the
// answer read up to a bound. Keep one client per binding (in the connector's open() state) and close it in close().
import http from 'node:http';
import https from 'node:https';
import { assertLiteralHostAllowed, guardedAgent, type GuardOptions } from './ssrf-guard.ts';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most `maxResponseBytes` of the answer. */
  body: Buffer;
}

export interface GuardedRequest {
  method?: string;
  /** Path and query relative to the client's URL ("cases?x=1"), or absent for the URL itself. */
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** The whole exchange must finish within it. */
  timeoutMs: number;
  /** Bytes of the answer kept (default 64 KB); the rest is read and dropped. */
  maxResponseBytes?: number;
  /**
   * Past maxResponseBytes, stop reading and close the connection (the answer resolves with the bytes kept) instead of
   * reading the rest: for fetching a file that must not be larger, from a server that may send without end.
   */
  abortPastMaxBytes?: boolean;
}

export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export class GuardedHttpClient {
  private readonly agent: http.Agent;
  private readonly send: typeof http.request;
  /** The URL as request options, worked out once. */
  private readonly target: http.RequestOptions;

  constructor(
    readonly url: URL,
    private readonly options: GuardOptions = {},
  ) {
    this.agent = guardedAgent(url, options);
    this.send = url.protocol === 'https:' ? https.request : http.request;
    this.target = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    };
  }

  /** POSTs `body` to the client's URL (the hot path of a webhook delivery). */
  post(body: Buffer, headers: Record<string, string>, timeoutMs: number, maxResponseBytes?: number): Promise<HttpAnswer> {
    return this.request({ method: 'POST', body, headers, timeoutMs, maxResponseBytes });
  }

  request(r: GuardedRequest): Promise<HttpAnswer> {
    try {
      assertLiteralHostAllowed(this.url, this.options);
    } catch (err) {
      return Promise.reject(err);
    }
    const maxResponseBytes = r.maxResponseBytes ?? 64 * 1024;
    const relative = r.path === undefined ? null : new URL(r.path, this.url);
    const path = relative ? `${relative.pathname}${relative.search}` : this.target.path;
    const headers = { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
    return new Promise((resolve, reject) => {
      const req = this.send({ ...this.target, path, method: r.method ?? 'GET', agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < maxResponseBytes) chunks.push(size + c.length > maxResponseBytes ? c.subarray(0, maxResponseBytes - size) : c);
          size += c.length;
          if (r.abortPastMaxBytes && size >= maxResponseBytes) {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
            req.destroy();
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new TimeoutError(r.timeoutMs)), r.timeoutMs);
      function fail(err: Error) {
        clearTimeout(timer);
        reject(err);
      }
      req.on('error', fail);
      req.end(r.body);
    });
  }

  /** Closes idle keep-alive sockets; a request still in flight is left to finish. */
  close(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
  }
}

/** One guarded request with a client of its own (closed afterwards): for calls too rare to keep a client for. */
export async function guardedFetch(url: string | URL, request: GuardedRequest & GuardOptions): Promise<HttpAnswer> {
  const client = new GuardedHttpClient(new URL(url), { allowPrivateNetwork: request.allowPrivateNetwork });
  try {
    return await client.request(request);
  } finally {
    client.close();
  }
}
