// What the catalogue tests share: the library's services in the order the home page, the API and the CLI list them
// (worked out here from SERVICE_CATEGORIES, not with the hub's own grouping code), and a two-council config folder.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadServiceFiles, SERVICE_CATEGORIES, type ServiceDefinition } from '../../core/services/index.ts';

export const library: ServiceDefinition[] = loadServiceFiles('config/services', {
  bindings: new Set(['sandbox']),
  channels: new Set(['email']),
  xsdDir: resolve('config/xsd'),
}).services.map((s) => s.definition);

/** [heading, service ids A–Z by title] in catalogue order; the services without a category last, as "Other services". */
export function expectedSections(defs: ServiceDefinition[]): [string, string[]][] {
  const az = (list: ServiceDefinition[]) => list.sort((a, b) => a.title.localeCompare(b.title, 'en-GB')).map((d) => d.id);
  const sections: [string, string[]][] = Object.entries(SERVICE_CATEGORIES).map(([id, label]) => [label, az(defs.filter((d) => d.category === id))]);
  sections.push(['Other services', az(defs.filter((d) => d.category === undefined))]);
  return sections.filter(([, ids]) => ids.length);
}

/**
 * The fixture's two councils (South owns "noise", North "pests"), in a folder of their own: noise given a category,
 * pests none (so North's services are "Other services"), and a second South service without a category.
 */
export function twoCouncilConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-catalogue-'));
  cpSync('test/fixtures/councils', dir, { recursive: true });
  const file = join(dir, 'closeloop.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('xsdDir: ../config/xsd', `xsdDir: ${resolve('test/fixtures/config/xsd')}`));
  const noise = readFileSync(join(dir, 'services', 'noise.yaml'), 'utf8');
  writeFileSync(join(dir, 'services', 'noise.yaml'), noise.replace('referencePrefix: NOI', 'referencePrefix: NOI\ncategory: noise-and-nuisance'));
  writeFileSync(
    join(dir, 'services', 'barking.yaml'),
    noise
      .replace('id: noise', 'id: barking')
      .replace('title: Report a noise problem', 'title: Barking dogs')
      .replace('referencePrefix: NOI', 'referencePrefix: BRK'),
  );
  return file;
}
