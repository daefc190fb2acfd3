// The Notifier gathers wake-ups for a short window, so a burst of commits costs one NOTIFY (and one relay pass in each
// worker) instead of one each; still, every request is followed by a NOTIFY that starts after it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { Notifier } from '../../core/db/notifier.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingQuery(answerAfterMs = 0) {
  const sent: { at: number; values: unknown[] }[] = [];
  const query = async (config: pg.QueryConfig) => {
    sent.push({ at: performance.now(), values: config.values ?? [] });
    await sleep(answerAfterMs);
  };
  return { sent, query };
}

describe('Notifier: wake-ups gathered', () => {
  test('fifty requests within the window make one NOTIFY, sent after the last of them', async () => {
    const { sent, query } = recordingQuery();
    const notifier = new Notifier(query);
    let lastRequest = 0;
    for (let i = 0; i < 50; i++) {
      notifier.send('closeloop_outbox', 'notifications');
      lastRequest = performance.now();
    }
    await sleep(60);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.values, ['closeloop_outbox', 'notifications']);
    assert.ok(sent[0]!.at >= lastRequest, 'the NOTIFY starts after the last request');
    await notifier.close();
  });

  test('each payload has its own NOTIFY', async () => {
    const { sent, query } = recordingQuery();
    const notifier = new Notifier(query);
    notifier.send('closeloop_outbox', 'notifications');
    notifier.send('closeloop_outbox', 'update_deliveries');
    notifier.send('closeloop_outbox', 'notifications');
    await sleep(60);
    assert.deepEqual(sent.map((s) => s.values[1]).sort(), ['notifications', 'update_deliveries']);
    await notifier.close();
  });

  test('a request made while a NOTIFY is in flight gets one that starts after it', async () => {
    const { sent, query } = recordingQuery(40);
    const notifier = new Notifier(query);
    notifier.send('closeloop_outbox', 'notifications');
    await sleep(25); // the first is in flight now (gathered ~10 ms, answered after 40)
    assert.equal(sent.length, 1);
    const requestedAt = performance.now();
    notifier.send('closeloop_outbox', 'notifications');
    notifier.send('closeloop_outbox', 'notifications');
    await sleep(120);
    assert.equal(sent.length, 2);
    assert.ok(sent[1]!.at >= requestedAt);
    await notifier.close();
  });

  test('close sends what is gathering at once, then no more', async () => {
    const { sent, query } = recordingQuery();
    const notifier = new Notifier(query);
    notifier.send('closeloop_outbox', 'deliveries');
    await notifier.close();
    assert.equal(sent.length, 1);
    notifier.send('closeloop_outbox', 'deliveries');
    await sleep(30);
    assert.equal(sent.length, 1);
  });
});
