// Issue 15: the import layering in eslint.config.js. Connectors and channels reach the hub only through
// @closeloop/sdk; core/ never imports them (the registry loads them by name); the SDK imports nothing of the hub.
// Each case lints one import as if it were written in a file at that path, with the project's own config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

/** The layering messages ESLint gives for `source` written in the file `filePath` (relative to the project root). */
async function layering(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

test('a connector importing the hub is refused, naming the rule and its folder', async () => {
  const [message, ...rest] = await layering('connectors/webhook/new-file.ts', "import { parseXmlSafely } from '../../core/xml/index.ts';");
  assert.equal(rest.length, 0);
  assert.match(message!, /Unexpected path "\.\.\/\.\.\/core\/xml\/index\.ts"/);
  assert.match(message!, /a connector or channel imports only @closeloop\/sdk, npm packages and files in its own folder \(connectors\/webhook\/\)/);
});

test("a connector importing another connector's file, or the tests' helpers, is refused", async () => {
  assert.equal((await layering('connectors/alloy/new-file.ts', "import { connector } from '../webhook/index.ts';")).length, 1);
  assert.equal((await layering('connectors/alloy/new-file.ts', "import { waitFor } from '../../test/helpers/wait.ts';")).length, 1);
});

test('a channel importing the hub is refused', async () => {
  assert.equal((await layering('plugins/channels/smtp/new-file.ts', "import type { Hub } from '../../../core/hub.ts';")).length, 1);
});

test('a connector may import its own files, npm packages and node built-ins', async () => {
  assert.deepEqual(await layering('connectors/alloy/new-file.ts', "import { alloyConfigSchema } from './config.ts';"), []);
  assert.deepEqual(await layering('connectors/alloy/new-file.ts', "import { z } from 'zod';\nimport { createHash } from 'node:crypto';"), []);
});

test('core/ importing a connector or a channel is refused', async () => {
  assert.equal((await layering('core/delivery/new-file.ts', "import { connector } from '../../connectors/webhook/index.ts';")).length, 1);
  assert.equal((await layering('core/notify/new-file.ts', "import { channel } from '../../plugins/channels/smtp/index.ts';")).length, 1);
});

test('the SDK importing the hub is refused', async () => {
  assert.equal((await layering('packages/sdk/src/new-file.ts', "import { HttpError } from '../../../core/errors.ts';")).length, 1);
});
