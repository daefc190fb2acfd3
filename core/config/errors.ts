// Config problems carry where they are (file, line, field path) so an admin can fix them without reading code.

export interface ConfigProblem {
  file: string;
  line: number | null;
  /** Dotted field path, e.g. "fields.3.options". */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}`;
  return `${where}: ${p.path || '(root)'}: ${p.message}`;
}
