// The batcher behind every shared statement (core/db/group-batcher.ts), on its own: calls made in one turn share a
// batch, and a failed batch is run again one call at a time in the order the calls came, so only the call at fault
// fails and two calls on one row (two notes on a process) keep their order; with a key, calls on one row never share a
// batch nor run beside each other.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupBatcher, type GroupBatcherOptions } from '../../core/db/group-batcher.ts';

const fault = (message: string) => Object.assign(new Error(message), { code: '23505' });

/** A batcher that answers each input with itself and keeps the inputs of each run. */
function recordingBatcher(options: GroupBatcherOptions<string>) {
  const runs: string[][] = [];
  const batcher = new GroupBatcher<string, string>(async (inputs) => {
    runs.push(inputs);
    return inputs;
  }, options);
  return { runs, batcher };
}

describe('foundation/group-batcher', () => {
  test('calls made in one turn of the event loop share one run', async () => {
    const runs: string[][] = [];
    const batcher = new GroupBatcher<string, string>(async (inputs) => {
      runs.push(inputs);
      return inputs.map((i) => i.toUpperCase());
    });
    assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((i) => batcher.call(i))), ['A', 'B', 'C']);
    assert.deepEqual(runs, [['a', 'b', 'c']]);
  });

  test('a failed batch runs again one call at a time, in order: the call at fault fails alone, the order holds', async () => {
    const done: string[] = [];
    const batcher = new GroupBatcher<string, string>(
      async (inputs) => {
        if (inputs.includes('bad')) {
          if (inputs.length > 1) throw fault('the batch holds a call at fault');
          throw fault('this call is at fault');
        }
        // The first call takes longest: run at once, the others would finish before it.
        await sleep(inputs[0] === 'first' ? 40 : 0);
        done.push(...inputs);
        return inputs;
      },
      { retryAlone: (err) => (err as { code?: string }).code === '23505' },
    );
    const outcomes = await Promise.allSettled(['first', 'bad', 'second', 'third'].map((i) => batcher.call(i)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /this call is at fault/);
    assert.deepEqual(done, ['first', 'second', 'third']);
  });

  test('an error not retried alone is every call’s answer', async () => {
    const batcher = new GroupBatcher<string, string>(
      async () => {
        throw new Error('the database is gone');
      },
      { retryAlone: () => false },
    );
    const outcomes = await Promise.allSettled(['a', 'b'].map((i) => batcher.call(i)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
  });

  test('with a key, calls on one row never share a batch and wait for the batch in flight that holds their row', async () => {
    const events: string[] = [];
    // The first batch is held open until the test lets it finish (no timing: a loaded machine cannot reorder it).
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    let finishFirst!: () => void;
    const gate = new Promise<void>((resolve) => (finishFirst = resolve));
    const batcher = new GroupBatcher<string, string>(
      async (inputs) => {
        events.push(`start ${inputs.join(',')}`);
        if (inputs.includes('a1')) {
          firstStarted();
          await gate;
        }
        events.push(`end ${inputs.join(',')}`);
        return inputs;
      },
      { key: (input) => input[0]!, maxInFlight: 2 },
    );
    const first = ['a1', 'b1'].map((i) => batcher.call(i));
    await started;
    // a2 waits for a1's batch; c1 has a row of its own and goes ahead of it, beside that batch.
    const [a2, c1] = ['a2', 'c1'].map((i) => batcher.call(i));
    assert.equal(await c1, 'c1');
    finishFirst();
    assert.deepEqual(await Promise.all([...first, a2]), ['a1', 'b1', 'a2']);
    assert.deepEqual(events, ['start a1,b1', 'start c1', 'end c1', 'end a1,b1', 'start a2', 'end a2']);
  });

  test('with a key, calls on one row made in one turn run one batch after another, in the order they came', async () => {
    const { runs, batcher } = recordingBatcher({ key: (input) => input[0]!, maxInFlight: 2 });
    await Promise.all(['a1', 'a2', 'b1', 'a3', 'b2'].map((i) => batcher.call(i)));
    assert.deepEqual(runs, [['a1', 'b1'], ['a2', 'b2'], ['a3']]);
  });

  test('with a key, a call on another row is not held up by a long line of calls on one row', async () => {
    const { runs, batcher } = recordingBatcher({ key: (input) => input.split(':')[0]!, maxInFlight: 1 });
    const calls = Array.from({ length: 500 }, (_, i) => `a:${i}`);
    await Promise.all([...calls, 'b:0'].map((i) => batcher.call(i)));
    assert.deepEqual(runs[0], ['a:0', 'b:0'], 'the other row goes in the first batch');
    assert.deepEqual(
      runs.flat().filter((i) => i.startsWith('a:')),
      calls,
      'one row: in order',
    );
    assert.equal(runs.length, 500);
  });
});
