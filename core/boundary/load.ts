// Loads every council's boundary (and its neighbours') named in closeloop.yaml, once at hub start. A problem names the
// config file, line and field, the GeoJSON file, and the feature and coordinate at fault.
import { resolve } from 'node:path';
import { readYamlFile, type Config, type ConfigProblem } from '../config/index.ts';
import { Boundaries, type CouncilBoundary } from './boundaries.ts';
import { BoundaryFileError, readBoundaryFile, type Area } from './geojson.ts';

/** Every council's boundary, or the problems found (all of them, not only the first). */
export function loadBoundaries(config: Config): { boundaries: Boundaries; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const byCouncil = new Map<string, CouncilBoundary>();
  let lineOf: ((path: (string | number)[]) => number | null) | undefined;
  const read = (at: (string | number)[], file: string): Area | undefined => {
    try {
      return readBoundaryFile(resolve(config.dir, file));
    } catch (err) {
      if (!(err instanceof BoundaryFileError)) throw err;
      lineOf ??= lineFinder(config);
      const where = err.at ? `${file}, ${err.at}` : file;
      problems.push({ file: config.file, line: lineOf(at), path: at.join('.'), message: `${where}: ${err.message}` });
      return undefined;
    }
  };
  const councils: [string, (string | number)[], Config['council']['boundary']][] = [
    [config.council.id, ['council'], config.council.boundary],
    ...Object.entries(config.councils).map(([id, c]): [string, (string | number)[], Config['council']['boundary']] => [id, ['councils', id], c.boundary]),
  ];
  for (const [id, at, boundary] of councils) {
    if (!boundary) continue;
    const area = read([...at, 'boundary', 'file'], boundary.file);
    const neighbours = boundary.neighbours.map((n, i) => {
      const theirs = n.boundary === undefined ? undefined : read([...at, 'boundary', 'neighbours', i, 'boundary'], n.boundary);
      return { name: n.name, url: n.url, ...(theirs ? { area: theirs } : {}) };
    });
    if (area) byCouncil.set(id, { area, neighbours });
  }
  return { boundaries: new Boundaries(byCouncil), problems };
}

function lineFinder(config: Config): (path: (string | number)[]) => number | null {
  try {
    return readYamlFile(config.file).lineOf;
  } catch {
    return () => null;
  }
}
