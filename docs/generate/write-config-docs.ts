// `npm run docs:config`: writes docs/configuration.md from the configuration schemas (`--check`: only says whether the
// committed file is current, exit 1 if not).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configurationReference } from './config-reference.ts';

const target = fileURLToPath(new URL('../configuration.md', import.meta.url));
const text = await configurationReference();
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    console.error('docs/configuration.md is out of date: run npm run docs:config');
    process.exit(1);
  }
  console.log('docs/configuration.md is current');
} else {
  await writeFile(target, text);
  console.log(`wrote ${target}`);
}
