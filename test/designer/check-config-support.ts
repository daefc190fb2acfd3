// "Every definition the console can produce passes `closeloop check-config`": a definition made in the designer is
// written as a service file into a copy of the hub's config folder and the real CLI checks the copy. An uploaded XSD
// (kept in Postgres) is written into the copy's XSD folder under its own name, as a council keeping its services in
// files would.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { TestHub } from '../helpers/hub.ts';
import { loadXsd } from '../../core/xml/index.ts';

export async function checkConfigWith(t: TestHub, definition: { id: string; xml?: { xsd: string } }): Promise<{ code: number; out: string }> {
  const folder = mkdtempSync(join(tmpdir(), 'closeloop-check-'));
  try {
    cpSync(dirname(t.configFile), folder, { recursive: true });
    const service = structuredClone(definition);
    if (service.xml) {
      const name = basename(service.xml.xsd);
      writeFileSync(
        join(folder, t.config.paths.xsd.slice(dirname(t.configFile).length + 1), name),
        readFileSync(loadXsd(t.config.paths.xsd, service.xml.xsd).file),
      );
      service.xml.xsd = name;
    }
    const servicesDir = join(folder, t.config.paths.services.slice(dirname(t.configFile).length + 1));
    writeFileSync(join(servicesDir, `${service.id}.yaml`), stringify(service));
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'check-config', '--config', join(folder, basename(t.configFile))], {
        env: { ...process.env, ...t.env },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code: code ?? -1, out }));
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
