// `closeloop check-config`: every problem in config, service definitions, bindings and XML mappings, with file, line and field.
import { ConfigError, formatProblem, loadConfig, type Config, type ConfigProblem } from './config/index.ts';
import { councilContext, loadServiceFiles, type LoadedService } from './services/index.ts';
import { checkServiceXml } from './services/check-xml.ts';
import { checkBindings } from './plugins/check-bindings.ts';
import { Registry } from './plugins/registry.ts';
import { addressConfigProblems } from './address/index.ts';
import { loadBoundaries, routingProblems } from './boundary/index.ts';

/** `connect`: also run each connector's check() against its back office (after every static check has passed). */
export async function checkConfig(file: string, out: NodeJS.WritableStream = process.stdout, options: { connect?: boolean } = {}): Promise<number> {
  const problems: ConfigProblem[] = [];
  let config: Config | null = null;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  let services: LoadedService[] = [];
  if (config) {
    const loaded = loadServiceFiles(config.paths.services, {
      bindings: new Set(Object.keys(config.bindings)),
      channels: new Set(Object.keys(config.channels)),
      xsdDir: config.paths.xsd,
      serviceBindings: config.serviceBindings,
      councils: councilContext(config),
      configFile: config.file,
    });
    problems.push(...loaded.problems);
    services = loaded.services;
    // A service whose XSD is already reported missing or outside the XSD folder gets no second problem from trying it.
    const badXsd = new Set(loaded.problems.filter((p) => p.path === 'xml.xsd').map((p) => p.file));
    for (const s of services) if (!badXsd.has(s.file)) problems.push(...checkServiceXml(s, config.paths.xsd));
    problems.push(...(await checkBindings(config, { connect: options.connect && problems.length === 0 })));
    const registry = new Registry();
    // A plugin that does not load is already reported (plugins:); the councils' providers are checked with the rest.
    await registry.loadPlugins(config.plugins, config.dir).catch(() => {});
    problems.push(...(await addressConfigProblems(config, registry)));
    const { boundaries, problems: boundaryProblems } = loadBoundaries(config);
    problems.push(...boundaryProblems, ...routingProblems(config, services, boundaries));
  }
  if (problems.length) {
    out.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n`);
    for (const p of problems) out.write(`  ${formatProblem(p)}\n`);
    return 1;
  }
  out.write(
    `Config OK: ${config!.file}; ${services.length} services; ${Object.keys(config!.bindings).length} bindings; ${Object.keys(config!.channels).length} channels${options.connect ? '; every back office answered its check' : ''}.\n`,
  );
  return 0;
}
