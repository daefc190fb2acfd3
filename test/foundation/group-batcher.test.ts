// The batcher behind every shared statement (core/db/group-batcher.ts), on its own: calls made in one turn share a
// batch, and a failed batch is run again one call at a time in the order the calls came, so only the call at fault
// fails and two calls on one row (two notes on a process) keep their order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupBatcher } from '../../core/db/group-batcher.ts';

const fault = (message: string) => Object.assign(new Error(message), { code: '23505' });

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
});
