// `closeloop services list`, run as operators run it (a separate process) against a test hub's database: the
// published services by category with their prefix, version and bindings; --json; --council; per council when shared.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { loadConfig } from '../../core/config/index.ts';
import { servicesCommand, type ServicesCommandOptions } from '../../core/services-command.ts';
import { SERVICE_CATEGORIES, type ServiceDefinition } from '../../core/services/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { expectedSections, library, twoCouncilConfig } from './support.ts';

const exec = promisify(execFile);

/** The command's own function, as core/cli.ts calls it once it has parsed the arguments (a process costs seconds of
 * start-up; the first listing and the refusals below go through the real command line). */
async function listInProcess(t: TestHub, values: ServicesCommandOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (write(String(chunk)), done()) });
  const config = loadConfig(t.configFile, t.env);
  const code = await servicesCommand(
    config,
    'list',
    values,
    sink((s) => (stdout += s)),
    sink((s) => (stderr += s)),
  );
  return { code, stdout, stderr };
}

async function cli(t: TestHub, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'core/cli.ts', ...args, '--config', t.configFile], { env: t.env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

interface Listing {
  id: string;
  title: string;
  council: string;
  category: string | null;
  categoryLabel: string | null;
  referencePrefix: string;
  version: number;
  bindings: string[];
}

describe('closeloop services list, one council', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t?.close());

  test('prints a heading per category and a line per service: id, title, prefix, version, bindings', async () => {
    // A second published version of one service: the listing shows the version the database has published.
    const noise = t.hub.catalogue.get('noise-complaint').definition;
    const changed: ServiceDefinition = { ...noise, description: `${noise.description} Changed.` };
    const { version } = await t.hub.catalogue.createDraft(changed);
    await t.hub.catalogue.publish('noise-complaint', version);
    assert.equal(version, 2);

    const r = await cli(t, ['services', 'list']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const expected = expectedSections(library).flatMap(([heading, ids]) => [heading, ...ids]);
    assert.deepEqual(
      lines.map((l) => (l.startsWith('  ') ? l.trim().split(/\s+/)[0] : l)),
      expected,
    );
    const noiseLine = lines.find((l) => l.trim().startsWith('noise-complaint '))!;
    assert.match(noiseLine, /^ {2}noise-complaint +Report a noise problem +NOI +v2 +sandbox$/);
    const strayLine = lines.find((l) => l.trim().startsWith('stray-dog '))!;
    assert.match(strayLine, /^ {2}stray-dog +Report a stray dog you have found +SDOG +v1 +sandbox$/);
  });

  test('--json: one object per service in catalogue order', async () => {
    const r = await listInProcess(t, { json: true });
    assert.equal(r.code, 0, r.stderr);
    const { services } = JSON.parse(r.stdout) as { services: Listing[] };
    assert.deepEqual(
      services.map((s) => s.id),
      expectedSections(library).flatMap(([, ids]) => ids),
    );
    for (const s of services) {
      const def = library.find((d) => d.id === s.id)!;
      assert.deepEqual(s, {
        id: def.id,
        title: def.title,
        council: 'default',
        category: def.category,
        categoryLabel: SERVICE_CATEGORIES[def.category!],
        referencePrefix: def.referencePrefix,
        version: s.id === 'noise-complaint' ? 2 : 1,
        bindings: ['sandbox'],
      });
    }
  });

  test('an unknown --council or subcommand is refused with exit code 1', async () => {
    const unknown = await cli(t, ['services', 'list', '--council', 'nowhere']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--council "nowhere" is not a council in .*closeloop\.yaml \(known: default\)/);
    const bad = await cli(t, ['services', 'delete']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Usage: closeloop services list \[--council ID\] \[--json\]/);
  });
});

describe('closeloop services list, two councils', () => {
  let t: TestHub;
  let configFile: string;
  before(async () => {
    configFile = twoCouncilConfig();
    t = await startTestHub({ configFile });
  });
  after(async () => {
    await t?.close();
    rmSync(dirname(configFile), { recursive: true, force: true });
  });

  test('lists each council under its name, by category', async () => {
    const r = await listInProcess(t, {});
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.trimEnd().replace(/ {2,}/g, ' | ')),
      [
        'South Borough Council (south)',
        ' | Noise and nuisance',
        ' | noise | Report a noise problem | NOI | v1 | backoffice',
        ' | Other services',
        ' | barking | Barking dogs | BRK | v1 | backoffice',
        '',
        'North District Council (north)',
        ' | Other services',
        ' | pests | Request pest control | PST | v1 | north-casework',
      ],
    );
  });

  test('--council north --json: that council only', async () => {
    const r = await listInProcess(t, { council: 'north', json: true });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      services: [
        {
          id: 'pests',
          title: 'Request pest control',
          council: 'north',
          category: null,
          categoryLabel: null,
          referencePrefix: 'PST',
          version: 1,
          bindings: ['north-casework'],
        },
      ],
    });
  });
});
