// The definition language's newer parts as the schema, the path and answer validation see them: content and exit
// pages, declarations, money, "add another" lists, routing by answer (goTo) and the catalogue's category.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceDefinitionSchema, validateAnswers, type ServiceDefinitionInput } from '../../core/services/index.ts';
import { formPath, shownFields } from '../../core/services/form-path.ts';
import { sampleAnswers } from '../../core/services/sample-answers.ts';
import { nextPage, previousPage } from '../../core/forms/pages.ts';

const base: ServiceDefinitionInput = {
  id: 'drains',
  title: 'Report a blocked drain',
  referencePrefix: 'DRN',
  category: 'waste-and-streets',
  tasks: [{ key: 'inspect', title: 'Inspect' }],
  fields: [
    {
      id: 'where',
      type: 'radios',
      label: 'Where is the blockage?',
      options: [
        { value: 'garden', label: 'In my garden' },
        { value: 'road', label: 'In the road', goTo: 'waterCompany' },
        { value: 'shared', label: 'A shared drain', goTo: 'people' },
      ],
    },
    {
      id: 'safety',
      type: 'content',
      label: 'Before you go on',
      body: 'Keep children away.\n\nDo not lift covers.',
      warning: 'If sewage is in your home, call 999.',
    },
    { id: 'fee', type: 'money', label: 'How much did you pay a contractor?', errorName: 'how much you paid', required: false, min: 1, max: 5000 },
    {
      id: 'people',
      type: 'list',
      label: 'Who else is affected?',
      itemName: 'person',
      maxItems: 3,
      fields: [
        { id: 'name', type: 'text', label: 'Full name' },
        { id: 'age', type: 'number', label: 'Age', required: false, integer: true },
      ],
    },
    { id: 'waterCompany', type: 'exit', label: 'Contact your water company', body: 'Your water company clears blocked public sewers.' },
    { id: 'agree', type: 'declaration', label: 'Declaration', body: 'The information is correct.', confirm: 'I confirm the information is correct' },
  ],
};
const def = serviceDefinitionSchema.parse(base);

const issues = (input: ServiceDefinitionInput) => {
  const r = serviceDefinitionSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the definition language', () => {
  test('a definition with every newer part parses, with its defaults', () => {
    assert.equal(def.category, 'waste-and-streets');
    const list = def.fields.find((f) => f.type === 'list')!;
    assert.equal(list.type === 'list' && list.maxItems, 3);
    const declaration = def.fields.find((f) => f.type === 'declaration')!;
    assert.equal(declaration.required, true);
  });

  test('the schema refuses what cannot work, naming the field', () => {
    const withFields = (fields: ServiceDefinitionInput['fields']) => ({ ...base, fields });
    assert.match(issues({ ...base, category: 'parking' as never }).join(), /category: must be one of noise-and-nuisance/);
    assert.match(
      issues(withFields([{ ...base.fields[0]!, options: [{ value: 'a', label: 'A', goTo: 'nowhere' }] } as never])).join(),
      /goTo: "nowhere" is not a page/,
    );
    assert.match(
      issues(withFields([base.fields[1]!, { ...base.fields[0]!, options: [{ value: 'a', label: 'A', goTo: 'safety' }] } as never])).join(),
      /does not come after this question's page: goTo only leads forward/,
    );
    assert.match(
      issues(
        withFields([{ id: 'tick', type: 'checkboxes', label: 'Tick', options: [{ value: 'a', label: 'A', goTo: 'check-answers' }] }, base.fields[1]!]),
      ).join(),
      /goTo works on radios and select questions only/,
    );
    assert.match(
      issues(withFields([{ ...base.fields[4]!, page: 'p' } as never, { ...base.fields[1]!, page: 'p' } as never])).join(),
      /an exit page must be alone on its page/,
    );
    assert.match(issues(withFields([{ ...base.fields[5]!, required: false } as never])).join(), /a declaration is always required/);
    assert.match(issues(withFields([{ ...base.fields[1]!, required: true } as never])).join(), /a page that asks nothing cannot be required/);
    assert.match(issues(withFields([{ ...base.fields[2]!, min: 10, max: 5 } as never])).join(), /max must not be less than min/);
    assert.match(
      issues(
        withFields([
          {
            ...base.fields[3]!,
            fields: [
              { id: 'a', type: 'text', label: 'A' },
              { id: 'a', type: 'text', label: 'B' },
            ],
          } as never,
        ]),
      ).join(),
      /duplicate question id "a" in this list/,
    );
    assert.match(
      issues(withFields([{ ...base.fields[3]!, fields: [{ id: 'f', type: 'file', label: 'F', accept: ['image/png'] }] } as never])).join(),
      /fields\.0\.fields\.0\.type/,
    );
    assert.match(
      issues(withFields([base.fields[1]!, { id: 'x', type: 'text', label: 'X', showIf: { field: 'safety', equals: 'y' } }])).join(),
      /has no answer a condition can compare/,
    );
  });

  test('goTo routes the path forward, and an exit page ends it', () => {
    assert.deepEqual(
      formPath(def, { where: 'garden' }).pages.map((p) => p.id),
      ['where', 'safety', 'fee', 'people', 'agree'],
    );
    assert.deepEqual(
      formPath(def, { where: 'shared' }).pages.map((p) => p.id),
      ['where', 'people', 'agree'],
    );
    const toExit = formPath(def, { where: 'road' });
    assert.deepEqual(
      toExit.pages.map((p) => p.id),
      ['where', 'waterCompany'],
    );
    assert.equal(toExit.exit?.id, 'waterCompany');
    assert.deepEqual(
      shownFields(def, { where: 'shared' }).map((f) => f.id),
      ['where', 'people', 'agree'],
    );
    assert.equal(nextPage(def, 'where', { where: 'shared' })?.id, 'people');
    assert.equal(previousPage(def, 'people', { where: 'shared' })?.id, 'where');
    assert.equal(nextPage(def, 'where', { where: 'road' })?.id, 'waterCompany');
    assert.equal(nextPage(def, 'waterCompany', { where: 'road' }), null);
  });

  test('answers that lead to an exit page are refused with the exit page as the reason', () => {
    const r = validateAnswers(def, { where: 'road', agree: true });
    assert.deepEqual(r.errors, [{ field: 'waterCompany', message: 'Contact your water company' }]);
  });

  test('answers of pages a goTo skips are dropped, not required', () => {
    const r = validateAnswers(def, { where: 'shared', fee: '12', people: [{ name: 'Ann' }], agree: true });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.answers, { where: 'shared', people: [{ name: 'Ann' }], agree: true });
  });

  test('content and exit pages take no answer', () => {
    const r = validateAnswers(def, { where: 'garden', safety: 'x', people: [{ name: 'A' }], agree: true });
    assert.deepEqual(r.errors, [{ field: 'safety', message: 'is not a question: this page asks nothing' }]);
  });

  test('money: pounds and pence normalised, limits and shapes in GOV.UK words', () => {
    const ok = (fee: unknown) => validateAnswers(def, { where: 'garden', fee, people: [{ name: 'A' }], agree: true });
    assert.equal(ok('£1,250').answers.fee, '1250.00');
    assert.equal(ok(12.5).answers.fee, '12.50');
    assert.equal(ok(' 7.05 ').answers.fee, '7.05');
    assert.deepEqual(ok('12.505').errors, [{ field: 'fee', message: 'How much you paid must be an amount of money, like 12.50' }]);
    assert.deepEqual(ok('ten').errors, [{ field: 'fee', message: 'How much you paid must be an amount of money, like 12.50' }]);
    assert.deepEqual(ok('-3').errors, [{ field: 'fee', message: 'How much you paid must be an amount of money, like 12.50' }]);
    assert.deepEqual(ok('0.50').errors, [{ field: 'fee', message: 'How much you paid must be £1 or more' }]);
    assert.deepEqual(ok('6000').errors, [{ field: 'fee', message: 'How much you paid must be £5,000 or less' }]);
  });

  test('declaration: true, or the GOV.UK message to tick the box', () => {
    const r = validateAnswers(def, { where: 'shared', people: [{ name: 'A' }] });
    assert.deepEqual(r.errors, [{ field: 'agree', message: 'Select the box to confirm the declaration' }]);
    assert.equal(validateAnswers(def, { where: 'shared', people: [{ name: 'A' }], agree: 'yes' }).answers.agree, true);
    assert.deepEqual(validateAnswers(def, { where: 'shared', people: [{ name: 'A' }], agree: 'no' }).errors[0]?.field, 'agree');
  });

  test('a list: items checked one by one, each error naming its item', () => {
    const check = (people: unknown) => validateAnswers(def, { where: 'shared', people, agree: true });
    assert.deepEqual(check([{ name: ' Ann ', age: '7' }, {}, { name: 'Bob' }]).answers.people, [{ name: 'Ann', age: 7 }, { name: 'Bob' }]);
    assert.deepEqual(check([{ name: 'Ann' }, { age: '3.5' }]).errors, [
      { field: 'people.1.name', message: 'Enter full name of person 2' },
      { field: 'people.1.age', message: 'Age of person 2 must be a whole number' },
    ]);
    assert.deepEqual(check([]).errors, [{ field: 'people', message: 'Add at least one person' }]);
    assert.deepEqual(check([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]).errors, [{ field: 'people', message: 'You can add up to 3 people' }]);
    assert.deepEqual(check([{ name: 'a', shoe: 9 }]).errors, [{ field: 'people.0.shoe', message: 'is not a question of this list' }]);
    assert.deepEqual(check({ name: 'a' }).errors, [{ field: 'people', message: 'must be a list of items' }]);
  });

  test('sample answers fill every new type and never lead to an exit page', () => {
    const sample = sampleAnswers(def);
    assert.equal(sample.where, 'garden');
    assert.deepEqual(validateAnswers(def, sample).errors, []);
    assert.equal(sample.agree, true);
    assert.equal(sample.fee, '1.00');
    assert.deepEqual(sample.people, [{ name: 'Sample text', age: 1 }]);
  });
});
