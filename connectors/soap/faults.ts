// Turns what a SOAP call got into PermanentError (a retry cannot fix it: dead-letter now) or RetryableError.
// A fault is read from the raw answer with @closeloop/sdk/xml (never from the soap package's own error text):
//   SOAP 1.1 faultcode Client (any prefix, Client.* too) / SOAP 1.2 Sender, WS-Security failures, VersionMismatch,
//   MustUnderstand → permanent; Server / Receiver and any fault we cannot interpret → retried.
// Without a fault, the SDK's rule for HTTP statuses: 408, 429 and 5xx are retried (honouring Retry-After), other
// non-2xx answers are permanent; timeouts, refused or reset connections are retried.
import { errorForStatus, PermanentError, responseExcerpt, RetryableError, retryAfterMs } from '@closeloop/sdk';
import { parseXmlSafely, selectText } from '@closeloop/sdk/xml';
import { DtdRefusedError, NetworkFetchRefusedError, type Exchange } from './http.ts';

/** WS-Security fault codes (OASIS SOAP Message Security 1.1, section 12): the credentials or the token were refused. */
const SECURITY_FAULTS = new Set([
  'FailedAuthentication',
  'InvalidSecurity',
  'InvalidSecurityToken',
  'FailedCheck',
  'SecurityTokenUnavailable',
  'UnsupportedSecurityToken',
  'UnsupportedAlgorithm',
  'MessageExpired',
  'AuthenticationFailure',
]);

export interface SoapFault {
  version: '1.1' | '1.2';
  /** As written, e.g. "soap:Client", "wsse:FailedAuthentication", "env:Sender". */
  code: string;
  /** SOAP 1.2 Subcode values, outermost first. */
  subcodes: string[];
  reason: string;
}

/** The back office refused who we are (WS-Security fault, HTTP 401/403): check() words it for the admin. */
export class CredentialsRefusedError extends PermanentError {
  constructor(
    message: string,
    readonly detail: string,
    options: { responseExcerpt?: string } = {},
  ) {
    super(message, options);
    this.name = 'CredentialsRefusedError';
  }
}

const FAULT = "/*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Fault']";

/** The Fault in a SOAP answer, or null (not XML, not an envelope, no fault, or refused by @closeloop/sdk/xml). */
export function parseFault(body: string): SoapFault | null {
  if (!body.includes('Fault')) return null;
  try {
    const doc = parseXmlSafely(body);
    const code11 = selectText(doc, `${FAULT}/*[local-name()='faultcode']`);
    if (code11 !== null) return { version: '1.1', code: code11, subcodes: [], reason: selectText(doc, `${FAULT}/*[local-name()='faultstring']`) ?? '' };
    const code12 = selectText(doc, `${FAULT}/*[local-name()='Code']/*[local-name()='Value']`);
    if (code12 === null) return null;
    const subcodes: string[] = [];
    let path = `${FAULT}/*[local-name()='Code']`;
    for (let depth = 0; depth < 5; depth++) {
      path += "/*[local-name()='Subcode']";
      const value = selectText(doc, `${path}/*[local-name()='Value']`);
      if (value === null) break;
      subcodes.push(value);
    }
    return { version: '1.2', code: code12, subcodes, reason: selectText(doc, `${FAULT}/*[local-name()='Reason']/*[local-name()='Text']`) ?? '' };
  } catch {
    return null;
  }
}

/** "soap:Client.Validation" → "Client.Validation". */
const localName = (qname: string) => qname.slice(qname.lastIndexOf(':') + 1);

export function isCredentialsFault(fault: SoapFault): boolean {
  return [fault.code, ...fault.subcodes].some((c) => SECURITY_FAULTS.has(localName(c)));
}

export type FaultClass = 'credentials' | 'client' | 'server' | 'unknown';

export function faultClass(fault: SoapFault): FaultClass {
  if (isCredentialsFault(fault)) return 'credentials';
  const top = localName(fault.code).split('.')[0];
  if (top === 'Client' || top === 'Sender' || top === 'VersionMismatch' || top === 'MustUnderstand' || top === 'DataEncodingUnknown') return 'client';
  if (top === 'Server' || top === 'Receiver') return 'server';
  return 'unknown';
}

export function describeFault(fault: SoapFault): string {
  const code = [fault.code, ...fault.subcodes].join(' / ');
  const reason = fault.reason.replace(/\s+/g, ' ').slice(0, 300);
  return `SOAP fault ${code}${reason ? `: ${reason}` : ''}`;
}

/** Classifies an answer that is not a success: a fault, or an HTTP status without one. */
export function classifyAnswer(what: string, exchange: Exchange): PermanentError | RetryableError {
  const excerpt = responseExcerpt(exchange.body);
  const fault = parseFault(exchange.body);
  const retryAfterHeader = headerText(exchange.headers['retry-after']);
  if (fault) {
    const text = `${what}: ${describeFault(fault)} (HTTP ${exchange.status})`;
    switch (faultClass(fault)) {
      case 'credentials':
        return new CredentialsRefusedError(`${what}: the back office refused the credentials (${describeFault(fault)})`, describeFault(fault), {
          responseExcerpt: excerpt,
        });
      case 'client':
        return new PermanentError(text, { responseExcerpt: excerpt });
      case 'server':
      case 'unknown':
        return new RetryableError(text, { responseExcerpt: excerpt, retryAfterMs: retryAfterMs(retryAfterHeader) });
    }
  }
  const status = exchange.status;
  if (status === 401 || status === 403)
    return new CredentialsRefusedError(`${what}: the back office refused the credentials (HTTP ${status})`, `HTTP ${status}`, { responseExcerpt: excerpt });
  if (status >= 200 && status < 300) return new PermanentError(`${what}: the answer is not a SOAP envelope the WSDL describes`, { responseExcerpt: excerpt });
  return errorForStatus(status, `${what}: HTTP ${status}`, { retryAfter: retryAfterHeader, responseExcerpt: excerpt });
}

/** A header as the transport gives it (a string, several, or something else) as text. */
function headerText(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === null ? undefined : String(v);
}

/** Classifies a call that failed: `exchange` is what the transport received, if anything; `signal` the call's deadline. */
export function classifyFailure(
  what: string,
  err: unknown,
  exchange: Exchange | undefined,
  signal: AbortSignal,
  timeoutMs: number,
): PermanentError | RetryableError {
  if (err instanceof DtdRefusedError) return new PermanentError(`${what}: ${err.message}`, { cause: err });
  if (err instanceof NetworkFetchRefusedError) return new PermanentError(`${what}: ${err.message}`, { cause: err });
  if (exchange) return classifyAnswer(what, exchange);
  const e = err as { code?: string; message?: string } | undefined;
  if (signal.aborted || e?.code === 'ECONNABORTED' || e?.code === 'ETIMEDOUT') {
    return new RetryableError(`${what}: no answer within ${timeoutMs} ms`, { cause: err });
  }
  if (e?.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(e.message ?? '')) {
    return new PermanentError(`${what}: the answer is larger than the limit`, { cause: err });
  }
  // Refused, reset or dropped connections, DNS failures: the back office may come back.
  return new RetryableError(`${what}: ${e?.message || e?.code || String(err)}`, { cause: err });
}
