// Issue 14, point 17: a test once emptied the shared Redis with FLUSHALL, wiping every other hub, test and developer on
// it whatever their prefix. Nothing in the code or its tests may flush a whole Redis server or database: a test deletes
// its own prefix (test/helpers/redis.ts) or starts a private server (test/chaos/support/redis.ts) and kills it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const SCANNED = ['core', 'connectors', 'plugins', 'test', 'bench', '.ci'];
/** The Redis commands (and ioredis methods) that empty a server or a database, in any case, also as `flushAll`. */
const FLUSH = /flush_?(?:all|db)\b/i;

test('no code or test flushes a whole Redis (only its own prefix, or a private server)', async () => {
  const found: string[] = [];
  for (const dir of SCANNED) {
    for (const file of await filesUnder(join(ROOT, dir))) {
      const path = relative(ROOT, file);
      if (path === SELF) continue;
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (FLUSH.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  assert.deepEqual(found, [], "delete the test hub's own keys with deleteRedisPrefix (test/helpers/redis.ts), or use a private Redis");
});

test('the guard sees the forms a flush is written in', () => {
  for (const line of ['await redis.flushall();', "redis.call('FLUSHDB')", 'await client.flushAll()', 'redis-cli flushdb']) {
    assert.match(line, FLUSH, line);
  }
  assert.doesNotMatch('await queue.flush(); // a batcher', FLUSH);
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await filesUnder(path)));
    else if (e.isFile() && !/\.(png|jpe?g|pdf|mp3|mp4|gz|zip|ico|woff2?)$/i.test(e.name)) files.push(path);
  }
  return files;
}
