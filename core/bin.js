#!/usr/bin/env node
// Package bin: runs the compiled CLI (dist/, made by `npm run build`); tsx is for development and tests only.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/core/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('closeloop: dist/ is missing: run `npm run build` first (`npm start` builds by itself)\n');
  process.exit(1);
}
await import(cli.href);
