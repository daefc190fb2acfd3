// The library of example services: the definitions shipped with Closeloop in config/services/ (noise, pests, fly-tipping,
// food hygiene), read with the same loader as a hub's own services. A designer starts a new service from one of them.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServiceFiles, type ServiceDefinition } from '../services/index.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** config/services of the installation: next to core/ when run from source, one level up from dist/core when built. */
function libraryFolder(): string | undefined {
  return [resolve(HERE, '..', '..', 'config', 'services'), resolve(HERE, '..', '..', '..', 'config', 'services')].find((dir) => existsSync(dir));
}

export interface LibraryService {
  id: string;
  title: string;
  description?: string;
  definition: ServiceDefinition;
}

let cached: LibraryService[] | null = null;

/** The example services, by title. Problems against this hub's config (its bindings, XSDs) do not matter here: a copy is checked when published. */
export function libraryServices(): LibraryService[] {
  if (cached) return cached;
  const dir = libraryFolder();
  const { services } = dir ? loadServiceFiles(dir, { bindings: new Set(), channels: new Set(), xsdDir: resolve(dir, '..', 'xsd') }) : { services: [] };
  cached = services
    .map((s) => ({ id: s.definition.id, title: s.definition.title, description: s.definition.description, definition: s.definition }))
    .sort((a, b) => a.title.localeCompare(b.title));
  return cached;
}
