// The contract every connector passes, built-in or written from the template (learned from Airbyte's acceptance tests).
// A new connector gets these checks by adding one call to runConnectorContract in test/contract/.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { PermanentError, RetryableError, type Connector, type ConnectorContext, type DeliveryJob, type ProcessApi } from '../../core/plugins/index.ts';

export interface ContractSetup {
  connector: Connector<unknown>;
  config: unknown;
  /** A config the back office will refuse (wrong key, unknown code…), for check(). */
  badConfig: unknown;
  /** Records the back office holds. */
  records(): number;
  /** Next answer: a status, or 'drop' (the back office acts, then the answer is lost). */
  script(steps: (number | 'drop')[]): void;
  close(): Promise<void>;
}

const noProcesses: ProcessApi = {
  find: async () => null,
  addNote: async () => ({ applied: false }),
  updateTask: async () => ({ applied: false }),
  close: async () => ({ applied: false }),
};

export function contextFor(name: string, config: unknown): ConnectorContext<unknown> {
  return { name, config, log: pino({ level: 'silent' }), publicBaseUrl: 'http://127.0.0.1:1', processes: noProcesses };
}

export function deliveryJob(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  const id = randomUUID();
  return {
    deliveryId: randomUUID(),
    attempt: 1,
    binding: 'contract',
    process: { id, reference: 'NOI-ABCD2345', serviceId: 'noise-complaint', serviceVersion: 1, serviceTitle: 'Report a noise problem', submittedAt: new Date().toISOString(), externalRef: null, answers: { noiseType: 'music' } },
    xml: '<?xml version="1.0"?><Case xmlns="urn:test"><Reference>NOI-ABCD2345</Reference></Case>',
    documents: [
      { id: randomUUID(), kind: 'evidence', name: 'photo.png', contentType: 'image/png', size: 3, sha256: 'x', url: `http://127.0.0.1:1/api/v1/processes/${id}/documents/1`, read: async () => Buffer.from('png') },
    ],
    ...overrides,
  };
}

export function runConnectorContract(name: string, makeSetup: () => Promise<ContractSetup>): void {
  describe(`connector contract: ${name}`, () => {
    let s: ContractSetup;
    let ctx: ConnectorContext<unknown>;
    before(async () => {
      s = await makeSetup();
      const parsed = s.connector.configSchema.parse(s.config);
      ctx = contextFor('contract', parsed);
    });
    after(async () => {
      await s.connector.close?.();
      await s.close();
    });

    test('one delivery creates exactly one back-office record and returns its reference', async () => {
      const before = s.records();
      const result = await s.connector.deliver(deliveryJob(), ctx);
      assert.equal(s.records(), before + 1);
      assert.ok(result.externalRef, 'the back office reference is returned');
    });

    test('a retry after a lost response creates no second record', async () => {
      const job = deliveryJob();
      const before = s.records();
      s.script(['drop']);
      await assert.rejects(s.connector.deliver(job, ctx), (err: unknown) => !(err instanceof PermanentError), 'a lost response is worth retrying');
      const result = await s.connector.deliver({ ...job, attempt: 2 }, ctx);
      assert.equal(s.records(), before + 1, 'still one record');
      assert.ok(result.externalRef);
    });

    test('errors are classified: 4xx permanent, 5xx and 429 retryable', async () => {
      s.script([400]);
      await assert.rejects(s.connector.deliver(deliveryJob(), ctx), PermanentError);
      s.script([500]);
      await assert.rejects(s.connector.deliver(deliveryJob(), ctx), RetryableError);
      s.script([429]);
      await assert.rejects(s.connector.deliver(deliveryJob(), ctx), RetryableError);
    });

    test('check() reports a bad configuration clearly', async () => {
      if (!s.connector.check) return assert.fail(`${name} has no check()`);
      const good = await s.connector.check(ctx);
      assert.deepEqual(good, { ok: true, problems: [] });
      const bad = await s.connector.check(contextFor('contract', s.connector.configSchema.parse(s.badConfig)));
      assert.equal(bad.ok, false);
      assert.ok(bad.problems.length > 0 && bad.problems.every((p) => p.length > 10), `problems explain themselves: ${bad.problems.join('; ')}`);
    });

    test('inbound routes refuse an unsigned or badly signed request', async () => {
      if (!s.connector.inbound) return;
      const handlers: { path: string; handler: (r: never) => Promise<{ status: number }> }[] = [];
      s.connector.inbound({ get: () => {}, post: (path, handler) => handlers.push({ path, handler: handler as never }) }, ctx);
      assert.ok(handlers.length > 0);
      for (const h of handlers) {
        const res = await h.handler({ method: 'POST', path: h.path, params: {}, query: {}, headers: { 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, rawBody: Buffer.from('{}') } as never);
        assert.equal(res.status, 401);
      }
    });
  });
}
