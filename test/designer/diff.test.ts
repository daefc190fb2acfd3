// The readable diff between two versions: each kind of change in words, before → after, and nothing reported when a
// draft as typed (no defaults) and the stored version (defaults applied) say the same thing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { diffDefinitions } from '../../core/designer/diff.ts';
import type { DraftDefinition } from '../../core/designer/drafts.ts';
import { serviceDefinitionSchema } from '../../core/services/index.ts';

const base: DraftDefinition = {
  id: 'dead-animal',
  title: 'Report a dead animal',
  referencePrefix: 'DAN',
  pages: { where: { title: 'Where it is' } },
  fields: [
    {
      id: 'kind',
      type: 'radios',
      label: 'What kind of animal is it?',
      options: [
        { value: 'fox', label: 'Fox' },
        { value: 'cat', label: 'Cat' },
      ],
    },
    { id: 'place', type: 'address', label: 'Where is it?', page: 'where' },
    { id: 'notes', type: 'textarea', label: 'Anything else?', required: false, page: 'where' },
  ],
  tasks: [
    { key: 'collect', title: 'Collect the animal' },
    { key: 'dispose', title: 'Dispose of it' },
  ],
  bindings: ['sandbox'],
  notify: { channel: 'email' },
  xml: {
    xsd: 'dead-animal.xsd',
    mapping: {
      root: 'DeadAnimal',
      children: [
        { element: 'Reference', value: { process: 'reference' } },
        { element: 'Kind', value: { answer: 'kind', lookup: { fox: 'F1', cat: 'C1' } } },
        { element: 'Place', children: [{ element: 'Postcode', value: { answer: 'place.postcode' } }] },
      ],
    },
  },
};

const copy = (): DraftDefinition => structuredClone(base);

describe('diffDefinitions', () => {
  test('identical definitions have no changes', () => {
    assert.deepEqual(diffDefinitions(base, copy()), { sections: [], changes: 0 });
  });

  test('a draft as typed and the stored version with defaults applied are the same', () => {
    for (const file of ['noise-complaint', 'pest-control', 'fly-tipping', 'food-hygiene-complaint']) {
      const typed = parse(readFileSync(`config/services/${file}.yaml`, 'utf8')) as DraftDefinition;
      const stored = serviceDefinitionSchema.parse(typed);
      assert.deepEqual(diffDefinitions(stored, typed), { sections: [], changes: 0 }, file);
    }
  });

  test('questions added, removed and changed, setting by setting', () => {
    const next = copy();
    next.fields[0] = {
      id: 'kind',
      type: 'radios',
      label: 'What animal is it?',
      options: [
        { value: 'fox', label: 'Fox' },
        { value: 'badger', label: 'Badger' },
      ],
    };
    next.fields.splice(2, 1);
    next.fields.push({ id: 'photo', type: 'file', label: 'Photo of the animal', accept: ['image/jpeg'], showIf: { field: 'kind', equals: 'fox' } });
    const diff = diffDefinitions(base, next);
    const questions = diff.sections.find((s) => s.id === 'questions')!;
    assert.deepEqual(
      questions.items.map((i) => `${i.change} ${i.name}`),
      ['removed Anything else?', 'changed What animal is it?', 'added Photo of the animal'],
    );
    assert.deepEqual(questions.items[1]!.settings, [
      { setting: 'Question', before: '“What kind of animal is it?”', after: '“What animal is it?”' },
      { setting: 'Options', before: 'Fox (fox), Cat (cat)', after: 'Fox (fox), Badger (badger)' },
    ]);
    const added = questions.items[2]!.settings;
    assert.ok(added.some((s) => s.setting === 'Shown when' && s.after === '“What animal is it?” is fox' && s.before === ''));
    assert.ok(
      added.some((s) => s.setting === 'Largest file' && s.after === '10 MB'),
      'defaults of an added question are shown',
    );
  });

  test('a question moved, required changed, page changed', () => {
    const next = copy();
    next.fields = [next.fields[1]!, next.fields[0]!, { ...next.fields[2]!, required: true, page: undefined } as (typeof next.fields)[number]];
    const items = diffDefinitions(base, next).sections.find((s) => s.id === 'questions')!.items;
    assert.deepEqual(items.find((i) => i.name === 'Where is it?')!.settings, [{ setting: 'Position', before: 'question 2', after: 'question 1' }]);
    assert.deepEqual(items.find((i) => i.name === 'Anything else?')!.settings, [
      { setting: 'Required', before: 'No', after: 'Yes' },
      { setting: 'Page', before: '“where”', after: 'Not set' },
    ]);
  });

  test('pages, tasks, messages, bindings and other settings', () => {
    const next = copy();
    next.pages = { where: { title: 'Where the animal is' } };
    next.tasks = [
      { key: 'dispose', title: 'Dispose of it', description: 'Within a day' },
      { key: 'collect', title: 'Collect the animal' },
    ];
    next.notify = { channel: 'sms', templates: { received: 'We got it' } };
    next.bindings = ['alloy'];
    next.referencePrefix = 'DEAD';
    next.retention = { redactAfterDays: 30 };
    const diff = diffDefinitions(base, next);
    const section = (id: string) => diff.sections.find((s) => s.id === id)!.items;
    assert.deepEqual(section('pages'), [
      { change: 'changed', name: 'Page “where”', settings: [{ setting: 'Title', before: '“Where it is”', after: '“Where the animal is”' }] },
    ]);
    assert.deepEqual(
      section('tasks').map((i) => `${i.change} ${i.name}: ${i.settings.map((s) => `${s.setting} ${s.before} → ${s.after}`).join('; ')}`),
      [
        'changed Dispose of it: Description Not set → “Within a day”',
        'changed Order of the tasks: Order Collect the animal, Dispose of it → Dispose of it, Collect the animal',
      ],
    );
    assert.deepEqual(
      section('messages').map((i) => `${i.change} ${i.name}`),
      ['changed Channel', 'added Message “received”'],
    );
    assert.deepEqual(
      section('bindings').map((i) => `${i.change} ${i.name}`),
      ['removed sandbox', 'added alloy'],
    );
    assert.deepEqual(
      section('settings').map((i) => `${i.name}: ${i.settings[0]!.before} → ${i.settings[0]!.after}`),
      ['Reference prefix: “DAN” → “DEAD”', 'Personal data kept for: Not set → 30 days after the case is finished'],
    );
    assert.equal(diff.changes, 9);
  });

  test('XML mapping rows changed per element path', () => {
    const next = copy();
    const mapping = next.xml!.mapping as { children: Record<string, unknown>[] };
    mapping.children[1] = { element: 'Kind', value: { answer: 'kind', lookup: { fox: 'F2', cat: 'C1' } } };
    mapping.children.push({ element: 'Channel', value: { constant: 'Online' } });
    (mapping.children[2]!.children as unknown[]).length = 0;
    const items = diffDefinitions(base, next).sections.find((s) => s.id === 'xml')!.items;
    assert.deepEqual(
      items.map((i) => `${i.change} ${i.name}: ${i.settings[0]!.before} → ${i.settings[0]!.after}`),
      [
        'changed DeadAnimal/Kind: the answer to “What kind of animal is it?”, codes: fox → F1, cat → C1 → the answer to “What kind of animal is it?”, codes: fox → F2, cat → C1',
        'removed DeadAnimal/Place/Postcode: the postcode of the answer to “Where is it?” → ',
        'added DeadAnimal/Channel:  → the fixed value “Online”',
      ],
    );
  });

  test('a service with no XML and one with it: every row is added', () => {
    const without = copy();
    delete without.xml;
    const items = diffDefinitions(without, base).sections.find((s) => s.id === 'xml')!.items;
    assert.equal(items.filter((i) => i.change === 'added').length, 5);
  });
});
