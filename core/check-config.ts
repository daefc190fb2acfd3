// `closeloop check-config`: every problem in config, service definitions, bindings and XML mappings, with file, line and field.
import { ConfigError, formatProblem, loadConfig, type Config, type ConfigProblem } from './config/index.ts';
import { loadServiceFiles, type LoadedService } from './services/index.ts';
import { checkServiceXml } from './services/check-xml.ts';
import { checkBindings } from './plugins/check-bindings.ts';

export async function checkConfig(file: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
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
      configFile: config.file,
    });
    problems.push(...loaded.problems);
    services = loaded.services;
    for (const s of services) problems.push(...checkServiceXml(s, config.paths.xsd));
    problems.push(...(await checkBindings(config)));
  }
  if (problems.length) {
    out.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n`);
    for (const p of problems) out.write(`  ${formatProblem(p)}\n`);
    return 1;
  }
  out.write(`Config OK: ${config!.file}; ${services.length} services; ${Object.keys(config!.bindings).length} bindings; ${Object.keys(config!.channels).length} channels.\n`);
  return 0;
}
