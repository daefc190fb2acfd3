// DeliveryJob fixtures for connector tests: a realistic job (process, validated-looking XML, one evidence document), and
// contexts made as the hub makes them (open() run, its state kept, closed afterwards).
import { createHash, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Connector, ConnectorContext, DeliveryDocument, DeliveryJob, InboundRequest, ProcessApi, UpdateJob } from '@closeloop/sdk';
import { inboundJson } from '../../core/http/inbound.ts';
import { pluginPages } from '../../core/http/pages/index.ts';

/** Pages in the hub's look, as the hub gives them to inbound routes. */
const pages = pluginPages({ name: 'Test Borough Council' });

export type DeliveryJobOverrides = Partial<Omit<DeliveryJob, 'process'>> & { process?: Partial<DeliveryJob['process']> };

/** A fresh job (new deliveryId and process id each call); override any field, `process` fields one by one. */
export function deliveryJob(overrides: DeliveryJobOverrides = {}): DeliveryJob {
  const processId = overrides.process?.id ?? randomUUID();
  const { process, ...rest } = overrides;
  return {
    deliveryId: randomUUID(),
    attempt: 1,
    binding: 'contract',
    xml: '<?xml version="1.0" encoding="UTF-8"?>\n<Case xmlns="urn:closeloop:test"><Reference>NOI-ABCD2345</Reference><NoiseType>music</NoiseType></Case>',
    documents: [testDocument(processId, { name: 'photo.png', contentType: 'image/png', content: Buffer.from('89504e47', 'hex') })],
    ...rest,
    process: {
      id: processId,
      reference: 'NOI-ABCD2345',
      serviceId: 'noise-complaint',
      serviceVersion: 1,
      serviceTitle: 'Report a noise problem',
      submittedAt: '2025-01-02T03:04:05.000Z',
      externalRef: null,
      answers: { noiseType: 'music', description: 'Loud bass every night' },
      ...process,
    },
  };
}

/** A document whose read() returns `content`. */
export function testDocument(processId: string, d: { name: string; contentType: string; content: Buffer; kind?: string }): DeliveryDocument {
  const id = randomUUID();
  return {
    id,
    kind: d.kind ?? 'evidence',
    name: d.name,
    contentType: d.contentType,
    size: d.content.length,
    sha256: createHash('sha256').update(d.content).digest('hex'),
    url: `http://127.0.0.1:1/api/v1/processes/${processId}/documents/${id}`,
    read: async () => d.content,
  };
}

/** A process API that finds nothing and applies nothing (connectors under contract do not need the hub). */
export const noProcesses: ProcessApi = {
  find: async () => null,
  tasks: async () => [],
  addNote: async () => ({ applied: false }),
  updateTask: async () => ({ applied: false }),
  close: async () => ({ applied: false }),
  addDocument: async () => ({ applied: false }),
};

/** A connector context for one binding with an already-parsed config, for a connector without open(). */
export function contextFor<Config>(name: string, config: Config, processes: ProcessApi = noProcesses): ConnectorContext<Config, undefined> {
  return { name, config, log: pino({ level: 'silent' }), publicBaseUrl: 'http://127.0.0.1:1', processes, state: undefined };
}

/** States opened by openedContext/openContext, to close with closeOpenedContexts. */
const opened: (() => unknown)[] = [];

/** The context the hub gives one binding: open() run (synchronously here) and its state kept. */
export function openedContext<Config, State>(
  connector: Connector<Config, State>,
  name: string,
  config: Config,
  processes: ProcessApi = noProcesses,
): ConnectorContext<Config, State> {
  const base = { name, config, log: pino({ level: 'silent' }), publicBaseUrl: 'http://127.0.0.1:1', processes, pages };
  const state = connector.open?.(base) as State;
  if (state instanceof Promise) throw new Error(`${connector.name}'s open() is async: use openContext`);
  opened.push(() => connector.close?.(state));
  return { ...base, state };
}

/** The same, for any open() (a connector under the contract may prepare asynchronously). */
export async function openContext<Config, State>(
  connector: Connector<Config, State>,
  name: string,
  config: Config,
  processes: ProcessApi = noProcesses,
): Promise<ConnectorContext<Config, State>> {
  const base = { name, config, log: pino({ level: 'silent' }), publicBaseUrl: 'http://127.0.0.1:1', processes, pages };
  const state = (await connector.open?.(base)) as State;
  opened.push(() => connector.close?.(state));
  return { ...base, state };
}

/** Closes every state opened so far, as the hub does when it stops. */
export async function closeOpenedContexts(): Promise<void> {
  for (const close of opened.splice(0).reverse()) await close();
}

/** An inbound request as the hub hands it to a route: the client on this machine, the body read by the API's JSON rules. */
export function inboundRequest(r: Partial<Omit<InboundRequest, 'json'>> & { rawBody?: Buffer }): InboundRequest {
  const rawBody = r.rawBody ?? Buffer.alloc(0);
  const headers = r.headers ?? {};
  const type = headers['content-type'];
  return {
    method: 'POST',
    path: '/',
    params: {},
    query: {},
    clientAddress: '127.0.0.1',
    ...r,
    headers,
    rawBody,
    json: () => inboundJson(rawBody, Array.isArray(type) ? type[0] : type),
  };
}

/** A citizen's update on the case `job` created (as delivered, with the back office's reference), with one photo. */
export function updateJob(job: DeliveryJob, externalRef: string | null, overrides: Partial<UpdateJob> = {}): UpdateJob {
  return {
    updateId: randomUUID(),
    attempt: 1,
    binding: job.binding,
    process: { id: job.process.id, reference: job.process.reference, serviceId: job.process.serviceId, externalRef },
    message: { id: randomUUID(), text: 'The music started again at 2am & went on <all night>.', sentAt: '2025-01-03T02:15:00.000Z' },
    documents: [testDocument(job.process.id, { name: 'night.png', contentType: 'image/png', content: Buffer.from('89504e470d0a1a0a00', 'hex') })],
    ...overrides,
  };
}
