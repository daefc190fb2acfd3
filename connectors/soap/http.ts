// The soap client's transport (soap's own `httpClient` option). Three things the package does not do for us:
// - a back-office answer that carries a DOCTYPE or ENTITY declaration is refused BEFORE the soap client's sax parser
//   sees it (sax skips DTDs and expands no custom entity, but nothing from such an answer should be used at all);
// - nothing is ever fetched with GET: a WSDL or XSD import pointing at the network fails instead of being downloaded;
// - each call's status, headers and raw body are kept on the call's own options object (under a symbol), so failures
//   are classified from what this call received, not from the client's shared `lastResponse` fields.
import { HttpClient, type IExOptions, type IHeaders } from 'soap';

/** Answers larger than this are refused (axios stops reading). */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export class DtdRefusedError extends Error {
  // Keeps nothing of the answer: not even an excerpt of it is used or logged.
  constructor() {
    super('back office answered with a DTD, refused');
    this.name = 'DtdRefusedError';
  }
}

export class NetworkFetchRefusedError extends Error {
  constructor(url: string) {
    super(`refused to fetch ${url}: WSDL and XSD files must be local`);
    this.name = 'NetworkFetchRefusedError';
  }
}

/** What one call received (filled in by the transport). */
export interface Exchange {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

export const EXCHANGE = Symbol('closeloop.soap.exchange');

/** Per-call options handed to the soap method; the transport fills in `[EXCHANGE]`. */
export type CallOptions = IExOptions & { [EXCHANGE]?: Exchange };

export function hasDtd(body: string): boolean {
  return /<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body);
}

/** Where handleResponse leaves the body exactly as received, before soap trims it to the Envelope. */
const RAW = Symbol('closeloop.soap.raw');

export class GuardedHttpClient extends HttpClient {
  // soap keeps only the Envelope of an answer (dropping whatever precedes it, a DOCTYPE included): look at it whole first.
  override handleResponse(req: Parameters<HttpClient['handleResponse']>[0], res: Parameters<HttpClient['handleResponse']>[1], body: unknown) {
    (res as unknown as Record<symbol, unknown>)[RAW] = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
    return super.handleResponse(req, res, body);
  }

  override request(
    rurl: string,
    data: unknown,
    callback: (error: unknown, res?: unknown, body?: unknown) => unknown,
    exheaders?: IHeaders,
    exoptions?: IExOptions,
  ) {
    if (data === null || data === undefined) {
      // soap only GETs to download a WSDL/XSD: never at run time.
      const refused = new NetworkFetchRefusedError(rurl);
      callback(refused);
      // soap ignores this promise; keep a rejection of it from being reported as unhandled.
      const promise = Promise.reject(refused);
      promise.catch(() => undefined);
      return promise as ReturnType<HttpClient['request']>;
    }
    const options = exoptions as CallOptions | undefined;
    return super.request(
      rurl,
      data,
      (error, res, body) => {
        const r = res as { status?: number; headers?: Record<string, unknown>; [RAW]?: string } | undefined;
        const text = r?.[RAW] ?? (typeof body === 'string' ? body : '');
        if (!error && r && options) options[EXCHANGE] = { status: r.status ?? 0, headers: r.headers ?? {}, body: text };
        if (!error && hasDtd(text)) return callback(new DtdRefusedError());
        return callback(error, res, body);
      },
      exheaders,
      exoptions,
    );
  }
}
