// Everything that must hold before a definition may be published — config references (bindings, channels, councils),
// a reference prefix no other service uses, the XML mapping and its XSD together. One list, used by the admin API's
// publish and by the staff console's designer, so both refuse the same things with the same words.
import type { Config } from '../config/index.ts';
import type { FieldError } from '../errors.ts';
import { councilContext, definitionProblems, type ServiceCatalogue, type ServiceDefinition } from '../services/index.ts';
import { checkServiceXml } from '../services/check-xml.ts';

export function publishProblems(config: Config, catalogue: ServiceCatalogue, def: ServiceDefinition): FieldError[] {
  const context = {
    bindings: new Set(Object.keys(config.bindings)),
    channels: new Set(Object.keys(config.channels)),
    xsdDir: config.paths.xsd,
    councils: councilContext(config),
  };
  const problems = definitionProblems(def, context).map((p) => ({ field: p.path.join('.'), message: p.message }));
  if (problems.length) return problems;
  problems.push(...unreachableExits(def));
  const clash = catalogue.list().find((s) => s.serviceId !== def.id && s.definition.referencePrefix === def.referencePrefix);
  if (clash) problems.push({ field: 'referencePrefix', message: `"${def.referencePrefix}" is already used by ${clash.serviceId}` });
  for (const p of checkServiceXml({ file: 'admin-api', definition: def, lineOf: () => null }, config.paths.xsd))
    problems.push({ field: p.path, message: p.message });
  return problems;
}

/**
 * An exit page without a condition is reached only by an answer's "go to" (the form never falls through to it): one
 * that no answer leads to is a page no citizen can see, most likely a "go to" forgotten or removed.
 */
export function unreachableExits(def: Pick<ServiceDefinition, 'fields'>): FieldError[] {
  const targets = new Set(def.fields.flatMap((f) => (f.type === 'radios' || f.type === 'select' ? f.options.map((o) => o.goTo) : [])));
  const problems: FieldError[] = [];
  def.fields.forEach((f, i) => {
    if (f.type !== 'exit' || f.showIf || targets.has(f.page ?? f.id)) return;
    problems.push({
      field: `fields.${i}`,
      message: `The page ‘${f.label}’ is an exit page with no way to reach it: add a ‘go to’ on an answer, or a condition`,
    });
  });
  return problems;
}
