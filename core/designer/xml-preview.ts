// The mapping page's live preview: the XML the draft's mapping builds from sample answers generated from the DRAFT
// definition, validated against its XSD (the same build and check as delivery and the admin API's xml-preview), each
// XSD error tied to the mapping row at fault so the page can link to it.
import type { Field, ServiceDefinition } from '../services/index.ts';
import { sampleAnswers, sampleDocuments } from '../services/sample-answers.ts';
import { answerProblems, compileMapping, mappingQuestions, renderXml, XmlMappingError, type ElementSpec } from '../xml/index.ts';
import type { DraftDefinition } from './drafts.ts';
import type { DraftMapping } from './xml-mapping-rows.ts';

export interface PreviewError {
  message: string;
  line: number | null;
  /** The tree path of the row at fault ("Case/Channel"), when one can be named. */
  path: string | null;
}

export interface XmlPreview {
  xml: string | null;
  valid: boolean;
  errors: PreviewError[];
}

export function previewXml(definition: DraftDefinition, mapping: DraftMapping, xsdDir: string, xsd: string): XmlPreview {
  if (!mapping.children.length) return { xml: null, valid: false, errors: [{ message: 'No element is mapped yet', line: null, path: null }] };
  let answers: Record<string, unknown>;
  let documents: ReturnType<typeof sampleDocuments>;
  try {
    // A draft's questions may be incomplete (a choice with no options yet): samples come from those that can give one.
    const def = definition as unknown as ServiceDefinition;
    answers = sampleAnswers({ ...def, fields: def.fields.filter(usable) });
    documents = sampleDocuments({ ...def, fields: def.fields.filter(usable) });
  } catch {
    answers = {};
    documents = [];
  }
  try {
    const result = renderXml(compileMapping(mapping), xsdDir, xsd, {
      process: {
        id: '00000000-0000-4000-8000-000000000000',
        reference: `${definition.referencePrefix || 'REF'}-ABCD2345`,
        serviceId: definition.id,
        serviceVersion: 1,
        submittedAt: '2026-01-15T10:00:00.000Z',
      },
      answers,
      documents,
    });
    const lines = elementPathsByLine(result.xml);
    // Answers the draft's questions cannot give (a content page's, an item that is not a question of the list repeated
    // for): the XML is still shown, with each such row named as a problem.
    const unanswerable = answerProblems(mapping, mappingQuestions(definition.fields.filter(usable))).map((p) => ({
      message: p.message,
      line: null,
      path: mappingRowPath(mapping, p.path),
    }));
    return {
      xml: result.xml,
      valid: result.valid && !unanswerable.length,
      errors: [
        ...unanswerable,
        ...result.errors.map((e) => ({
          message: plainXsdMessage(e.message),
          line: e.line,
          path: rowAtFault(e.message, e.line ? lines[e.line] : undefined),
        })),
      ],
    };
  } catch (err) {
    if (err instanceof XmlMappingError) return { xml: null, valid: false, errors: [{ message: err.message, line: null, path: null }] };
    return { xml: null, valid: false, errors: [{ message: (err as Error).message, line: null, path: null }] };
  }
}

/** A mapping path ("children.1.children.0.value.item") as the editor's row path ("Affected/Name"). */
export function mappingRowPath(mapping: Pick<DraftMapping, 'children'>, path: string): string | null {
  const parts = path.split('.');
  const names: string[] = [];
  let children: ElementSpec[] | undefined = mapping.children;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === 'attributes') return [...names, `@${localName(parts[i + 1] ?? '')}`].join('/');
    if (parts[i] !== 'children') break;
    const spec: ElementSpec | undefined = children?.[Number(parts[++i])];
    if (!spec) return null;
    names.push(localName(spec.element));
    children = spec.children;
  }
  return names.length ? names.join('/') : null;
}

function localName(name: string): string {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
}

function usable(field: unknown): field is { id: string; type: string } {
  const f = field as Partial<Field> & { options?: unknown[]; accept?: unknown[] };
  if (!f || typeof f.id !== 'string' || typeof f.type !== 'string') return false;
  if (['select', 'radios', 'checkboxes'].includes(f.type) && !f.options?.length) return false;
  if (f.type === 'file' && !f.accept?.length) return false;
  return true;
}

/** For each line of the built XML (1-based), the tree path of the element that starts on it ("" for the root). */
function elementPathsByLine(xml: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  const stack: string[] = [];
  let depth = -1;
  xml.split('\n').forEach((text, i) => {
    const line = i + 1;
    const open = /^\s*<([A-Za-z_][\w.:-]*)/.exec(text);
    const close = /^\s*<\/([A-Za-z_][\w.:-]*)>\s*$/.exec(text);
    if (close) {
      stack.pop();
      depth--;
      return;
    }
    if (!open || text.trimStart().startsWith('<?')) return;
    const name = open[1]!.includes(':') ? open[1]!.split(':')[1]! : open[1]!;
    depth++;
    if (depth === 0) {
      out[line] = '';
      stack.push('');
    } else {
      const path = [...stack.slice(1), name].join('/');
      out[line] = path;
      stack.push(name);
    }
    // A leaf (<X>text</X>) or an empty element (<X/>) closes on its own line.
    if (/<\/[^>]+>\s*$/.test(text) || /\/>\s*$/.test(text)) {
      stack.pop();
      depth--;
    }
  });
  return out;
}

/** The row to fix: a missing child named in "Expected is ( X )", else the element the error is about. */
function rowAtFault(message: string, elementPath: string | undefined): string | null {
  if (elementPath === undefined) return null;
  const expected = /Expected is(?: one of)? \( ?(?:\{[^}]*\})?([A-Za-z_][\w.-]*)/.exec(message)?.[1];
  const join = (parent: string, name: string) => (parent ? `${parent}/${name}` : name);
  const attribute = /The attribute '([A-Za-z_][\w.:-]*)' is required but missing/.exec(message)?.[1];
  if (attribute) return join(elementPath, `@${attribute}`);
  if (expected && /Missing child element/.test(message)) return join(elementPath, expected);
  if (expected && /This element is not expected/.test(message)) return join(elementPath.split('/').slice(0, -1).join('/'), expected);
  return elementPath || null;
}

/** libxml2's message without the namespace braces: "Element 'Size': … not an element of the set {'A', 'B'}." */
function plainXsdMessage(message: string): string {
  return message.replace(/\{[^}'\s]*\}/g, '').trim();
}
