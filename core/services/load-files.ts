// Reads every config/services/*.yaml, validating each against the definition schema and the hub's config.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { problemsFromZod, readYamlFile, type ConfigProblem } from '../config/index.ts';
import { serviceDefinitionSchema, type ServiceDefinition } from './definition.ts';

export interface LoadedService {
  file: string;
  definition: ServiceDefinition;
  /** Line of a path in the service's file, for later checks (XML mapping) to report. */
  lineOf(path: readonly PropertyKey[]): number | null;
}

export interface ServiceFilesResult {
  services: LoadedService[];
  problems: ConfigProblem[];
}

export interface ServiceFileContext {
  /** Binding names configured in closeloop.yaml. */
  bindings: Set<string>;
  channels: Set<string>;
  xsdDir: string;
}

export function loadServiceFiles(dir: string, context: ServiceFileContext): ServiceFilesResult {
  const problems: ConfigProblem[] = [];
  const services: LoadedService[] = [];
  if (!existsSync(dir)) return { services, problems: [{ file: dir, line: null, path: '', message: 'services folder not found' }] };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
  const seenPrefixes = new Map<string, string>();
  for (const file of files) {
    const source = readYamlFile(file);
    if (source.syntaxProblems.length) {
      problems.push(...source.syntaxProblems);
      continue;
    }
    const parsed = serviceDefinitionSchema.safeParse(source.data);
    if (!parsed.success) {
      problems.push(...problemsFromZod(source, parsed.error));
      continue;
    }
    const def = parsed.data;
    const at = (path: PropertyKey[], message: string) =>
      problems.push({ file, line: source.lineOf(path), path: path.join('.'), message });
    const expectedId = basename(file).replace(/\.ya?ml$/, '');
    if (def.id !== expectedId) at(['id'], `must match the file name ("${expectedId}")`);
    const other = seenPrefixes.get(def.referencePrefix);
    if (other) at(['referencePrefix'], `"${def.referencePrefix}" is already used by ${other}`);
    seenPrefixes.set(def.referencePrefix, def.id);
    def.bindings.forEach((b, i) => {
      if (!context.bindings.has(b)) at(['bindings', i], `binding "${b}" is not configured in closeloop.yaml`);
    });
    if (def.notify.channel && !context.channels.has(def.notify.channel)) {
      at(['notify', 'channel'], `channel "${def.notify.channel}" is not configured in closeloop.yaml`);
    }
    if (def.xml) {
      const xsd = resolve(context.xsdDir, def.xml.xsd);
      if (!xsd.startsWith(context.xsdDir + sep)) at(['xml', 'xsd'], 'must name a file inside the XSD folder');
      else if (!existsSync(xsd)) at(['xml', 'xsd'], `XSD file ${def.xml.xsd} not found in ${context.xsdDir}`);
    }
    services.push({ file, definition: def, lineOf: source.lineOf });
  }
  return { services, problems };
}
