// Every connector runs the same contract against its own fake or peer: one line each.
import { randomBytes } from 'node:crypto';
import { runConnectorContract } from './connector-contract.ts';
import { startWebhookReceiver } from '../peers/webhook-receiver.ts';
import { startCaseApi } from '../fakes/case-api.ts';
import { connector as webhook } from '../../connectors/webhook/index.ts';
import { connector as template } from '../../plugins/connector-template/index.ts';

runConnectorContract('webhook', async () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const r = await startWebhookReceiver(secret);
  return {
    connector: webhook as never,
    config: { url: r.url, secret, allowPrivateNetwork: true, timeoutMs: 2000, reference: { header: 'X-Sandbox-Reference' } },
    badConfig: { url: 'http://no-such-host.invalid/hook', secret },
    records: () => r.records().size,
    script: (steps) => r.script(steps),
    close: () => r.close(),
  };
});

runConnectorContract('case-api-template', async () => {
  const token = randomBytes(24).toString('base64url');
  const api = await startCaseApi(token);
  return {
    connector: template as never,
    config: { baseUrl: api.url, token },
    badConfig: { baseUrl: api.url, token: 'wrong-token-wrong-token' },
    records: () => api.cases.size,
    script: (steps) => api.script(steps),
    close: () => api.close(),
  };
});
