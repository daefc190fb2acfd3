// Reads every config/services/*.yaml, validating each against the definition schema and the hub's config.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { problemsFromZod, readYamlFile, type ConfigProblem } from '../config/index.ts';
import { parseUploadedXsdPath, uploadedXsdExists, xsdFolderName } from '../xml/index.ts';
import { serviceDefinitionSchema, type ServiceDefinition } from './definition.ts';
import { patternProblem } from './pattern.ts';

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
  /** Council ids, the hub's own first, and which council owns each binding (absent: shared). */
  councils?: { ids: string[]; defaultId: string; bindingOwners: Map<string, string | undefined> };
  channels: Set<string>;
  xsdDir: string;
  /** closeloop.yaml's serviceBindings: replaces the bindings a definition names. */
  serviceBindings?: Record<string, string[]>;
  /** The config file, to name it in problems about serviceBindings. */
  configFile?: string;
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
    const override = context.serviceBindings?.[def.id];
    if (override) def.bindings = [...override];
    const at = (path: PropertyKey[], message: string) => problems.push({ file, line: source.lineOf(path), path: path.join('.'), message });
    const expectedId = basename(file).replace(/\.ya?ml$/, '');
    if (def.id !== expectedId) at(['id'], `must match the file name ("${expectedId}")`);
    const other = seenPrefixes.get(def.referencePrefix);
    if (other) at(['referencePrefix'], `"${def.referencePrefix}" is already used by ${other}`);
    seenPrefixes.set(def.referencePrefix, def.id);
    for (const p of definitionProblems(def, context)) at(p.path, p.message);
    services.push({ file, definition: def, lineOf: source.lineOf });
  }
  for (const id of Object.keys(context.serviceBindings ?? {})) {
    if (!services.some((s) => s.definition.id === id)) {
      problems.push({ file: context.configFile ?? 'closeloop.yaml', line: null, path: `serviceBindings.${id}`, message: `no service "${id}" in ${dir}` });
    }
  }
  return { services, problems };
}

/** Checks a definition against the hub's config (its bindings, channel and XSD exist) and that RE2 can run its patterns. */
export function definitionProblems(def: ServiceDefinition, context: ServiceFileContext): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const councils = context.councils;
  const council = def.council ?? councils?.defaultId;
  if (councils && def.council && !councils.ids.includes(def.council))
    problems.push({ path: ['council'], message: `no council "${def.council}" in closeloop.yaml (known: ${councils.ids.join(', ')})` });
  def.bindings.forEach((b, i) => {
    if (!context.bindings.has(b)) problems.push({ path: ['bindings', i], message: `binding "${b}" is not configured in closeloop.yaml` });
    const owner = councils?.bindingOwners.get(b);
    if (owner && owner !== council)
      problems.push({ path: ['bindings', i], message: `binding "${b}" belongs to council "${owner}", not to this service's council "${council}"` });
  });
  if (def.notify.channel && !context.channels.has(def.notify.channel)) {
    problems.push({ path: ['notify', 'channel'], message: `channel "${def.notify.channel}" is not configured in closeloop.yaml` });
  }
  def.fields.forEach((f, i) => {
    const problem = 'pattern' in f && f.pattern !== undefined ? patternProblem(f.pattern) : null;
    if (problem) problems.push({ path: ['fields', i, 'pattern'], message: problem });
  });
  const uploaded = def.xml ? parseUploadedXsdPath(def.xml.xsd) : null;
  if (def.xml && uploaded) {
    // An XSD uploaded in the staff console (Postgres, materialised by every process): the service's own council's only.
    if (council !== undefined && uploaded.council !== council)
      problems.push({ path: ['xml', 'xsd'], message: `${def.xml.xsd} was uploaded by another council; use one of this council's XSDs` });
    else if (!uploadedXsdExists(def.xml.xsd))
      problems.push({ path: ['xml', 'xsd'], message: `no XSD ${uploaded.name} has been uploaded for council ${uploaded.council}` });
  } else if (def.xml) {
    const xsd = resolve(context.xsdDir, def.xml.xsd);
    if (!xsd.startsWith(context.xsdDir + sep)) problems.push({ path: ['xml', 'xsd'], message: 'must name a file inside the XSD folder' });
    else if (!existsSync(xsd))
      problems.push({ path: ['xml', 'xsd'], message: `XSD file ${def.xml.xsd} not found in ${xsdFolderName(context.xsdDir)} (the XSD folder)` });
  }
  return problems;
}

/** The council facts definitionProblems checks a service against, from closeloop.yaml. */
export function councilContext(config: {
  council: { id: string };
  councils: Record<string, unknown>;
  bindings: Record<string, { council?: string }>;
}): NonNullable<ServiceFileContext['councils']> {
  return {
    ids: [config.council.id, ...Object.keys(config.councils)],
    defaultId: config.council.id,
    bindingOwners: new Map(Object.entries(config.bindings).map(([name, b]) => [name, b.council])),
  };
}
