// Reads a YAML file keeping node positions, so validation problems can name the line they are on.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { ZodError } from 'zod';
import type { ConfigProblem } from './errors.ts';

export interface YamlSource {
  file: string;
  data: unknown;
  /** Line (1-based) of the node at a path, or of its nearest existing ancestor. */
  lineOf(path: readonly PropertyKey[]): number | null;
  /** YAML syntax problems; data is unusable when there are any. */
  syntaxProblems: ConfigProblem[];
}

export function readYamlFile(file: string, text = readFileSync(file, 'utf8')): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems: ConfigProblem[] = doc.errors.map((e) => ({
    file,
    line: e.linePos?.[0]?.line ?? null,
    path: '',
    message: e.message.split('\n')[0] ?? e.message,
  }));
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  return { file, data: syntaxProblems.length ? undefined : doc.toJS(), lineOf, syntaxProblems };
}

/** Turns zod issues into located config problems. `prefix` is where the validated value sits in the file. */
export function problemsFromZod(source: YamlSource, error: ZodError, prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    return {
      file: source.file,
      line: source.lineOf(path),
      path: path.map(String).join('.'),
      message: issue.message,
    };
  });
}
