// "Passed to the team" joins the submission's confirmation for as long as that has not been claimed for sending: while
// it waits out notifications.confirmationWindowSeconds, and also once the relay has queued it but its job has not run
// (under a backlog, seconds). A confirmation claimed for sending, or tried before, is left alone: the update goes as a
// message of its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { noiseAnswers, sql, submitJson } from '../governance/support.ts';
import { claimDelivery, recordDelivered } from '../../core/delivery/deliveries-repo.ts';
import { claimNotification } from '../../core/notify/notifications-repo.ts';
import { claimPending } from '../../core/jobs/outbox-repo.ts';

const LEASE_MS = 60_000;

interface MessageRow {
  kind: string;
  status: string;
  texts: string[];
}

describe('delivery/joined-confirmation', () => {
  let t: TestHub;
  before(async () => {
    // No worker: the test plays the relay and the sender itself, so each confirmation is caught in the state it needs.
    t = await startTestHub({ configure: (c) => (c.notifications.confirmationWindowSeconds = 60) });
  });
  after(async () => t?.close());

  /** A submission whose confirmation is put in `status` (as the relay or the sender would), then its delivery recorded. */
  async function deliveredWithConfirmation(status: 'pending' | 'queued' | 'sending'): Promise<MessageRow[]> {
    const s = await submitJson(t, 'noise-complaint', noiseAnswers);
    const [confirmation] = await sql<{ id: string; not_before: Date; created_at: Date }>(
      t,
      `select id, not_before, created_at from notifications where process_id = $1 and kind = 'submitted'`,
      [s.processId],
    );
    assert.ok(confirmation && confirmation.not_before > confirmation.created_at, 'the confirmation waits out its window');
    if (status !== 'pending') {
      // Its window is over: the relay queues it (the relay's own statement), and its job has not run yet.
      await sql(t, `update notifications set not_before = now() where id = $1`, [confirmation.id]);
      const relayed = await claimPending(t.hub.db, 'notifications', 1000);
      assert.ok(
        relayed.some((r) => r.id === confirmation.id),
        'the relay queued the confirmation',
      );
    }
    if (status === 'sending')
      assert.ok(await claimNotification(t.hub.db, confirmation.id, createHash('sha256').update(s.reference).digest(), LEASE_MS), 'claimed for sending');
    const [delivery] = await sql<{ id: string }>(t, 'select id from deliveries where process_id = $1', [s.processId]);
    const claimed = await claimDelivery(t.hub.db, delivery!.id, LEASE_MS);
    assert.ok(claimed);
    assert.equal(
      await recordDelivered(
        t.hub.db,
        { deliveryId: delivery!.id, processId: s.processId, number: claimed.attemptNumber, startedAt: new Date() },
        'BO-1',
        'Passed to the team',
        {
          windowSeconds: 0,
        },
      ),
      true,
    );
    return sql<MessageRow>(
      t,
      `select kind, status, array(select u->>'text' from jsonb_array_elements(updates) u) as texts
       from notifications where process_id = $1 order by created_at, kind desc`,
      [s.processId],
    );
  }

  test('a confirmation still in its window says both', async () => {
    const rows = await deliveredWithConfirmation('pending');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]!.kind, 'submitted');
    assert.equal(rows[0]!.texts.length, 2);
    assert.equal(rows[0]!.texts[1], 'Passed to the team');
  });

  test('a confirmation the relay has queued, not yet claimed, says both too', async () => {
    const rows = await deliveredWithConfirmation('queued');
    assert.deepEqual(
      rows.map((r) => [r.kind, r.status, r.texts.length]),
      [['submitted', 'queued', 2]],
    );
    assert.equal(rows[0]!.texts[1], 'Passed to the team');
  });

  test('a confirmation claimed for sending is left alone: "passed to the team" is a message of its own', async () => {
    const rows = await deliveredWithConfirmation('sending');
    assert.deepEqual(
      rows.map((r) => [r.kind, r.status, r.texts]),
      [
        ['submitted', 'sending', [rows[0]!.texts[0]]],
        ['update', 'pending', ['Passed to the team']],
      ],
    );
  });
});
