#!/usr/bin/env node
// Package bin: runs the TypeScript CLI through tsx (no build step). The hub's tsconfig is named, whatever the working
// folder: its `paths` map @closeloop/sdk to packages/sdk/src.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('./cli.ts');
