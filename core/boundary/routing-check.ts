// `routeByBoundary` checked at start (and by check-config): each service named is one of this hub's, offered by
// another council, and every council involved has a boundary to route by.
import type { Config, ConfigProblem } from '../config/index.ts';
import type { LoadedService } from '../services/index.ts';
import type { Boundaries } from './boundaries.ts';

export function routingProblems(config: Config, services: readonly LoadedService[], boundaries: Boundaries): ConfigProblem[] {
  const councilOf = new Map(services.map((s) => [s.definition.id, s.definition.council ?? config.council.id]));
  const problems: ConfigProblem[] = [];
  for (const s of services) {
    const shared = s.definition.routeByBoundary;
    if (!shared) continue;
    const own = councilOf.get(s.definition.id)!;
    const problem = (path: (string | number)[], message: string) => problems.push({ file: s.file, line: s.lineOf(path), path: path.join('.'), message });
    if (!boundaries.has(own)) problem(['routeByBoundary'], `this service's council "${own}" has no boundary in closeloop.yaml to route by`);
    shared.forEach((id, i) => {
      const council = councilOf.get(id);
      if (council === undefined) problem(['routeByBoundary', i], `"${id}" is not a service of this hub`);
      else if (council === own) problem(['routeByBoundary', i], `"${id}" belongs to this service's own council "${own}": name other councils' services`);
      else if (!boundaries.has(council)) problem(['routeByBoundary', i], `"${id}"'s council "${council}" has no boundary in closeloop.yaml to route by`);
    });
  }
  return problems;
}
