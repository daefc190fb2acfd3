// The worker role commits without waiting for the WAL to reach disk (everything it writes can be written again after
// a Postgres crash: core/hub.ts says why); the serve role, and `start` (both roles on one pool), wait as before. Issue
// 21: the worker's outbox commits queued behind each other's fsyncs and made the note → e-mail tail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHub, type Hub } from '../../core/hub.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe("the roles' commits", () => {
  let t: TestHub;
  const opened: Hub[] = [];
  before(async () => {
    t = await startTestHub({ configFile: 'test/fixtures/config/closeloop.yaml' });
  });
  after(async () => {
    for (const hub of opened) await hub.close();
    await t?.close();
  });

  async function settingsOf(role: string): Promise<{ synchronous_commit: string; jit: string }> {
    const hub = await openHub(t.config, { role });
    opened.push(hub);
    const [row] = await hub.db.rows<{ synchronous_commit: string; jit: string }>(
      "select current_setting('synchronous_commit') as synchronous_commit, current_setting('jit') as jit",
    );
    return row!;
  }

  test('the worker role commits asynchronously; serve and start wait for the disk; none uses the JIT', async () => {
    assert.deepEqual(await settingsOf('worker'), { synchronous_commit: 'off', jit: 'off' });
    assert.deepEqual(await settingsOf('serve'), { synchronous_commit: 'on', jit: 'off' });
    assert.deepEqual(await settingsOf('start'), { synchronous_commit: 'on', jit: 'off' });
  });

  test("a worker's asynchronous commit is seen at once by the other roles", async () => {
    const worker = await openHub(t.config, { role: 'worker' });
    opened.push(worker);
    await worker.db.run('create table async_seen (n int)');
    await worker.db.run('insert into async_seen values (1)');
    assert.deepEqual(await t.hub.db.rows('select n from async_seen'), [{ n: 1 }]);
  });
});
