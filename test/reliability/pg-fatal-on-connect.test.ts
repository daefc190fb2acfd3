// Regression (found by the chaos suite): Postgres shutting down while a pooled connection is being made used to kill
// the process. pg parsed ReadyForQuery and the server's FATAL in one chunk, calling back and emitting 'error' before
// the pool had attached its listener. A stand-in server sends exactly that; the query must fail, the process live on.
import { after, before, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { connectDatabase } from '../../core/db/index.ts';

function message(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), len, body]);
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

// AuthenticationOk, ReadyForQuery, then FATAL 57P01 "terminating connection due to administrator command": one write.
const BURST = Buffer.concat([
  message('R', int32(0)),
  message('Z', Buffer.from('I')),
  message(
    'E',
    Buffer.concat([
      Buffer.from('SFATAL\0'),
      Buffer.from('VFATAL\0'),
      Buffer.from('C57P01\0'),
      Buffer.from('Mterminating connection due to administrator command\0'),
      Buffer.from('\0'),
    ]),
  ),
]);

let server: net.Server;
// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('reliability/pg-fatal-on-connect', () => {
  before(async () => {
    server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(BURST);
        socket.end();
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('a FATAL right after ReadyForQuery fails the query and leaves the process running', async () => {
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    const db = connectDatabase({ url: `postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/none`, poolMax: 2 });
    try {
      for (let i = 0; i < 3; i++) await assert.rejects(db.run('select 1'));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        uncaught.map((e) => e.message),
        [],
        'no error escaped as an unhandled event',
      );
    } finally {
      process.off('uncaughtException', onUncaught);
      await db.close().catch(() => {});
    }
  });
});
