// A copy of config/ as a shared hub: a second council, Neighbour Borough ("north", with its boundary), and one of the
// example council's services shared with a copy of it that council north owns (`routeByBoundary`).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SharedHubConfig {
  configFile: string;
  remove(): Promise<void>;
}

export async function sharedHubConfig(options: {
  /** The example council's service, shared with council north's copy. */
  service: string;
  referencePrefix: string;
  /** The copy's id and reference prefix. */
  northService: string;
  northPrefix: string;
  /** More YAML under council north's `boundary:` (its neighbours), indented as there. */
  northBoundaryExtra?: string;
}): Promise<SharedHubConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'closeloop-shared-hub-'));
  await cp('config', dir, { recursive: true });
  const configFile = join(dir, 'closeloop.yaml');
  await writeFile(
    configFile,
    `${await readFile(configFile, 'utf8')}
councils:
  north:
    name: Neighbour Borough Council
    boundary:
      file: boundaries/neighbour-borough.geojson
${options.northBoundaryExtra ?? ''}`,
  );
  const file = join(dir, 'services', `${options.service}.yaml`);
  const yaml = await readFile(file, 'utf8');
  await writeFile(file, `${yaml}\nrouteByBoundary: [${options.northService}]\n`);
  const copy = yaml
    .replace(new RegExp(`^id: ${options.service}$`, 'm'), `id: ${options.northService}`)
    .replace(new RegExp(`^referencePrefix: ${options.referencePrefix}$`, 'm'), `referencePrefix: ${options.northPrefix}`);
  await writeFile(join(dir, 'services', `${options.northService}.yaml`), `${copy}\ncouncil: north\n`);
  return { configFile, remove: () => rm(dir, { recursive: true, force: true }) };
}
