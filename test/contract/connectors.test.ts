// Every connector runs the same contract against its own fake or peer: one call each.
import { runConnectorContract } from './connector-contract.ts';
import { startWebhookReceiver } from '../peers/webhook-receiver.ts';
import { startFakeCaseApi } from '../../connectors/template/fake-case-api.ts';
import { generateWebhookSecret } from '@closeloop/sdk';
import { connector as webhook } from '../../connectors/webhook/index.ts';
import { connector as sandbox } from '../../connectors/sandbox/index.ts';
import { connector as template } from '../../connectors/template/index.ts';
import { connector as alloy } from '../../connectors/alloy/index.ts';
import { startFakeAlloy } from '../fakes/alloy-api.ts';
import { startSoapBackoffice } from '../peers/soap-backoffice/index.ts';
import { connector as soap } from '../../connectors/soap/index.ts';

const isCitizenMessage = (body: string) => body.startsWith('{"type":"citizen.message"');

runConnectorContract('webhook', async () => {
  const secret = generateWebhookSecret();
  const r = await startWebhookReceiver(secret);
  return {
    connector: webhook as never,
    config: { url: r.url, secret, allowPrivateNetwork: true, timeoutMs: 1500, reference: { header: 'X-Sandbox-Reference' } },
    // Passes the schema, but the guard refuses it: a loopback target without allowPrivateNetwork.
    badConfig: { url: r.url, secret },
    records: () => [...r.records().values()].filter((q) => !isCitizenMessage(q.body)).length,
    script: (steps) => r.script(steps),
    close: () => r.close(),
    updates: { received: () => [...r.records().values()].filter((q) => isCitizenMessage(q.body)).length, script: (steps) => r.script(steps) },
  };
});

// The sandbox's inbox is a webhook back office: the receiver stands in for it (signed, deduped by webhook-id, scriptable).
runConnectorContract('sandbox', async () => {
  const secret = generateWebhookSecret();
  const r = await startWebhookReceiver(secret);
  return {
    connector: sandbox as never,
    config: { secret, url: r.url, timeoutMs: 1500 },
    // Passes the schema; nothing answers there.
    badConfig: { secret, url: 'http://127.0.0.1:9/inbox' },
    records: () => [...r.records().values()].filter((q) => !q.body.includes('<CitizenMessage>')).length,
    script: (steps) => r.script(steps),
    close: () => r.close(),
    updates: { received: () => [...r.records().values()].filter((q) => q.body.includes('<CitizenMessage>')).length, script: (steps) => r.script(steps) },
  };
});

runConnectorContract('case-api-template', async () => {
  const token = generateWebhookSecret();
  const api = await startFakeCaseApi(token);
  return {
    connector: template as never,
    config: { baseUrl: api.url, token, timeoutMs: 1500 },
    badConfig: { baseUrl: api.url, token: 'wrong-token-wrong-token' },
    records: () => api.cases.size,
    script: (steps) => api.script(steps),
    close: () => api.close(),
  };
});

runConnectorContract('alloy', async () => {
  const apiKey = generateWebhookSecret();
  const design = {
    code: 'designs_ehEnquiry',
    attributes: [
      'attributes_reference',
      'attributes_noiseType',
      'attributes_closeloopDeliveryId',
      'attributes_filesAttachableAttachments',
      'attributes_citizenUpdates',
    ],
  };
  const api = await startFakeAlloy({ apiKey, designs: [design] });
  const config = {
    baseUrl: api.url,
    apiKey,
    designCode: design.code,
    timeoutMs: 1500,
    requestsPerSecond: 100,
    namespaces: { t: 'urn:closeloop:test' },
    attributes: [
      { attributeCode: 'attributes_reference', xpath: '/t:Case/t:Reference' },
      { attributeCode: 'attributes_noiseType', xpath: '/t:Case/t:NoiseType' },
    ],
    deliveryIdAttribute: 'attributes_closeloopDeliveryId',
    attachmentsAttribute: 'attributes_filesAttachableAttachments',
    updates: { commentAttribute: 'attributes_citizenUpdates' },
    inbound: { secret: generateWebhookSecret() },
  };
  /** Updates on items: each message leaves one "[update <id>]" line in the comment attribute. */
  const updatesHeld = () =>
    api
      .itemsOf(design.code)
      .flatMap((i) => String(i.attributes.find((a) => a.attributeCode === 'attributes_citizenUpdates')?.value ?? '').match(/\[update [0-9a-f-]+\]/g) ?? [])
      .length;
  return {
    connector: alloy as never,
    config,
    badConfig: { ...config, apiKey: 'not-the-right-key' },
    records: () => api.itemsOf(design.code).length,
    script: (steps) => api.script(steps),
    close: () => api.close(),
    updates: { received: updatesHeld, script: (steps) => api.script(steps, 'PUT /api/item/:id') },
  };
});

runConnectorContract('soap', async () => {
  const bo = await startSoapBackoffice({ slowMs: 2500 });
  const config = {
    wsdl: bo.wsdlPath,
    endpoint: bo.url,
    operation: 'CreateServiceRequest',
    timeoutMs: 1500,
    auth: { type: 'wsse', username: bo.username, password: bo.password },
    request: {
      mode: 'arguments',
      namespaces: { c: 'urn:closeloop:test' },
      arguments: { ServiceCode: { value: 'EH-NOISE' }, ExternalReference: '/c:Case/c:Reference', Description: '/c:Case/c:NoiseType' },
      idempotencyArgument: 'IdempotencyKey',
    },
    reference: 'CaseReference',
    attachments: { mode: 'inline' },
    checkOperation: { operation: 'GetStatus', arguments: { CaseReference: 'PING' } },
    updates: {
      operation: 'AddNote',
      referenceArgument: 'CaseReference',
      textArgument: 'Text',
      sentAtArgument: 'SentAt',
      idempotencyArgument: 'IdempotencyKey',
    },
  };
  return {
    connector: soap as never,
    config,
    // Passes the schema; the back office refuses the UsernameToken (wsse:FailedAuthentication).
    badConfig: { ...config, auth: { ...config.auth, password: 'wrong-password' } },
    records: () => bo.cases.size,
    script: (steps) => bo.script(steps.map((s) => (s === 'timeout' ? 'slow' : s))),
    close: () => bo.close(),
    updates: {
      received: () => [...bo.cases.values()].reduce((n, c) => n + c.notes.length, 0),
      script: (steps) => bo.script(steps.map((s) => (s === 'timeout' ? 'slow' : s))),
    },
  };
});
