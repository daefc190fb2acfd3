// DeliveryJob fixtures for connector tests: a realistic job (process, validated-looking XML, one evidence document).
import { createHash, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { ConnectorContext, DeliveryDocument, DeliveryJob, ProcessApi } from '../../core/plugins/index.ts';

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
  addNote: async () => ({ applied: false }),
  updateTask: async () => ({ applied: false }),
  close: async () => ({ applied: false }),
};

/** A connector context for one binding with an already-parsed config. */
export function contextFor<Config>(name: string, config: Config, processes: ProcessApi = noProcesses): ConnectorContext<Config> {
  return { name, config, log: pino({ level: 'silent' }), publicBaseUrl: 'http://127.0.0.1:1', processes };
}
