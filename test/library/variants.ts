// Answers for the library's tests: the sample answers with each question's options taken in turn, so every option of
// every question (and every code of its lookup table) is sent at least once across a service's variants. Options that
// end the form on an exit page are left out: those answers can never be sent (test/library/routes.test.ts shows it).
import { isFieldShown, type ServiceDefinition } from '../../core/services/index.ts';
import { shownFields } from '../../core/services/form-path.ts';
import { sampleAnswers, sampleDocuments } from '../../core/services/sample-answers.ts';
import type { XmlBuildInput } from '../../core/xml/index.ts';

/** Answers for the library's patterned questions: a registration, a postcode, a phone number, a number. */
const PATTERNED_SAMPLES = ['AB12 CDE', 'EX1 1AA', '01632 960001', '12345'];

/** The answers for one variant: variant 0 takes each question's first option (the sample answers), variant n its nth. */
export function answersFor(def: ServiceDefinition, variant: number): Record<string, unknown> {
  const answers = sampleAnswers(def);
  for (const field of def.fields) {
    if (field.type === 'file')
      delete answers[field.id]; // files travel as multipart parts, never inside the JSON
    else if ((field.type === 'text' || field.type === 'textarea') && field.pattern) {
      // The sample answers leave patterned questions empty; the first of these the pattern accepts fills them.
      const whole = new RegExp(`^(?:${field.pattern})$`);
      const sample = PATTERNED_SAMPLES.find((v) => whole.test(v));
      if (sample !== undefined) answers[field.id] = sample;
    } else if (field.type === 'radios' || field.type === 'select') {
      const options = sendable(def, field);
      answers[field.id] = options[variant % options.length]!.value;
    } else if (field.type === 'checkboxes')
      answers[field.id] =
        variant === 0
          ? answers[field.id]
          : [field.options[variant % field.options.length]!.value, field.options.at(-1)!.value].filter((v, i, all) => all.indexOf(v) === i);
  }
  // As the API does: answers to questions their conditions hide are dropped (in order, so a chain of conditions holds).
  for (const field of def.fields) if (!isFieldShown(field, answers)) delete answers[field.id];
  // …and so are those on pages a goTo skips.
  const onPath = new Set(shownFields(def, answers).map((f) => f.id));
  for (const id of Object.keys(answers)) if (!onPath.has(id)) delete answers[id];
  return answers;
}

/** A question's options that do not lead to an exit page (by goTo). */
function sendable<O extends { goTo?: string }>(def: ServiceDefinition, field: { options: O[] }): O[] {
  const exits = new Set(def.fields.filter((f) => f.type === 'exit').map((f) => f.page ?? f.id));
  return field.options.filter((o) => !o.goTo || !exits.has(o.goTo));
}

/** How many variants it takes for every option of the service's longest list to come up. */
export function mostOptions(def: ServiceDefinition): number {
  return Math.max(1, ...def.fields.map((f) => (f.type === 'radios' || f.type === 'select' ? sendable(def, f).length : 'options' in f ? f.options.length : 1)));
}

/** What the XML mapping sees for one variant, as check-config builds it. */
export function sampleInput(def: ServiceDefinition, variant: number): XmlBuildInput {
  return {
    process: {
      id: '00000000-0000-4000-8000-000000000000',
      reference: `${def.referencePrefix}-ABCD2345`,
      serviceId: def.id,
      serviceVersion: 1,
      submittedAt: '2026-01-15T10:00:00.000Z',
    },
    answers: answersFor(def, variant),
    documents: sampleDocuments(def),
  };
}
