// Issue 15: .ci/folder-cycles.mjs (npm run lint:cycles) fails on a cycle between core/'s parts — its folders and its
// top-level files — and names the imports that close it. Each case runs it on a small core/ written in a temp folder.
import { after, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const SCRIPT = resolve('.ci/folder-cycles.mjs');
const dirs: string[] = [];

// In a describe of its own: with the suite's --test-isolation=none, a file's top-level hooks would run for every file.
describe('lint/folder-cycles', () => {
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** Writes `files` (path → source) under a fresh folder and runs the check there. */
  async function check(files: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'closeloop-cycles-'));
    dirs.push(dir);
    const all = { 'tsconfig.json': '{ "compilerOptions": { "module": "NodeNext", "allowImportingTsExtensions": true, "noEmit": true } }', ...files };
    for (const [path, text] of Object.entries(all)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return promisify(execFile)(process.execPath, [SCRIPT], { cwd: dir }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
  }

  test('folders that use each other only one way pass, whatever their sub-folders do among themselves', async () => {
    const result = await check({
      'core/delivery/deliver.ts':
        "import { backoff } from '../jobs/backoff.ts';\nimport { kind } from './sql/kind.ts';\nexport const deliver = backoff + kind;\n",
      'core/delivery/sql/kind.ts': "import { base } from '../base.ts';\nexport const kind = base;\n",
      'core/delivery/base.ts': 'export const base = 1;\n',
      'core/jobs/backoff.ts': 'export const backoff = 1;\n',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /No cycle between the parts of core\//);
  });

  test('two folders importing each other fail, with the imports named (type-only ones too)', async () => {
    const result = await check({
      'core/notify/send.ts': "import type { Backoff } from '../delivery/backoff.ts';\nexport const send = (b: Backoff) => b;\n",
      'core/delivery/backoff.ts': "import { send } from '../notify/send.ts';\nexport type Backoff = number;\nexport const use = send;\n",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cycle between core\/delivery, core\/notify:/);
    assert.match(result.stderr, /core\/delivery → core\/notify:\n {4}core\/delivery\/backoff\.ts → core\/notify\/send\.ts\n/);
    assert.match(result.stderr, /core\/notify\/send\.ts → core\/delivery\/backoff\.ts \(type only\)/);
  });

  test("a cycle through one of core/'s top-level files fails", async () => {
    const result = await check({
      'core/hub.ts': "import { Registry } from './plugins/registry.ts';\nexport const hub = new Registry();\n",
      'core/plugins/registry.ts': 'export class Registry {}\n',
      'core/plugins/bindings.ts': "import type { hub } from '../hub.ts';\nexport type Bindings = typeof hub;\n",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cycle between core\/hub\.ts, core\/plugins:/);
  });
});
