// The contract every connector passes, built-in or written from the template (learned from Airbyte's acceptance tests).
// A new connector gets these checks by adding one runConnectorContract call in test/contract/connectors.test.ts,
// with a fake or peer of its back office that dedupes by the idempotency key as the real one does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isPermanentError, isRetryableError, type Connector, type ConnectorContext, type InboundHandler } from '@closeloop/sdk';
import { closeOpenedContexts, deliveryJob, inboundRequest, openContext, updateJob } from './delivery-job.ts';

export { contextFor, deliveryJob, noProcesses, openContext, openedContext, testDocument, updateJob } from './delivery-job.ts';

/** Errors are recognised by the SDK's brand, as the hub recognises them (a connector may carry its own SDK copy). */
const permanent = (err: unknown) => isPermanentError(err);
const retryable = (err: unknown) => isRetryableError(err);

/** How the back office answers the next request: a status; 'timeout' (no answer); 'drop' (it acts, the answer is lost). */
export type ContractStep = number | 'timeout' | 'drop';

export interface ContractSetup {
  connector: Connector<unknown>;
  /** A binding config (before parsing) pointing at the fake/peer. Keep its timeout short (≤ 2 s): one test waits for it. */
  config: unknown;
  /** A config that passes the schema but that the back office (or the guard) refuses: wrong token, unresolvable host… */
  badConfig: unknown;
  /** How many records (cases) the back office holds. */
  records(): number;
  /** Scripts the back office's next answers (then it answers normally). */
  script(steps: ContractStep[]): void;
  close(): Promise<void>;
  /** For a connector with deliverUpdate: what its back office holds of citizens' updates, and how to script their route. */
  updates?: {
    /** How many distinct updates (citizens' messages) the back office holds. */
    received(): number;
    /** Scripts the answers to the next update requests. */
    script(steps: ContractStep[]): void;
  };
}

export function runConnectorContract(name: string, makeSetup: () => Promise<ContractSetup>): void {
  describe(`connector contract: ${name}`, () => {
    let s: ContractSetup;
    let ctx: ConnectorContext<unknown>;
    before(async () => {
      s = await makeSetup();
      // As the hub does: open() once for the binding, its state on the context, close() at the end.
      ctx = await openContext(s.connector, 'contract', s.connector.configSchema.parse(s.config));
    });
    after(async () => {
      await closeOpenedContexts();
      await s.close();
    });

    test('its config schema refuses an empty config with field-level messages', () => {
      const parsed = s.connector.configSchema.safeParse({});
      assert.equal(parsed.success, false);
      assert.ok(parsed.error!.issues.every((i) => i.path.length > 0 && i.message.length > 0));
    });

    test('one delivery creates exactly one back-office record and returns its reference', async () => {
      const before = s.records();
      const result = await s.connector.deliver(deliveryJob(), ctx);
      assert.equal(s.records(), before + 1);
      assert.ok(result.externalRef, 'the back office reference is returned');
      assert.ok((result.responseExcerpt ?? '').length <= 2048, 'the excerpt is bounded');
    });

    test('a retry after a lost response creates no second record and finds the same reference', async () => {
      const job = deliveryJob();
      const before = s.records();
      s.script(['drop']);
      await assert.rejects(s.connector.deliver(job, ctx), retryable, 'a lost response is worth retrying');
      assert.equal(s.records(), before + 1, 'the back office acted');
      const second = await s.connector.deliver({ ...job, attempt: 2 }, ctx);
      const third = await s.connector.deliver({ ...job, attempt: 3 }, ctx);
      assert.equal(s.records(), before + 1, 'still one record');
      assert.ok(second.externalRef);
      assert.equal(third.externalRef, second.externalRef);
    });

    test('a 400 is permanent', async () => {
      s.script([400]);
      await assert.rejects(s.connector.deliver(deliveryJob(), ctx), permanent);
    });

    for (const status of [500, 503, 429]) {
      test(`a ${status} is retryable`, async () => {
        s.script([status]);
        await assert.rejects(s.connector.deliver(deliveryJob(), ctx), retryable);
      });
    }

    test('no answer within the timeout is retryable', async () => {
      s.script(['timeout']);
      const started = Date.now();
      await assert.rejects(s.connector.deliver(deliveryJob(), ctx), retryable);
      assert.ok(Date.now() - started < 5000, 'the timeout is honoured');
    });

    test('deliverUpdate, when declared: one update reaches the case once, even retried after a lost answer; errors classified', async () => {
      // Declared and counted go together: a connector that takes updates must show the suite what its back office holds.
      assert.equal(!!s.updates, !!s.connector.deliverUpdate, `${name}: deliverUpdate and the setup's updates go together`);
      if (!s.connector.deliverUpdate || !s.updates) return;
      const deliverUpdate = s.connector.deliverUpdate.bind(s.connector);
      const job = deliveryJob();
      const { externalRef } = await s.connector.deliver(job, ctx);
      const update = updateJob(job, externalRef ?? null);
      const before = s.updates.received();
      await deliverUpdate(update, ctx);
      assert.equal(s.updates.received(), before + 1, 'the back office holds the update');
      s.updates.script(['drop']);
      const again = updateJob(job, externalRef ?? null);
      await assert.rejects(deliverUpdate(again, ctx), retryable, 'a lost response is worth retrying');
      await deliverUpdate({ ...again, attempt: 2 }, ctx);
      await deliverUpdate({ ...update, attempt: 2 }, ctx);
      assert.equal(s.updates.received(), before + 2, 'a retried update is not held twice');
      s.updates.script([400]);
      await assert.rejects(deliverUpdate(updateJob(job, externalRef ?? null), ctx), permanent);
      s.updates.script([503]);
      await assert.rejects(deliverUpdate(updateJob(job, externalRef ?? null), ctx), retryable);
    });

    test('check() passes the good config and explains what is wrong with the bad one', async () => {
      assert.ok(s.connector.check, `${name} has no check()`);
      assert.deepEqual(await s.connector.check(ctx), { ok: true, problems: [] });
      const bad = await s.connector.check(await openContext(s.connector, 'contract', s.connector.configSchema.parse(s.badConfig)));
      assert.equal(bad.ok, false);
      assert.ok(bad.problems.length > 0 && bad.problems.every((p) => p.length > 10), `problems explain themselves: ${bad.problems.join('; ')}`);
    });

    test('inbound routes (if any) refuse unsigned and badly signed requests, and callers they cannot place', async () => {
      const handlers: { method: string; path: string; handler: InboundHandler }[] = [];
      s.connector.inbound?.(
        {
          get: (path, handler) => handlers.push({ method: 'GET', path, handler }),
          post: (path, handler) => handlers.push({ method: 'POST', path, handler }),
        },
        ctx,
      );
      const now = String(Math.floor(Date.now() / 1000));
      const attempts = [
        {},
        { 'webhook-id': 'msg_1', 'webhook-timestamp': now, 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
        { authorization: 'Bearer wrong-token-wrong-token' },
      ];
      for (const h of handlers) {
        for (const headers of attempts) {
          // clientAddress null: through a proxy the hub does not trust (a route that answers some addresses refuses it).
          const req = inboundRequest({
            method: h.method,
            path: h.path,
            headers: { 'content-type': 'application/json', ...headers },
            rawBody: Buffer.from('{"type":"note.added"}'),
            clientAddress: null,
          });
          const res = await h.handler(req);
          assert.ok(res.status === 401 || res.status === 403, `${h.method} ${h.path} answered ${res.status} to ${JSON.stringify(headers)}`);
        }
      }
    });
  });
}
