// The question builder's edits as pure functions (core/designer/questions.ts, question-form.ts, named-formats.ts), and
// the definition's "is not" condition as the citizen pages and answer validation apply it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DraftDefinition } from '../../core/designer/drafts.ts';
import {
  addQuestion,
  makeFieldId,
  moveQuestion,
  movePage,
  placeQuestion,
  questionPages,
  QuestionEditError,
  removeQuestion,
  renameQuestion,
  reorderQuestions,
  setPageTitle,
} from '../../core/designer/questions.ts';
import { setCondition, conditionInWords } from '../../core/designer/conditions.ts';
import { parseQuestionForm, questionFormValues, optionValueOf } from '../../core/designer/question-form.ts';
import { NAMED_FORMATS, formatOfPattern } from '../../core/designer/named-formats.ts';
import { matchesPattern, patternProblem } from '../../core/services/pattern.ts';
import { isFieldShown, serviceDefinitionSchema, validateAnswers } from '../../core/services/index.ts';

function sample(): DraftDefinition {
  return {
    id: 'dead-animal',
    title: 'Report a dead animal',
    referencePrefix: 'DAN',
    tasks: [{ key: 'collect', title: 'Collect it' }],
    pages: { where: { title: 'Where it is' } },
    contact: { email: 'email' },
    fields: [
      {
        id: 'kind',
        type: 'radios',
        label: 'What kind of animal?',
        options: [
          { value: 'cat', label: 'Cat' },
          { value: 'dog', label: 'Dog' },
          { value: 'fox', label: 'Fox' },
        ],
      },
      { id: 'place', type: 'address', label: 'Address', page: 'where' },
      { id: 'detail', type: 'textarea', label: 'Describe where', page: 'where', showIf: { field: 'kind', notIn: ['cat'] } },
      { id: 'email', type: 'email', label: 'Email address' },
      { id: 'phone', type: 'phone', label: 'Phone (optional)', required: false, page: 'email' },
    ],
  };
}

const ids = (def: DraftDefinition) => def.fields.map((f) => f.id);

describe('question edits', () => {
  test('ids are made from labels, camelCase and unique among questions and pages', () => {
    const def = sample();
    assert.equal(makeFieldId('Where is the animal?', def), 'whereIsTheAnimal');
    assert.equal(makeFieldId('Email address', def), 'emailAddress');
    assert.equal(makeFieldId('Where', def), 'where2', 'a page id is taken too');
    assert.equal(makeFieldId('123 go', def), 'question123Go');
    assert.equal(makeFieldId('Kind', def), 'kind2');
    assert.equal(makeFieldId('Start', def), 'start2', 'words the builder’s addresses use are not ids');
  });

  test('a question joins a page or gets a new one; a page title goes when its page is empty', () => {
    const def = sample();
    addQuestion(def, { id: 'when', type: 'date', label: 'When?' }, { page: 'where' });
    assert.deepEqual(ids(def), ['kind', 'place', 'detail', 'when', 'email', 'phone']);
    assert.equal(def.fields[3]!.page, 'where');
    // "email" is the page of phone too: moving email to a page of its own gives it a new page id.
    placeQuestion(def, 'email', { newPage: true });
    assert.equal(def.fields.find((f) => f.id === 'email')!.page, 'email-page');
    assert.equal(questionPages(def).length, 4);
    for (const id of ['place', 'when']) placeQuestion(def, id, { page: 'kind' });
    placeQuestion(def, 'detail', { page: 'kind' });
    assert.equal(def.pages, undefined, 'the title of the emptied page went with it');
  });

  test('moves within a page, across pages and of whole pages; conditions keep their order', () => {
    const def = sample();
    assert.throws(() => movePage(def, 'kind', 'down'), /“Describe where” must come after “What kind of animal\?”/);
    moveQuestion(def, 'detail', 'up');
    assert.deepEqual(ids(def), ['kind', 'detail', 'place', 'email', 'phone']);
    moveQuestion(def, 'place', 'down');
    assert.deepEqual(ids(def), ['kind', 'detail', 'place', 'email', 'phone'], 'from the bottom of its page to the top of the next');
    assert.equal(def.fields[2]!.page, 'email');
    assert.throws(
      () => moveQuestion(def, 'detail', 'up'),
      (e: unknown) => e instanceof QuestionEditError && /must come after/.test(e.message),
    );
    movePage(def, 'email', 'up');
    assert.deepEqual(ids(def), ['kind', 'place', 'email', 'phone', 'detail']);
    assert.throws(() => movePage(def, 'kind', 'up'), QuestionEditError);
    assert.throws(() => moveQuestion(def, 'kind', 'up'), /already the first question/);
    // "email" names the page phone is on too: moved up into the page before, the page keeps its id for phone.
    moveQuestion(def, 'email', 'up');
    assert.deepEqual(ids(def), ['kind', 'email', 'place', 'phone', 'detail']);
    assert.equal(def.fields[1]!.page, undefined, 'within its page');
    moveQuestion(def, 'email', 'up');
    assert.deepEqual(ids(def), ['kind', 'email', 'place', 'phone', 'detail']);
    assert.equal(def.fields[1]!.page, 'kind', 'into the page before');
    assert.deepEqual(
      questionPages(def).map((p) => `${p.id}:${p.fields.map((f) => f.id).join('+')}`),
      ['kind:kind+email', 'email:place+phone', 'where:detail'],
    );
  });

  test('a whole new order (drag and drop), pages in one piece', () => {
    const def = sample();
    reorderQuestions(def, ['kind', 'detail', 'place', 'email', 'phone'], ['kind', 'where', 'where', 'email', 'email']);
    assert.deepEqual(ids(def), ['kind', 'detail', 'place', 'email', 'phone']);
    reorderQuestions(def, ['kind', 'detail', 'place', 'phone', 'email'], ['kind', 'where', 'where', 'where', 'email']);
    assert.equal(def.fields[3]!.page, 'where', 'dropped among another page’s questions, it joins that page');
    assert.throws(() => reorderQuestions(def, ['kind', 'detail'], undefined), /Reload the page/);
    assert.throws(() => reorderQuestions(def, ['kind', 'detail', 'place', 'phone', 'email'], ['kind', 'where', 'kind', 'where', 'email']), /together/);
  });

  test('a rename follows into conditions, contact, the page, its title and the XML mapping', () => {
    const def = sample();
    def.xml = {
      xsd: 'a.xsd',
      mapping: {
        root: 'R',
        children: [
          { element: 'K', value: { answer: 'kind' } },
          { element: 'E', value: { answer: 'email' } },
          { element: 'P', each: { answer: 'kindly' } },
        ],
      },
    };
    def.pages = { email: { title: 'Contact' } };
    renameQuestion(def, 'kind', 'animal');
    renameQuestion(def, 'email', 'mail');
    assert.deepEqual(def.fields[2]!.showIf, { field: 'animal', notIn: ['cat'] });
    assert.deepEqual(def.contact, { email: 'mail' });
    assert.equal(def.fields[4]!.page, 'mail');
    assert.deepEqual(def.pages, { mail: { title: 'Contact' } });
    assert.deepEqual(def.xml.mapping, {
      root: 'R',
      children: [
        { element: 'K', value: { answer: 'animal' } },
        { element: 'E', value: { answer: 'mail' } },
        { element: 'P', each: { answer: 'kindly' } },
      ],
    });
    assert.throws(() => renameQuestion(def, 'animal', 'where'), /already a question or page/);
    assert.throws(() => renameQuestion(def, 'animal', '1x'), /starts with a letter/);
  });

  test('removing a question others depend on is refused; its contact role goes with it', () => {
    const def = sample();
    assert.throws(() => removeQuestion(def, 'kind'), /Change or remove its condition first/);
    def.xml = { xsd: 'a.xsd', mapping: { root: 'R', children: [{ element: 'A', value: { answer: 'place.postcode' } }] } };
    assert.throws(() => removeQuestion(def, 'place'), /XML mapping uses/);
    removeQuestion(def, 'email');
    assert.deepEqual(def.contact, {});
    assert.equal(def.fields.find((f) => f.id === 'phone')!.page, 'email', 'the phone question keeps its page');
  });

  test('conditions: one value is equals, several in, "is not" notIn; the same posted back keeps what was written', () => {
    const def = sample();
    setCondition(def, 'email', { field: 'kind', is: true, values: ['dog'] });
    assert.deepEqual(def.fields[3]!.showIf, { field: 'kind', equals: 'dog' });
    setCondition(def, 'email', { field: 'kind', is: true, values: ['dog', 'fox'] });
    assert.deepEqual(def.fields[3]!.showIf, { field: 'kind', in: ['dog', 'fox'] });
    def.fields[3]!.showIf = { field: 'kind', in: ['dog'] };
    setCondition(def, 'email', { field: 'kind', is: true, values: ['dog'] });
    assert.deepEqual(def.fields[3]!.showIf, { field: 'kind', in: ['dog'] }, 'unchanged');
    assert.throws(() => setCondition(def, 'email', { field: 'place', is: true, values: ['x'] }), /earlier question that has options/);
    assert.throws(() => setCondition(def, 'email', { field: 'kind', is: false, values: ['wolf'] }), /from the list/);
    assert.equal(conditionInWords(def, def.fields[2]!), 'Shown only if ‘What kind of animal?’ is not ‘Cat’');
    setCondition(def, 'email', undefined);
    assert.equal(def.fields[3]!.showIf, undefined);
  });

  test('page titles: set, and removed when empty', () => {
    const def = sample();
    setPageTitle(def, 'email', 'How we contact you');
    assert.deepEqual(def.pages, { where: { title: 'Where it is' }, email: { title: 'How we contact you' } });
    setPageTitle(def, 'where', ' ');
    setPageTitle(def, 'email', '');
    assert.equal(def.pages, undefined);
    assert.throws(() => setPageTitle(def, 'nowhere', 'x'), QuestionEditError);
  });
});

describe('the details form', () => {
  test('posted back as shown, a question is unchanged (defaults left out, sizes kept to the byte)', () => {
    const def = sample();
    def.fields.push({ id: 'photo', type: 'file', label: 'Photo', accept: ['image/jpeg', 'image/x-custom'], maxSize: 2_000_000 });
    def.fields.push({ id: 'reg', type: 'text', label: 'Registration', pattern: '[A-Z]+', patternMessage: 'Capitals' });
    for (const field of def.fields) {
      const values = questionFormValues(def, field);
      const body = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
      const parsed = parseQuestionForm(def, field.type, body, field);
      assert.deepEqual(parsed.errors, {}, field.id);
      assert.deepEqual(parsed.field, field, field.id);
    }
  });

  test('a new question: defaults left out, the required message only when it differs from the wording rules', () => {
    const def = sample();
    const body = {
      label: 'How many are there?',
      required: 'yes',
      requiredMessage: 'Enter an answer to ‘How many are there?’',
      page: '_new',
      min: '1',
      integer: 'yes',
    };
    const parsed = parseQuestionForm(def, 'number', body);
    assert.deepEqual(parsed.errors, {});
    assert.deepEqual(parsed.field, { id: 'howManyAreThere', type: 'number', label: 'How many are there?', min: 1, integer: true });
    const own = parseQuestionForm(def, 'number', { ...body, requiredMessage: 'Enter how many there are' });
    assert.equal((own.field as { requiredMessage?: string }).requiredMessage, 'Enter how many there are');
  });

  test('options: values made from labels, duplicates refused; custom formats stay, named ones are offered', () => {
    assert.equal(optionValueOf('Very large (over 1m)'), 'very-large-over-1m');
    const def = sample();
    const dup = parseQuestionForm(def, 'radios', {
      label: 'Size?',
      required: 'yes',
      optionCount: '2',
      'option-0-label': 'Big',
      'option-1-label': 'big',
      page: '_new',
    });
    assert.match(dup.errors['option-1-value']!, /same value/);
    const text = parseQuestionForm(def, 'text', { label: 'Postcode', required: 'yes', format: 'uk-postcode', page: '_new' });
    assert.equal((text.field as { pattern?: string }).pattern, NAMED_FORMATS[0]!.pattern);
    assert.equal((text.field as { patternMessage?: string }).patternMessage, 'Enter a full UK postcode, like SW1A 1AA');
    const raw = parseQuestionForm(def, 'text', { label: 'Postcode', required: 'yes', format: 'custom', page: '_new' });
    assert.ok(raw.errors.format, 'a raw pattern cannot be chosen');
  });

  test('hostile input: over-long text, bad numbers and unknown pages are errors, not exceptions', () => {
    const def = sample();
    const parsed = parseQuestionForm(def, 'text', { label: 'x'.repeat(600), required: 'maybe', minLength: '-1', maxLength: '1e9', page: 'nowhere' });
    assert.deepEqual(Object.keys(parsed.errors).sort(), ['label', 'maxLength', 'minLength', 'page', 'required']);
  });
});

describe('named formats', () => {
  const cases: Record<string, [string[], string[]]> = {
    'uk-postcode': [
      ['SW1A 1AA', 'sw1a1aa', 'M1 1AE', 'B33 8TH', 'GIR 0AA'],
      ['SW1A', '12345', 'SW1A 1AAA', ''],
    ],
    'uk-phone': [
      ['01632 960 001', '07700 900 982', '+44 808 157 0192', '+447700900982', '020 7946 0000'],
      ['12345', '07700', '+1 555 0100 123', 'phone'],
    ],
    'vehicle-registration': [
      ['AB12 CDE', 'ab12cde', 'A123 BCD', 'ABC 123D'],
      ['12 ABC', 'ABCDEFG', ''],
    ],
    'numbers-only': [
      ['0', '123456'],
      ['12a', '1 2', '-1'],
    ],
    'letters-only': [
      ['Smith', "O'Neil", 'Anne-Marie', 'de la Cruz'],
      ['Sm1th', ' Smith', ''],
    ],
  };
  for (const format of NAMED_FORMATS) {
    test(format.name, () => {
      assert.equal(patternProblem(format.pattern), null, 'RE2 compiles it');
      assert.equal(formatOfPattern(format.pattern), format);
      const [good, bad] = cases[format.id]!;
      for (const s of good) assert.ok(matchesPattern(format.pattern, s), `${format.id} accepts ${s}`);
      for (const s of bad) assert.ok(!matchesPattern(format.pattern, s), `${format.id} refuses ${s}`);
      assert.ok(matchesPattern(format.pattern, format.example));
    });
  }
});

describe('"is not" conditions in the definition', () => {
  const definition = () =>
    serviceDefinitionSchema.parse({
      ...sample(),
      fields: sample().fields.filter((f) => f.id !== 'phone'),
      contact: {},
      pages: undefined,
    });

  test('shown unless the answer is one of the values; an unanswered question has none of them', () => {
    const field = definition().fields[2]!;
    assert.equal(isFieldShown(field, { kind: 'cat' }), false);
    assert.equal(isFieldShown(field, { kind: 'dog' }), true);
    assert.equal(isFieldShown(field, {}), true);
    assert.equal(isFieldShown({ ...field, showIf: { field: 'kind', notIn: ['cat', 'dog'] } }, { kind: ['fox', 'dog'] }), false);
  });

  test('answer validation drops a hidden answer and requires a shown one', () => {
    const def = definition();
    const base = { kind: 'cat', place: { line1: '1 High St', postcode: 'SW1A 1AA' }, email: 'a@example.com' };
    const hidden = validateAnswers(def, { ...base, detail: 'by the gate' });
    assert.deepEqual(hidden.errors, []);
    assert.equal(hidden.answers.detail, undefined);
    const shown = validateAnswers(def, { ...base, kind: 'dog' });
    assert.deepEqual(
      shown.errors.map((e) => e.field),
      ['detail'],
    );
  });

  test('the schema: one kind of condition, values from the options, "is not" only on questions with options', () => {
    const bad = (showIf: unknown, fields = sample().fields.slice(0, 3)) =>
      serviceDefinitionSchema.safeParse({
        ...sample(),
        contact: {},
        pages: { where: { title: 'x' } },
        fields: [...fields.slice(0, 2), { ...fields[2], showIf }],
      });
    assert.equal(bad({ field: 'kind', notIn: ['cat'] }).success, true);
    assert.equal(bad({ field: 'kind', notIn: ['cat'], equals: 'dog' }).success, false);
    const messages = (showIf: unknown) =>
      bad(showIf)
        .error?.issues.map((i) => i.message)
        .join('; ') ?? '';
    assert.match(messages({ field: 'kind', notIn: ['wolf'] }), /"wolf" is not an option of "kind"/);
    assert.match(messages({ field: 'place', notIn: ['x'] }), /no options/);
  });
});

describe('the published JSON Schema', () => {
  test('carries notIn, startPage and whatHappensNext', async () => {
    const { serviceDefinitionJsonSchema } = await import('../../core/http/routes/services.ts');
    const text = JSON.stringify(serviceDefinitionJsonSchema());
    for (const key of ['"notIn"', '"startPage"', '"whatHappensNext"']) assert.ok(text.includes(key), key);
  });
});
