// The publish page's list of problems: each of draftProblems' {field, message} said in plain English and linked to the
// designer page where it is fixed — a question's own page, the tasks, messages, XML mapping, binding or settings page.
import type { FieldError } from '../errors.ts';
import type { DraftDefinition } from './drafts.ts';
import type { FieldInput } from '../services/index.ts';
import { mappingRowPath } from './xml-preview.ts';
import type { DraftMapping } from './xml-mapping-rows.ts';

export interface LinkedProblem {
  text: string;
  href: string;
}

/** What a schema message means for an empty or missing value, by the setting it is about. */
const MISSING: Record<string, string> = {
  title: 'Enter the name of the service',
  referencePrefix: 'Enter a reference prefix of 2 to 6 capital letters',
  fields: 'Add at least one question',
  tasks: 'Add at least one task',
  label: 'enter the question',
  options: 'add at least one option',
  accept: 'choose at least one file type',
  key: 'enter a key for the task',
  body: 'enter the text of the page',
  confirm: 'enter the words next to the box',
  itemName: 'enter what one thing in the list is called',
};

/** A question's settings as the question builder names them. */
const QUESTION_SETTING: Record<string, string> = {
  id: 'Id',
  label: 'Question',
  hint: 'Hint',
  page: 'Page',
  showIf: 'Shown when',
  options: 'Options',
  pattern: 'Format',
  accept: 'File types',
  maxSize: 'Largest file',
  minLength: 'Shortest answer',
  maxLength: 'Longest answer',
  min: 'Smallest number',
  max: 'Largest number',
  body: 'Text of the page',
  warning: 'Warning',
  confirm: 'Words next to the box',
  itemName: 'One thing in the list is called',
  minItems: 'Fewest in the list',
  maxItems: 'Most in the list',
};

export function problemLinks(serviceId: string, definition: DraftDefinition, problems: FieldError[]): LinkedProblem[] {
  const base = `/staff/services/${encodeURIComponent(serviceId)}`;
  return problems.map((p) => {
    const [head, index, setting, ...rest] = p.field.split('.');
    const empty = /^(Too small|Required|Invalid input: expected \w+, received undefined)/.test(p.message);
    switch (head) {
      case 'fields': {
        const question = index === undefined ? undefined : definition.fields[Number(index)];
        if (!question) return { text: empty ? MISSING.fields! : `Questions: ${p.message}`, href: `${base}/questions` };
        const href = `${base}/questions/${encodeURIComponent(question.id)}`;
        // Sentences that already name the page (publish-problems' own checks) stand as they are.
        if (setting === undefined && p.message.startsWith('The page ')) return { text: p.message, href };
        const name = `Question ${Number(index) + 1} (“${question.label || question.id}”)`;
        const special = newFeatureProblem(question, setting, rest, p.message, empty);
        if (special) return { text: `${name}: ${special}`, href };
        const what = empty && setting && MISSING[setting] ? MISSING[setting] : setting ? `${QUESTION_SETTING[setting] ?? setting}: ${p.message}` : p.message;
        return { text: `${name}: ${what}`, href: `${base}/questions/${encodeURIComponent(question.id)}` };
      }
      case 'tasks': {
        const task = index === undefined ? undefined : definition.tasks[Number(index)];
        if (!task) return { text: empty ? MISSING.tasks! : `Tasks: ${p.message}`, href: `${base}/tasks` };
        const what = empty && setting && MISSING[setting] ? MISSING[setting] : p.message;
        return { text: `Task ${Number(index) + 1} (“${task.title || task.key}”): ${what}`, href: `${base}/tasks` };
      }
      case 'xml': {
        // A problem at one element of the mapping links to that element's row of the mapping editor.
        const mapping = (definition.xml as { mapping?: Partial<DraftMapping> } | undefined)?.mapping;
        const row =
          index === 'mapping' && Array.isArray(mapping?.children) ? mappingRowPath(mapping as DraftMapping, p.field.split('.').slice(2).join('.')) : null;
        return { text: `XML mapping: ${p.message}`, href: row ? `${base}/xml/row?path=${encodeURIComponent(row)}` : `${base}/xml` };
      }
      case 'bindings':
        return { text: `Binding: ${p.message}`, href: `${base}/binding` };
      case 'notify':
        return { text: `Messages: ${p.message}`, href: `${base}/messages` };
      case 'pages':
      case 'contact':
        return { text: `Questions: ${p.message}`, href: `${base}/questions` };
      case 'title':
      case 'referencePrefix':
        return { text: empty || head === 'title' ? (empty ? MISSING[head]! : p.message) : `Reference prefix: ${p.message}`, href: `${base}/settings#${head}` };
      case 'category':
        return { text: empty ? 'Select where the service is listed' : `Where the service is listed: ${p.message}`, href: `${base}/settings#category` };
      case 'description':
      case 'noun':
      case 'retention':
        return { text: `Settings: ${p.message}`, href: `${base}/settings` };
      default:
        return { text: p.field ? `${p.field}: ${p.message}` : p.message, href: base };
    }
  });
}

/** The new question types' and routes' problems, in the words of the question details page. */
function newFeatureProblem(question: FieldInput, setting: string | undefined, rest: string[], message: string, empty: boolean): string | undefined {
  if (setting === 'options' && rest[1] === 'goTo') {
    const option = 'options' in question ? question.options[Number(rest[0])] : undefined;
    const answer = option ? `the answer ‘${option.label}’` : 'an answer';
    return /not a page/.test(message)
      ? `${answer} goes to a page that is no longer in the service: choose where it goes`
      : `${answer} goes to a page before this one: choose a later page, or ‘Check your answers’`;
  }
  if (setting === 'options' && /goTo works on radios and select/.test(message)) return 'several options can be chosen, so an answer cannot go to another page';
  if (setting === 'page' && /alone on its page/.test(message))
    return `${question.type === 'exit' ? 'an exit page' : 'a list'} must be alone on its page: move the other questions to another page`;
  if (question.type === 'list' && setting === 'fields') {
    if (rest.length === 0) return empty ? 'add at least one question to the list' : `Questions of the list: ${message}`;
    const item = question.fields[Number(rest[0])];
    return `the list’s question ${Number(rest[0]) + 1} (“${item?.label || item?.id || ''}”): ${empty && rest[1] && MISSING[rest[1]] ? MISSING[rest[1]] : message}`;
  }
  if (question.type === 'list' && setting === 'minItems' && /optional list/.test(message))
    return 'an optional list cannot need things in it: set the fewest to 0, or make the question one people must answer';
  return undefined;
}
