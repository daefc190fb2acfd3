// check-config's XML step: every service's mapping must compile, read only answers the service has (no content or exit
// page's, a list's questions only inside an element repeated for it) and, filled with sample answers (a list's items and
// money included), produce XML its XSD accepts.
import type { ConfigProblem } from '../config/index.ts';
import { compileMapping, mappingQuestions, renderXml, XmlMappingError } from '../xml/index.ts';
import type { LoadedService } from './load-files.ts';
import { sampleAnswers, sampleDocuments } from './sample-answers.ts';

export function checkServiceXml(service: LoadedService, xsdDir: string): ConfigProblem[] {
  const def = service.definition;
  if (!def.xml) {
    return def.bindings.length
      ? [
          {
            file: service.file,
            line: service.lineOf(['bindings']),
            path: 'bindings',
            message: 'a service with bindings needs an xml section (xsd and mapping)',
          },
        ]
      : [];
  }
  const at = (path: (string | number)[], message: string): ConfigProblem => ({ file: service.file, line: service.lineOf(path), path: path.join('.'), message });
  try {
    const mapping = compileMapping(def.xml.mapping, mappingQuestions(def.fields));
    const result = renderXml(mapping, xsdDir, def.xml.xsd, {
      process: {
        id: '00000000-0000-4000-8000-000000000000',
        reference: `${def.referencePrefix}-ABCD2345`,
        serviceId: def.id,
        serviceVersion: 1,
        submittedAt: '2026-01-15T10:00:00.000Z',
      },
      answers: sampleAnswers(def),
      documents: sampleDocuments(def),
    });
    return result.errors.map((e) =>
      at(['xml', 'mapping'], `sample XML fails ${def.xml!.xsd} at line ${e.line ?? '?'}${e.element ? ` <${e.element}>` : ''}: ${e.message}`),
    );
  } catch (err) {
    if (err instanceof XmlMappingError) {
      if (err.issues.length) return err.issues.map((i) => at(['xml', 'mapping', ...pathOf(i.path)], i.message));
      return [at(['xml', 'mapping', ...err.path.split('.').slice(1)], err.message)];
    }
    return [at(['xml', 'xsd'], (err as Error).message)];
  }
}

/** "children.0.value.item" → ['children', 0, 'value', 'item'] (list indices as numbers, as the YAML's lines are found). */
function pathOf(path: string): (string | number)[] {
  return path
    .split('.')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
