// Plain English in CI: every library service's citizen-facing text (start page, questions, hints, options, information,
// exit and declaration pages, task names, e-mails and texts) read together scores at most grade 9 on the Flesch–Kincaid
// scale, and no sentence of LONG_ENOUGH words or more scores above grade 16 (a few sentences of officialese would hardly
// move a whole service's grade). A service that fails is named with its hardest sentences and where they are.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadServiceFiles, serviceDefinitionSchema, type ServiceDefinition } from '../../core/services/index.ts';
import { citizenText } from './citizen-text.ts';
import { LONG_ENOUGH, readingGrade, sentencesOf } from './reading-grade.ts';

/** The highest grade a service's text may score. The library's services, written GOV.UK style, score 2 to 4. */
const MAX_GRADE = 9;
/** The highest grade one sentence may score. The library's hardest sentence (names of benefits) scores 13. */
const MAX_SENTENCE_GRADE = 16;

const { services, problems } = loadServiceFiles('config/services', {
  bindings: new Set(['sandbox']),
  channels: new Set(['email']),
  xsdDir: resolve('config/xsd'),
});

/** Null when the service reads at or under MAX_GRADE, else a message naming it and its 5 hardest sentences. */
function readabilityProblem(def: ServiceDefinition): string | null {
  const result = readingGrade(citizenText(def));
  const tooHard = result.hardest.filter((s) => s.words >= LONG_ENOUGH && s.grade > MAX_SENTENCE_GRADE);
  if (result.grade <= MAX_GRADE && !tooHard.length) return null;
  const worst = result.hardest
    .slice(0, Math.max(5, tooHard.length))
    .map((s) => `  grade ${s.grade}  ${s.where}: "${s.text}"`)
    .join('\n');
  const why = [
    ...(result.grade > MAX_GRADE ? [`over grade ${MAX_GRADE}`] : []),
    ...(tooHard.length ? [`${tooHard.length} sentence${tooHard.length === 1 ? '' : 's'} over grade ${MAX_SENTENCE_GRADE}`] : []),
  ].join(', ');
  return `${def.id} reads at grade ${result.grade} (${why}; ${result.sentences} sentences, ${result.words} words). Hardest sentences:\n${worst}`;
}

describe('readability of the service library', () => {
  test('config/services loads', () => {
    assert.deepEqual(problems, []);
    assert.ok(services.length >= 12, `found ${services.length}`);
  });

  for (const { definition: def } of services) {
    test(`${def.id} reads at grade ${MAX_GRADE} or under`, () => {
      const problem = readabilityProblem(def);
      assert.equal(problem, null, problem ?? '');
    });
  }

  test('a service written in officialese is caught, named with its hardest sentences', () => {
    const plain = services[0]!.definition;
    const officialese = 'Notwithstanding the aforementioned considerations, determination necessitates comprehensive documentation.';
    const hard: ServiceDefinition = {
      ...plain,
      id: 'officialese',
      title: 'Notification of environmental disturbance',
      description: officialese,
      startPage: officialese,
      whatHappensNext: officialese,
      fields: plain.fields.map((f) => ({ ...f, label: 'Characterisation of the disturbance experienced', hint: officialese })),
      tasks: plain.tasks.map((t) => ({ ...t, title: 'Investigatory consideration', description: officialese })),
    };
    delete hard.messages;
    const problem = readabilityProblem(hard);
    assert.ok(problem, 'officialese fails');
    assert.match(problem, /^officialese reads at grade \d+(\.\d)? \(over grade 9[,;]/);
    assert.ok(Number(/grade ([\d.]+)/.exec(problem)![1]) > MAX_GRADE, problem);
    assert.match(problem, /description: "Notwithstanding the aforementioned considerations/);
  });

  test('two hard sentences in an otherwise plain service are caught, each named with where it is', () => {
    const plain = services[0]!.definition;
    const hard: ServiceDefinition = {
      ...plain,
      id: 'officialese',
      description:
        'Notwithstanding the aforementioned considerations, environmental health practitioners will subsequently undertake comprehensive investigatory proceedings concerning alleged statutory nuisances.',
      fields: plain.fields.map((f, i) =>
        i === 0
          ? { ...f, hint: 'Comprehensive documentation substantiating the intermittent characteristics of the disturbance facilitates determination.' }
          : f,
      ),
    };
    const problem = readabilityProblem(hard);
    assert.ok(problem, 'officialese fails');
    assert.match(problem, /^officialese reads at grade \d+(\.\d)? \(2 sentences over grade 16;/);
    assert.match(problem, /description: "Notwithstanding the aforementioned considerations/);
    assert.match(problem, new RegExp(`fields\\.${plain.fields[0]!.id}\\.hint: "Comprehensive documentation`));
    assert.equal(readabilityProblem(plain), null, 'the same service in plain English passes');
  });

  test('every kind of citizen-facing text is read, and nothing a citizen never sees', () => {
    const def = serviceDefinitionSchema.parse({
      id: 'kinds',
      title: 'Title text',
      description: 'Description text',
      startPage: 'Start page text',
      whatHappensNext: 'Next text',
      referencePrefix: 'KND',
      pages: { about: { title: 'Page heading text' } },
      fields: [
        { id: 'before', type: 'content', label: 'Content heading text', body: 'Content body text', warning: 'Warning text' },
        {
          id: 'kind',
          type: 'radios',
          page: 'about',
          label: 'Radios label text',
          hint: 'Radios hint text',
          requiredMessage: 'Select radios text',
          options: [
            { value: 'option-value', label: 'Option label text', hint: 'Option hint text' },
            { value: 'out', label: 'Out label text', goTo: 'not-ours' },
          ],
        },
        { id: 'code', type: 'text', page: 'about', label: 'Code label text', pattern: '[A-Z]+', patternMessage: 'Pattern message text' },
        { id: 'notOurs', type: 'exit', page: 'not-ours', label: 'Exit heading text', body: 'Exit body text', showIf: { field: 'kind', equals: 'out' } },
        { id: 'people', type: 'list', label: 'List label text', itemName: 'person', fields: [{ id: 'name', type: 'text', label: 'Item label text' }] },
        { id: 'agree', type: 'declaration', label: 'Declaration heading text', body: 'Declaration body text', confirm: 'Confirm text' },
      ],
      tasks: [{ key: 'check', title: 'Task title text', description: 'Task description text' }],
      messages: { submitted: { subject: 'Subject text', body: 'Email body text', sms: 'Sms text' } },
      bindings: ['sandbox'],
      xml: { xsd: 'x.xsd', mapping: { root: 'Hidden', children: [{ element: 'Hidden', value: { label: 'Hidden text' } }] } },
    });
    const read = citizenText(def).map((t) => t.text);
    assert.deepEqual(
      read.filter((t) => !t.endsWith(' text')),
      [],
      'only the texts given here',
    );
    for (const kind of [
      'Content body',
      'Warning',
      'Exit body',
      'Declaration body',
      'Confirm',
      'Item label',
      'Option hint',
      'Pattern message',
      'Sms',
      'Page heading',
    ])
      assert.ok(read.includes(`${kind} text`), `${kind} is read`);
    assert.equal(read.length, 28);
    assert.ok(!read.includes('Hidden text'), 'the XML mapping is not read');
    assert.deepEqual(
      citizenText(def)
        .filter((t) => t.text === 'Option label text' || t.text === 'Item label text')
        .map((t) => t.where),
      ['fields.kind.options.option-value.label', 'fields.people.fields.name.label'],
    );
  });

  test('text is split into sentences the way a reader meets it', () => {
    assert.deepEqual(sentencesOf('Hello ((name)),\n\nYour reference is ((reference)). We will reply within 5\nworking days.\n\nWe treat:\n- Rats\n- Mice'), [
      'Hello ,',
      'Your reference is .',
      'We will reply within 5 working days.',
      'We treat:',
      'Rats',
      'Mice',
    ]);
    assert.deepEqual(sentencesOf('Follow what happens: https://example.gov.uk/track/abc'), ['Follow what happens:']);
    assert.deepEqual(sentencesOf('Is there anything we should know? (optional)'), ['Is there anything we should know?']);
  });
});
