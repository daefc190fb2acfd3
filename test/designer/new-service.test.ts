// Pure parts of creating and publishing a service: the id made from a name, the checks on the names, copies without
// bindings, and publish problems said in words with a link to where each is fixed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copiedDefinition, idFromTitle, newServiceErrors } from '../../core/designer/new-service.ts';
import { problemLinks } from '../../core/designer/problem-links.ts';
import type { DraftDefinition } from '../../core/designer/drafts.ts';

describe('new service names', () => {
  test('an id from the name: lower-case words joined by hyphens, starting with a letter', () => {
    assert.equal(idFromTitle('Report a dead animal!'), 'report-a-dead-animal');
    assert.equal(idFromTitle('  Café — opening hours  '), 'cafe-opening-hours');
    assert.equal(idFromTitle('24-hour noise line'), 'service-24-hour-noise-line');
    assert.equal(idFromTitle('<script>'), 'script');
    assert.equal(idFromTitle('!!!'), '');
    assert.ok(idFromTitle('x'.repeat(200)).length <= 60);
  });

  test('checks: required, format, unique', () => {
    const taken = { ids: new Set(['noise']), prefixes: new Map([['NOI', 'Report a noise problem']]) };
    assert.deepEqual(newServiceErrors({ title: 'Fine', id: 'fine', referencePrefix: 'FIN' }, taken), {});
    assert.deepEqual(newServiceErrors({ title: '', id: '', referencePrefix: '' }, taken), {
      title: 'Enter the name of the service',
      id: 'Enter the name of the service first, or an id',
      referencePrefix: 'Enter a reference prefix',
    });
    const errors = newServiceErrors({ title: 'Noise', id: 'noise', referencePrefix: 'NOI' }, taken);
    assert.equal(errors.id, 'There is already a service with the id noise');
    assert.equal(errors.referencePrefix, 'The reference prefix NOI is already used by Report a noise problem');
    assert.match(newServiceErrors({ title: 'X', id: 'Bad_Id', referencePrefix: 'ABCDEFG' }, taken).id!, /lower-case letters/);
    assert.match(newServiceErrors({ title: 'X', id: 'x', referencePrefix: 'ABCDEFG' }, taken).referencePrefix!, /2 to 6 capital letters/);
  });

  test('a copy takes the new names, loses bindings and council, keeps the rest', () => {
    const source: DraftDefinition = {
      id: 'noise',
      title: 'Noise',
      referencePrefix: 'NOI',
      council: 'north',
      bindings: ['alloy'],
      fields: [{ id: 'a', type: 'text', label: 'A' }],
      tasks: [{ key: 'k', title: 'K' }],
    };
    const copy = copiedDefinition(source, { id: 'night-noise', title: 'Night noise', referencePrefix: 'NGT' });
    assert.deepEqual(copy, { id: 'night-noise', title: 'Night noise', referencePrefix: 'NGT', bindings: [], fields: source.fields, tasks: source.tasks });
    copy.fields[0]!.label = 'changed';
    assert.equal(source.fields[0]!.label, 'A', 'the source is not changed');
  });
});

describe('publish problems in words, linked to where to fix them', () => {
  const definition: DraftDefinition = {
    id: 'dead-animal',
    title: 'Dead animal',
    referencePrefix: 'DAN',
    fields: [
      { id: 'kind', type: 'radios', label: 'What animal?', options: [] },
      { id: 'where', type: 'address', label: '' },
    ],
    tasks: [{ key: 'collect', title: 'Collect' }],
  };
  test('each kind of field path', () => {
    const links = problemLinks('dead-animal', definition, [
      { field: 'fields.0.options', message: 'Too small: expected array to have >=1 items' },
      { field: 'fields.1.label', message: 'Too small: expected string to have >=1 characters' },
      { field: 'fields.0.showIf.field', message: '"x" is not an earlier field' },
      { field: 'fields', message: 'Too small: expected array to have >=1 items' },
      { field: 'tasks', message: 'Too small: expected array to have >=1 items' },
      { field: 'tasks.0.key', message: 'duplicate task key "collect"' },
      { field: 'xml.xsd', message: 'XSD file x.xsd not found' },
      { field: 'bindings.0', message: 'binding "nowhere" is not configured in closeloop.yaml' },
      { field: 'referencePrefix', message: '"NOI" is already used by noise' },
      { field: 'title', message: 'Too small: expected string to have >=1 characters' },
      { field: 'notify.channel', message: 'channel "sms" is not configured' },
      { field: 'pages.nowhere', message: '"nowhere" is not a page of this service' },
    ]);
    const base = '/staff/services/dead-animal';
    assert.deepEqual(links, [
      { text: 'Question 1 (“What animal?”): add at least one option', href: `${base}/questions/kind` },
      { text: 'Question 2 (“where”): enter the question', href: `${base}/questions/where` },
      { text: 'Question 1 (“What animal?”): Shown when: "x" is not an earlier field', href: `${base}/questions/kind` },
      { text: 'Add at least one question', href: `${base}/questions` },
      { text: 'Add at least one task', href: `${base}/tasks` },
      { text: 'Task 1 (“Collect”): duplicate task key "collect"', href: `${base}/tasks` },
      { text: 'XML mapping: XSD file x.xsd not found', href: `${base}/xml` },
      { text: 'Binding: binding "nowhere" is not configured in closeloop.yaml', href: `${base}/binding` },
      { text: 'Reference prefix: "NOI" is already used by noise', href: `${base}/settings#referencePrefix` },
      { text: 'Enter the name of the service', href: `${base}/settings#title` },
      { text: 'Messages: channel "sms" is not configured', href: `${base}/messages` },
      { text: 'Questions: "nowhere" is not a page of this service', href: `${base}/questions` },
    ]);
  });
});
