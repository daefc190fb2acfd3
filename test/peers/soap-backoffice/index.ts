// A real SOAP back office for tests: the `soap` package's own server (listen() on http.createServer, 127.0.0.1:0),
// serving envhealth.wsdl over SOAP 1.1 (/envhealth/soap11) and SOAP 1.2 (/envhealth/soap12). Like a careful back
// office it checks WS-Security UsernameTokens (digest, fresh nonce, Created within 5 minutes) or basic auth, validates
// each request against envhealth.xsd, dedupes creates and attachments by idempotency key, and sends every fault with
// HTTP 500. It records what it received and can be scripted to fail: faults, lost or late answers, HTTP statuses, and
// an answer carrying a DTD.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen, type IServices, type Server } from 'soap';
import { loadXsd, parseXmlSafely, selectAll, selectText, validateXml } from '../../../core/xml/index.ts';
import { CaseFault, CaseStore, type BackofficeCase, type StoredAttachment } from './cases.ts';
import { readUsernameToken, wsseVerifier, type UsernameToken } from './wsse.ts';

export type { BackofficeCase, StoredAttachment } from './cases.ts';

type Document = ReturnType<typeof parseXmlSafely>;

const HERE = dirname(fileURLToPath(import.meta.url));
// The back office's contract lives with the example config that binds a service to it; this peer implements it.
const CONTRACT = join(HERE, '..', '..', '..', 'config', 'examples', 'alloy-soap', 'backoffice');
export const WSDL_PATH = join(CONTRACT, 'envhealth.wsdl');
export const IDEMPOTENCY_HEADER_NS = 'urn:closeloop:idempotency:1';
const PATHS = { '1.1': '/envhealth/soap11', '1.2': '/envhealth/soap12' } as const;
const ENVELOPE_NS = { 'http://schemas.xmlsoap.org/soap/envelope/': '1.1', 'http://www.w3.org/2003/05/soap-envelope': '1.2' } as const;
const OUTPUT: Record<string, string> = {
  CreateServiceRequest: 'CreateServiceRequestResponse',
  AddAttachment: 'AddAttachmentResponse',
  AddNote: 'AddNoteResponse',
  GetStatus: 'GetStatusResponse',
  SubmitCaseDocument: 'CaseDocumentResponse',
};

/**
 * How to answer the next request. 'ok': normally (to script a later request). 'client-fault' / 'server-fault': that fault (HTTP 500), nothing done.
 * 'drop': act, then cut the connection (the answer is lost). 'slow': act, answer after `slowMs`.
 * 'dtd': answer 200 with a DOCTYPE declaring an entity used as the case reference (nothing done).
 * A number or { status, retryAfter }: that HTTP status with a plain-text body (a gateway answering), nothing done.
 */
export type SoapStep = 'ok' | 'client-fault' | 'server-fault' | 'drop' | 'slow' | 'dtd' | number | { status: number; retryAfter?: string };

export interface SoapBackofficeOptions {
  /** wsse (default): UsernameToken required; basic: HTTP basic auth; none. */
  auth?: 'wsse' | 'basic' | 'none';
  username?: string;
  password?: string;
  acceptPasswordText?: boolean;
  /** How late a 'slow' answer comes (default 3000 ms). */
  slowMs?: number;
  referencePrefix?: string;
}

export interface ReceivedSoapRequest {
  path: string;
  soapVersion: '1.1' | '1.2' | null;
  /** Local name of the Body's element (CreateServiceRequest, CaseDocument…). */
  operation: string | null;
  /** The raw envelope ('' when a scripted status answered before the body was read). */
  envelope: string;
  httpHeaders: http.IncomingHttpHeaders;
  security: UsernameToken | null;
  /** The idempotency SOAP header's value, if sent. */
  idempotencyHeader: string | null;
  answeredWith: string | number;
  at: number;
}

export interface SoapBackoffice {
  /** SOAP 1.1 endpoint. */
  url: string;
  /** SOAP 1.2 endpoint. */
  url12: string;
  wsdlPath: string;
  username: string;
  password: string;
  /** Cases by case reference. */
  cases: Map<string, BackofficeCase>;
  /** Every stored file (inline and added), in arrival order. */
  attachments: StoredAttachment[];
  requests: ReceivedSoapRequest[];
  /** Answers the next requests with these steps, then normally. Replaces steps not yet used. */
  script(steps: SoapStep[]): void;
  /** Forgets cases, files, requests and steps (not the nonces seen, nor the reference counter). */
  reset(): void;
  close(): Promise<void>;
}

/** What the server knows about one request while soap handles it. */
interface InFlight {
  step: SoapStep | undefined;
  record: ReceivedSoapRequest;
  doc?: Document;
}

/** A fault object the soap server sends, shaped for the request's SOAP version, always with HTTP 500. */
function soapFault(version: '1.1' | '1.2' | null, f: CaseFault) {
  if (version === '1.2')
    return {
      Fault: {
        Code: { Value: f.kind === 'Client' ? 'soap:Sender' : 'soap:Receiver', Subcode: { Value: f.subcode } },
        Reason: { Text: f.message },
        statusCode: 500,
      },
    };
  // SOAP 1.1: WS-Security failures use their own QName as faultcode (wsse:FailedAuthentication).
  return { Fault: { faultcode: f.subcode.startsWith('wsse:') ? f.subcode : `soap:${f.kind}`, faultstring: f.message, statusCode: 500 } };
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export async function startSoapBackoffice(options: SoapBackofficeOptions = {}): Promise<SoapBackoffice> {
  const username = options.username ?? 'closeloop-hub';
  const password = options.password ?? 'correct horse battery staple';
  const auth = options.auth ?? 'wsse';
  const verifier = wsseVerifier(username, password, { acceptPasswordText: options.acceptPasswordText });
  const store = new CaseStore(options.referencePrefix ?? 'EH');
  const xsd = loadXsd(CONTRACT, 'envhealth.xsd');
  const requests: ReceivedSoapRequest[] = [];
  const inFlight = new WeakMap<http.IncomingMessage, InFlight>();
  const timers = new Set<NodeJS.Timeout>();
  let steps: SoapStep[] = [];

  const server = http.createServer((_req, res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'));
  server.keepAliveTimeout = 30_000;

  // Runs first for every request (both soap servers call it; the first call decides). A scripted status answers here,
  // before soap reads the body: soap then only ends the response.
  function authorizeConnection(req: http.IncomingMessage, res?: http.ServerResponse): boolean {
    if (inFlight.has(req)) return true;
    const step = steps.shift();
    const record: ReceivedSoapRequest = {
      path: req.url ?? '',
      soapVersion: null,
      operation: null,
      envelope: '',
      httpHeaders: req.headers,
      security: null,
      idempotencyHeader: null,
      answeredWith: 'ok',
      at: Date.now(),
    };
    inFlight.set(req, { step, record });
    if (typeof step === 'number' || typeof step === 'object') {
      const s = typeof step === 'number' ? { status: step } : step;
      record.answeredWith = s.status;
      requests.push(record);
      res!.statusCode = s.status;
      res!.setHeader('content-type', 'text/plain');
      if (s.retryAfter) res!.setHeader('retry-after', s.retryAfter);
      res!.write(`status ${s.status}`);
      return false;
    }
    return true;
  }

  // soap calls log('received', xml, req) with the raw envelope before parsing it: read it ourselves, through core/xml.
  function log(type: string, data: unknown, req: http.IncomingMessage) {
    if (type !== 'received') return;
    const state = inFlight.get(req);
    if (!state) return;
    const r = state.record;
    r.envelope = String(data);
    requests.push(r);
    try {
      const doc = parseXmlSafely(r.envelope);
      state.doc = doc;
      r.soapVersion = ENVELOPE_NS[(doc.root()?.namespace()?.href() ?? '') as keyof typeof ENVELOPE_NS] ?? null;
      r.operation = selectAll(doc, "/*[local-name()='Envelope']/*[local-name()='Body']/*")[0]?.name() ?? null;
      r.security = readUsernameToken(doc);
      r.idempotencyHeader = selectText(
        doc,
        `/*[local-name()='Envelope']/*[local-name()='Header']/*[local-name()='IdempotencyKey' and namespace-uri()='${IDEMPOTENCY_HEADER_NS}']`,
      );
    } catch {
      // soap's own parser answers a malformed envelope with a fault.
    }
  }

  /** Checks who is calling; a refusal is a Client fault (wsse:FailedAuthentication for WS-Security) with HTTP 500. */
  function authenticate(_security: unknown, _done: unknown, req?: http.IncomingMessage): boolean {
    const state = inFlight.get(req!)!;
    let refusal: string | null = null;
    if (auth === 'wsse') refusal = verifier.verify(state.record.security);
    if (auth === 'basic' && req!.headers.authorization !== `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`)
      refusal = 'unknown user or wrong password';
    if (refusal) {
      state.record.answeredWith = 'auth-refused';
      throw soapFault(
        state.record.soapVersion,
        new CaseFault('Client', 'wsse:FailedAuthentication', `The security token could not be authenticated or authorized: ${refusal}`),
      );
    }
    return true;
  }

  /** Wraps an operation: schema validation, the scripted step, faults shaped for the SOAP version. */
  function operation(name: string, act: (args: Record<string, unknown>, state: InFlight) => Record<string, unknown>) {
    return (args: Record<string, unknown>, _cb: unknown, _headers: unknown, req: http.IncomingMessage, res: http.ServerResponse) => {
      const state = inFlight.get(req)!;
      const version = state.record.soapVersion;
      const step = state.step;
      try {
        if (step === 'client-fault') throw new CaseFault('Client', 'tns:ValidationError', 'ServiceCode NOISE-X is not a service this system knows');
        if (step === 'server-fault') throw new CaseFault('Server', 'tns:Unavailable', 'The case database is not available, try again later');
        validate(state);
        if (step === 'dtd') {
          state.record.answeredWith = 'dtd';
          const out = OUTPUT[name]!;
          res.statusCode = 200;
          res.setHeader('content-type', 'text/xml; charset=utf-8');
          res.end(
            `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE soap:Envelope [<!ENTITY ref "EH-FROM-DTD">]>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${out} xmlns="urn:example:envhealth:cases:v1"><CaseReference>&ref;</CaseReference><Status>open</Status></${out}></soap:Body></soap:Envelope>`,
          );
          return undefined; // answered by hand: soap writes nothing more
        }
        const result = act(args ?? {}, state);
        if (step === 'drop') {
          state.record.answeredWith = 'drop';
          req.socket.destroy();
          return undefined;
        }
        if (step === 'slow') {
          state.record.answeredWith = 'slow';
          return new Promise((resolve) => {
            const t = setTimeout(() => (timers.delete(t), resolve(result)), options.slowMs ?? 3000);
            timers.add(t);
          });
        }
        return result;
      } catch (err) {
        if (!(err instanceof CaseFault)) throw err;
        state.record.answeredWith = step === 'client-fault' || step === 'server-fault' ? step : `fault:${err.subcode}`;
        throw soapFault(version, err);
      }
    };
  }

  /** The Body's element must be valid against envhealth.xsd, as a real back office would insist. */
  function validate(state: InFlight) {
    const body = state.doc ? selectAll(state.doc, "/*[local-name()='Envelope']/*[local-name()='Body']/*")[0] : undefined;
    if (!body) throw new CaseFault('Client', 'tns:SchemaValidation', 'the Body has no element');
    const { valid, errors } = validateXml(body.toString(false), xsd);
    if (!valid)
      throw new CaseFault(
        'Client',
        'tns:SchemaValidation',
        errors
          .map((e) => e.message)
          .join('; ')
          .slice(0, 500),
      );
  }

  const port = {
    CreateServiceRequest: operation('CreateServiceRequest', (args) => {
      const { Attachments, ...fields } = args;
      const files = asArray((Attachments as { Attachment?: Record<string, string> | Record<string, string>[] } | undefined)?.Attachment).map((a) => ({
        fileName: String(a.FileName),
        contentType: String(a.ContentType),
        content: Buffer.from(String(a.Content), 'base64'),
      }));
      const c = store.create(String(args.IdempotencyKey ?? '') || undefined, () => ({ operation: 'CreateServiceRequest', fields }), files);
      return { CaseReference: c.reference, Status: c.status };
    }),
    SubmitCaseDocument: operation('SubmitCaseDocument', (_args, state) => {
      const document = selectAll(state.doc!, "/*[local-name()='Envelope']/*[local-name()='Body']/*/*")[0]?.toString(false);
      const c = store.create(state.record.idempotencyHeader ?? undefined, () => ({ operation: 'SubmitCaseDocument', fields: {}, document }));
      return { CaseReference: c.reference, Status: c.status };
    }),
    AddAttachment: operation('AddAttachment', (args, state) => {
      const key = (args.IdempotencyKey as string | undefined) ?? state.record.idempotencyHeader ?? undefined;
      const a = store.addAttachment(String(args.CaseReference), key, {
        fileName: String(args.FileName),
        contentType: String(args.ContentType),
        content: Buffer.from(String(args.Content), 'base64'),
      });
      return { AttachmentId: a.id };
    }),
    AddNote: operation('AddNote', (args, state) => {
      const key = (args.IdempotencyKey as string | undefined) ?? state.record.idempotencyHeader ?? undefined;
      const note = store.addNote(String(args.CaseReference), key, {
        text: String(args.Text ?? ''),
        ...(args.SentAt ? { sentAt: args.SentAt instanceof Date ? args.SentAt.toISOString() : String(args.SentAt) } : {}),
      });
      return { NoteId: note.id };
    }),
    GetStatus: operation('GetStatus', (args) => ({ CaseReference: String(args.CaseReference), Status: store.status(String(args.CaseReference)) })),
  };
  const services = { EnvHealthService: { EnvHealthSoap11: port, EnvHealthSoap12: port } } as unknown as IServices;

  const xml = readFileSync(WSDL_PATH, 'utf8');
  for (const version of ['1.1', '1.2'] as const) {
    const soapServer = await new Promise<Server>((resolve, reject) => {
      const s: Server = listen(server, {
        path: PATHS[version],
        services,
        xml,
        uri: WSDL_PATH,
        forceSoap12Headers: version === '1.2',
        suppressStack: true,
        callback: (err: unknown) => (err ? reject(err) : resolve(s)),
      });
    });
    soapServer.authorizeConnection = authorizeConnection;
    soapServer.authenticate = authenticate as Server['authenticate'];
    soapServer.log = log;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${base}${PATHS['1.1']}`,
    url12: `${base}${PATHS['1.2']}`,
    wsdlPath: WSDL_PATH,
    username,
    password,
    cases: store.cases,
    attachments: store.attachments,
    requests,
    script(next) {
      steps = [...next];
    },
    reset() {
      store.clear();
      requests.length = 0;
      steps = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
