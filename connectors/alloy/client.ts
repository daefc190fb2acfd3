// A small Alloy v2 API client: Bearer key, JSON in and out, raw file uploads, a timeout on every call, a per-process
// request pace, and failures classified for the delivery engine (the SDK's rule: 408, 429, 5xx and network errors
// retried with Retry-After, other 4xx dead).
import { errorForStatus, isPermanentError, PermanentError, RetryableError } from '@closeloop/sdk';

/** An error answer from Alloy: `{ errorCode, errorCodeString, debugErrorMessage }`. */
export class AlloyApiError extends Error {
  constructor(
    readonly status: number,
    readonly codeString: string,
    message: string,
  ) {
    super(message);
    this.name = 'AlloyApiError';
  }
}

export interface AlloyClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  requestsPerSecond: number;
}

export interface AlloyItem {
  itemId: string;
  designCode: string;
  collectionCode?: string;
  signature: string;
  lastEditDate?: string;
  attributes: { attributeCode: string; value: unknown }[];
  geometry?: unknown;
}

const EXCERPT = 500;

/** In Alloy an uploaded file is an item too: of this design, its name in this attribute. */
export const FILES_DESIGN = 'designs_files';
export const FILE_NAME_ATTRIBUTE = 'attributes_filesOriginalName';

export class AlloyClient {
  private readonly base: string;
  /** When this binding's last request left, and the queue of requests waiting to leave after it. */
  private lastSent = Number.NEGATIVE_INFINITY;
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly options: AlloyClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  getItem(itemId: string): Promise<{ item: AlloyItem }> {
    return this.json('GET', `/api/item/${encodeURIComponent(itemId)}`);
  }

  createItem(body: unknown): Promise<{ item: AlloyItem }> {
    return this.json('POST', '/api/item', body);
  }

  updateItem(itemId: string, body: { attributes: { attributeCode: string; value: unknown }[]; signature: string }): Promise<{ item: AlloyItem }> {
    return this.json('PUT', `/api/item/${encodeURIComponent(itemId)}`, body);
  }

  getDesign(designCode: string): Promise<{ design: { code: string; attributes: { code: string; name?: string }[] } }> {
    return this.json('GET', `/api/design/${encodeURIComponent(designCode)}`);
  }

  /** One page of an AQS query. */
  query(aqs: unknown, page: number, pageSize: number): Promise<{ results: AlloyItem[]; page: number; pageSize: number; totalPages: number }> {
    return this.json('POST', `/api/aqs/query?page=${page}&pageSize=${pageSize}`, { aqs });
  }

  /** Uploads a file (raw body, name in Content-Disposition) and returns its file item id. */
  async uploadFile(name: string, contentType: string, content: Buffer): Promise<string> {
    const res = await this.request('POST', '/api/file', content, {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${asciiFileName(name)}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    });
    const body = (await res.json()) as { fileItemId?: string };
    if (!body.fileItemId) throw new PermanentError('Alloy accepted the file but returned no fileItemId');
    return body.fileItemId;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(
      method,
      path,
      body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    );
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RetryableError(`Alloy answered ${method} ${path} with something that is not JSON`, { responseExcerpt: text.slice(0, EXCERPT) });
    }
  }

  private async request(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<Response> {
    await this.pace();
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json', 'user-agent': 'Closeloop', ...headers },
        body: body ? new Uint8Array(body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      const what = e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : ((e.cause as Error | undefined)?.message ?? e.message);
      throw new RetryableError(`Alloy ${method} ${path}: ${what}`, { cause: err });
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let parsed: { errorCodeString?: string; debugErrorMessage?: string; message?: string } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the excerpt
    }
    const codeString = parsed.errorCodeString ?? '';
    const message = `Alloy ${method} ${path} answered ${res.status}${codeString ? ` ${codeString}` : ''}${parsed.debugErrorMessage ? `: ${parsed.debugErrorMessage}` : ''}`;
    const error = errorForStatus(res.status, message, {
      retryAfter: res.headers.get('retry-after'),
      responseExcerpt: text.slice(0, EXCERPT),
      cause: new AlloyApiError(res.status, codeString, message),
    });
    // A refusal carries Alloy's code (ItemSignatureMismatch…) and status for the callers that act on them.
    throw isPermanentError(error) ? Object.assign(error, { alloyCode: codeString, status: res.status }) : error;
  }

  /**
   * Spaces requests so this process never exceeds `requestsPerSecond` for this binding. Each request waits for the real
   * time the one before it left, not for a slot booked in advance: booked slots that a busy event loop made late all
   * fired together, a burst over Alloy's tenant limit (429).
   */
  private pace(): Promise<void> {
    const gap = 1000 / this.options.requestsPerSecond;
    const mine = this.turn.then(async () => {
      for (let wait = this.lastSent + gap - Date.now(); wait > 0; wait = this.lastSent + gap - Date.now()) {
        await new Promise((r) => setTimeout(r, wait));
      }
      this.lastSent = Date.now();
    });
    this.turn = mine;
    return mine;
  }
}

/** The ASCII fallback of a file name in Content-Disposition's `filename` (the UTF-8 name travels in `filename*`). */
export function asciiFileName(name: string): string {
  return name.replace(/["\\\r\n]/g, '_').replace(/[^\x20-\x7e]/g, '_');
}

/** The Alloy error code carried by a failure from this client ('' for anything else). */
export function alloyCodeOf(err: unknown): string {
  return (err as { alloyCode?: string }).alloyCode ?? '';
}
