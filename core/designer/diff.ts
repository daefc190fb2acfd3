// A readable diff between two versions of a service (or a version and the working draft), for the versions page:
// questions added, removed and changed (each setting before → after), page titles, tasks, messages, bindings, the XML
// mapping row by row (per element path), and every other setting. Pure: two definitions in, words out.
import { fieldSchema } from '../services/index.ts';
import type { DraftDefinition } from './drafts.ts';
import { mappingRows } from './diff-mapping.ts';
import { poundsSetting, QUESTION_SETTINGS, same, settingText, stableJson, valueText } from './diff-text.ts';
import { SERVICE_CATEGORIES } from '../services/index.ts';

export interface SettingChange {
  setting: string;
  /** Empty for an item added. */
  before: string;
  /** Empty for an item removed. */
  after: string;
}

export interface ItemChange {
  change: 'added' | 'removed' | 'changed';
  /** What the item is called: a question's label, a task's title, an element path… */
  name: string;
  settings: SettingChange[];
}

export type DiffSectionId = 'questions' | 'pages' | 'tasks' | 'messages' | 'bindings' | 'xml' | 'settings';

export interface DiffSection {
  id: DiffSectionId;
  heading: string;
  items: ItemChange[];
}

export interface DefinitionDiff {
  /** Only the sections with a change, in a fixed order. */
  sections: DiffSection[];
  /** How many items changed in all. */
  changes: number;
}

type Definition = DraftDefinition | Record<string, unknown>;
type Question = Record<string, unknown> & { id: string; label?: string };

/** Top-level keys each compared in a section of their own; every other key is a "setting". */
const OWN_SECTIONS = new Set(['id', 'fields', 'pages', 'tasks', 'notify', 'bindings', 'xml']);

const SETTING_NAMES: Record<string, string> = {
  title: 'Name of the service',
  description: 'Description',
  noun: 'What the citizen sends (noun)',
  referencePrefix: 'Reference prefix',
  category: 'Listed under',
  council: 'Council',
  contact: 'Contact details',
  retention: 'Personal data kept for',
};

export function diffDefinitions(before: Definition, after: Definition): DefinitionDiff {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const sections: DiffSection[] = [
    { id: 'questions', heading: 'Questions', items: diffQuestions(questionsOf(a), questionsOf(b)) },
    { id: 'pages', heading: 'Page titles', items: diffPages(a.pages, b.pages) },
    { id: 'tasks', heading: 'Tasks', items: diffTasks(a.tasks, b.tasks) },
    { id: 'messages', heading: 'Messages', items: diffMessages(a.notify, b.notify) },
    { id: 'bindings', heading: 'Bindings', items: diffBindings(a.bindings, b.bindings) },
    { id: 'xml', heading: 'XML mapping', items: diffXml(a, b) },
    { id: 'settings', heading: 'Other settings', items: diffSettings(a, b) },
  ].filter((s) => s.items.length) as DiffSection[];
  return { sections, changes: sections.reduce((n, s) => n + s.items.length, 0) };
}

/** The questions with their defaults filled in, so a draft (as typed) and a stored version (defaults applied) compare equal. */
function questionsOf(def: Record<string, unknown>): Question[] {
  if (!Array.isArray(def.fields)) return [];
  return (def.fields as Question[]).map((f) => {
    const parsed = fieldSchema.safeParse(f);
    return parsed.success ? (parsed.data as Question) : f;
  });
}

function diffQuestions(before: Question[], after: Question[]): ItemChange[] {
  const labels = new Map([...before, ...after].map((q) => [q.id, q.label ?? q.id]));
  const labelOf = (id: string) => labels.get(id) ?? id;
  const beforeIds = new Map(before.map((q, i) => [q.id, i]));
  const afterIds = new Map(after.map((q, i) => [q.id, i]));
  // Moved: a question's place among the questions both versions have changed.
  const commonBefore = before.filter((q) => afterIds.has(q.id)).map((q) => q.id);
  const commonAfter = after.filter((q) => beforeIds.has(q.id)).map((q) => q.id);
  const items: ItemChange[] = [];
  for (const q of before)
    if (!afterIds.has(q.id))
      items.push({ change: 'removed', name: q.label ?? q.id, settings: [{ setting: 'Type', before: settingText('type', q.type, labelOf), after: '' }] });
  for (const q of after) {
    const at = beforeIds.get(q.id);
    if (at === undefined) {
      items.push({ change: 'added', name: q.label ?? q.id, settings: questionSettings(undefined, q, labelOf) });
      continue;
    }
    const settings = questionSettings(before[at], q, labelOf);
    if (commonBefore.indexOf(q.id) !== commonAfter.indexOf(q.id))
      settings.push({ setting: 'Position', before: `question ${at + 1}`, after: `question ${afterIds.get(q.id)! + 1}` });
    if (settings.length) items.push({ change: 'changed', name: q.label ?? q.id, settings });
  }
  return items;
}

/** Each setting that differs (for a question added: each it has). Known settings first, in a fixed order. */
function questionSettings(before: Question | undefined, after: Question, labelOf: (id: string) => string): SettingChange[] {
  const known = new Map(QUESTION_SETTINGS);
  const keys = [
    ...QUESTION_SETTINGS.map(([k]) => k),
    ...[...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].filter((k) => k !== 'id' && !known.has(k)).sort(),
  ];
  const changes: SettingChange[] = [];
  for (const key of keys) {
    const was = before?.[key];
    const now = after[key];
    if (same(was, now) || (before === undefined && now === undefined)) continue;
    // A money question's limits are amounts, not numbers.
    const money = after.type === 'money' && (key === 'min' || key === 'max');
    const text = (v: unknown) => (money ? poundsSetting(v) : settingText(key, v, labelOf));
    changes.push({
      setting: money ? (key === 'min' ? 'Smallest amount' : 'Largest amount') : (known.get(key) ?? key),
      before: before === undefined ? '' : text(was),
      after: text(now),
    });
  }
  return changes;
}

function diffPages(before: unknown, after: unknown): ItemChange[] {
  const titleOf = (pages: unknown, id: string) => ((pages as Record<string, { title?: string }> | undefined)?.[id]?.title ?? undefined) as string | undefined;
  return diffKeyed(Object.keys((before as object) ?? {}), Object.keys((after as object) ?? {}), (id) => {
    const was = titleOf(before, id);
    const now = titleOf(after, id);
    return {
      name: `Page “${id}”`,
      was: was === undefined ? undefined : [{ setting: 'Title', text: valueText(was) }],
      now: now === undefined ? undefined : [{ setting: 'Title', text: valueText(now) }],
    };
  });
}

function diffTasks(before: unknown, after: unknown): ItemChange[] {
  const list = (v: unknown) => (Array.isArray(v) ? (v as { key: string; title?: string; description?: string }[]) : []);
  const was = new Map(list(before).map((t) => [t.key, t]));
  const now = new Map(list(after).map((t) => [t.key, t]));
  const describe = (t: { title?: string; description?: string } | undefined) =>
    t && [
      { setting: 'Title', text: valueText(t.title) },
      { setting: 'Description', text: valueText(t.description) },
    ];
  const items = diffKeyed([...was.keys()], [...now.keys()], (key) => ({
    name: now.get(key)?.title ?? was.get(key)?.title ?? key,
    was: describe(was.get(key)),
    now: describe(now.get(key)),
  }));
  const order = (m: Map<string, unknown>, other: Map<string, unknown>) => [...m.keys()].filter((k) => other.has(k)).join(',');
  if (order(was, now) !== order(now, was))
    items.push({
      change: 'changed',
      name: 'Order of the tasks',
      settings: [
        {
          setting: 'Order',
          before: list(before)
            .map((t) => t.title ?? t.key)
            .join(', '),
          after: list(after)
            .map((t) => t.title ?? t.key)
            .join(', '),
        },
      ],
    });
  return items;
}

function diffMessages(before: unknown, after: unknown): ItemChange[] {
  const flat = (n: unknown): Map<string, string> => {
    const out = new Map<string, string>();
    const notify = (n ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(notify)) {
      if (value === undefined) continue;
      if (key === 'templates' && value && typeof value === 'object')
        for (const [name, text] of Object.entries(value as Record<string, unknown>)) out.set(`Message “${name}”`, valueText(text));
      else out.set(key === 'channel' ? 'Channel' : key, valueText(value));
    }
    return out;
  };
  return diffRows(flat(before), flat(after));
}

function diffBindings(before: unknown, after: unknown): ItemChange[] {
  const list = (v: unknown) => (Array.isArray(v) ? (v as unknown[]).map(String) : []);
  const was = new Set(list(before));
  const now = new Set(list(after));
  return [
    ...[...was].filter((b) => !now.has(b)).map((b) => ({ change: 'removed' as const, name: b, settings: [] })),
    ...[...now].filter((b) => !was.has(b)).map((b) => ({ change: 'added' as const, name: b, settings: [] })),
  ];
}

function diffXml(a: Record<string, unknown>, b: Record<string, unknown>): ItemChange[] {
  const labels = new Map([...questionsOf(a), ...questionsOf(b)].map((q) => [q.id, q.label ?? q.id]));
  const labelOf = (id: string) => labels.get(id) ?? id;
  const rows = (def: Record<string, unknown>): Map<string, string> => {
    const xml = def.xml as { xsd?: unknown; mapping?: unknown } | undefined;
    const out = new Map<string, string>();
    if (!xml) return out;
    out.set('XSD file', valueText(xml.xsd));
    for (const [path, text] of mappingRows(xml.mapping, labelOf)) out.set(path, text);
    const rest = Object.fromEntries(Object.entries(xml).filter(([k]) => k !== 'xsd' && k !== 'mapping'));
    if (Object.keys(rest).length) out.set('Other XML settings', stableJson(rest));
    return out;
  };
  return diffRows(rows(a), rows(b));
}

function diffSettings(a: Record<string, unknown>, b: Record<string, unknown>): ItemChange[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !OWN_SECTIONS.has(k));
  const normal = (key: string, v: unknown) => (key === 'contact' && v && typeof v === 'object' && !Object.keys(v).length ? undefined : v);
  const items: ItemChange[] = [];
  for (const key of keys) {
    const was = normal(key, a[key]);
    const now = normal(key, b[key]);
    if (same(was, now)) continue;
    items.push({
      change: 'changed',
      name: SETTING_NAMES[key] ?? key,
      settings: [{ setting: SETTING_NAMES[key] ?? key, before: settingValue(key, was), after: settingValue(key, now) }],
    });
  }
  return items;
}

function settingValue(key: string, v: unknown): string {
  if (key === 'category' && typeof v === 'string' && Object.hasOwn(SERVICE_CATEGORIES, v)) return SERVICE_CATEGORIES[v as keyof typeof SERVICE_CATEGORIES];
  if (key === 'retention' && v && typeof v === 'object' && 'redactAfterDays' in v)
    return `${String((v as { redactAfterDays: unknown }).redactAfterDays)} days after the case is finished`;
  return valueText(v);
}

/** Rows (name → text) compared: a row only in `after` is added, only in `before` removed, in both with new text changed. */
function diffRows(before: Map<string, string>, after: Map<string, string>): ItemChange[] {
  return diffKeyed([...before.keys()], [...after.keys()], (name) => ({
    name,
    was: before.has(name) ? [{ setting: 'Value', text: before.get(name)! }] : undefined,
    now: after.has(name) ? [{ setting: 'Value', text: after.get(name)! }] : undefined,
  }));
}

/** Items found by key in both lists; each described as named settings (undefined: the item is not there). */
function diffKeyed(
  before: string[],
  after: string[],
  describe: (key: string) => { name: string; was?: { setting: string; text: string }[]; now?: { setting: string; text: string }[] },
): ItemChange[] {
  const items: ItemChange[] = [];
  for (const key of [...new Set([...before, ...after])]) {
    const { name, was, now } = describe(key);
    if (!was && now) items.push({ change: 'added', name, settings: now.map((s) => ({ setting: s.setting, before: '', after: s.text })) });
    else if (was && !now) items.push({ change: 'removed', name, settings: was.map((s) => ({ setting: s.setting, before: s.text, after: '' })) });
    else if (was && now) {
      const settings = now.map((s, i) => ({ setting: s.setting, before: was[i]?.text ?? '', after: s.text })).filter((s) => s.before !== s.after);
      if (settings.length) items.push({ change: 'changed', name, settings });
    }
  }
  return items;
}
