// The library's routes by answer, through the real API: an answer that leads to an exit page (a street light, a public
// sewer) can never be sent, and the questions after it are not asked; the air pollution report's "add another" list of
// the people affected names the person in its errors and reaches the back office as one element per person.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadServiceFiles, type ServiceDefinition } from '../../core/services/index.ts';
import { parseXmlSafely, selectAll, selectText } from '../../core/xml/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { answersFor } from './variants.ts';

const NAMESPACE = { eh: 'urn:example-council:envhealth:v1' };
const { services } = loadServiceFiles('config/services', { bindings: new Set(['sandbox']), channels: new Set(['email']), xsdDir: resolve('config/xsd') });
const service = (id: string): ServiceDefinition => services.find((s) => s.definition.id === id)!.definition;

interface Refusal {
  errors: { field: string; message: string }[];
}

describe('the library: routes by answer and lists', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ worker: { sweepAfterMs: 300, sweepIntervalMs: 300 } });
  });
  after(() => t.close());

  const submit = (serviceId: string, answers: Record<string, unknown>) =>
    fetch(`${t.url}/api/v1/services/${serviceId}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });

  /** The XML the sandbox received for a submission, once delivered. */
  async function deliveredXml(reference: string) {
    const end = Date.now() + 30_000;
    for (;;) {
      const row = await t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]);
      if (row) return parseXmlSafely(Buffer.from(row.body));
      const failed = await t.hub.db.row<{ last_error: string }>(
        "select d.last_error from deliveries d join processes p on p.id = d.process_id where p.reference = $1 and d.status = 'dead'",
        [reference],
      );
      assert.ok(!failed, `${reference} was not delivered: ${failed?.last_error}`);
      assert.ok(Date.now() < end, `${reference} never reached the sandbox`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  for (const [serviceId, question, option, exit, heading] of [
    ['light-nuisance', 'lightType', 'street-light', 'streetLights', 'Street lights are looked after by the highways authority'],
    ['blocked-drain', 'blockageLocation', 'public-sewer', 'waterCompany', 'Contact your water company'],
  ] as const) {
    test(`${serviceId}: "${option}" leads to the exit page "${exit}", so the API refuses it with the page's heading`, async () => {
      // Every other question answered: the exit is the only reason given.
      const whole = await submit(serviceId, { ...answersFor(service(serviceId), 0), [question]: option });
      assert.equal(whole.status, 422);
      assert.deepEqual(((await whole.json()) as Refusal).errors, [{ field: exit, message: heading }]);

      // Nothing else answered: the questions after the exit page are off the citizen's path, so none is required.
      const alone = await submit(serviceId, { [question]: option });
      assert.equal(alone.status, 422);
      assert.deepEqual(((await alone.json()) as Refusal).errors, [{ field: exit, message: heading }]);

      // Any other option goes on through the form and is sent.
      const other = service(serviceId).fields.find((f) => f.id === question);
      assert.ok(other?.type === 'radios');
      for (const o of other.options.filter((o) => o.value !== option)) {
        const res = await submit(serviceId, { ...answersFor(service(serviceId), 0), [question]: o.value });
        assert.equal(res.status, 201, `${o.value}: ${await res.clone().text()}`);
      }
    });
  }

  test('business-air-pollution: each person affected is checked by name ("Enter a description of person 2")', async () => {
    const answers = answersFor(service('business-air-pollution'), 0);
    const res = await submit('business-air-pollution', {
      ...answers,
      peopleAffected: [
        { who: 'My son, aged 6', effect: 'His asthma is worse on days the paint shop is spraying.' },
        { who: '', effect: 'Headaches most evenings.' },
        { who: 'My mother', effect: '' },
        { who: 'x'.repeat(101), effect: 'Sore eyes.' },
      ],
    });
    assert.equal(res.status, 422);
    assert.deepEqual(((await res.json()) as Refusal).errors, [
      { field: 'peopleAffected.1.who', message: 'Enter a description of person 2' },
      { field: 'peopleAffected.2.effect', message: 'Enter the symptoms of person 3' },
      { field: 'peopleAffected.3.who', message: 'Description of person 4 must be 100 characters or less' },
    ]);

    const eleven = Array.from({ length: 11 }, (_, i) => ({ who: `Person ${i + 1}`, effect: 'Coughing.' }));
    const tooMany = await submit('business-air-pollution', { ...answers, peopleAffected: eleven });
    assert.equal(tooMany.status, 422);
    assert.deepEqual(
      ((await tooMany.json()) as Refusal).errors.map((e) => e.field),
      ['peopleAffected'],
    );
  });

  test('business-air-pollution: the people affected reach the back office one element each; an empty list sends none', async () => {
    const answers = answersFor(service('business-air-pollution'), 0);
    const two = await submit('business-air-pollution', {
      ...answers,
      peopleAffected: [
        { who: 'My son, aged 6', effect: 'His asthma is worse.' },
        { who: '', effect: '' }, // an empty item is dropped, not an error
        { who: 'My partner', effect: 'Sore throat & headaches.' },
      ],
    });
    assert.equal(two.status, 201, await two.clone().text());
    const { reference } = (await two.json()) as { reference: string };
    const doc = await deliveredXml(reference);
    const people = selectAll(doc, '/eh:AirPollutionComplaint/eh:OthersAffected/eh:Person', NAMESPACE);
    assert.equal(people.length, 2);
    assert.equal(selectText(doc, '/eh:AirPollutionComplaint/eh:OthersAffected/eh:Person[2]/eh:Who', NAMESPACE), 'My partner');
    assert.equal(selectText(doc, '/eh:AirPollutionComplaint/eh:OthersAffected/eh:Person[2]/eh:Effect', NAMESPACE), 'Sore throat & headaches.');

    const none = await submit('business-air-pollution', { ...answers, peopleAffected: [] });
    assert.equal(none.status, 201, await none.clone().text());
    const alone = await deliveredXml(((await none.json()) as { reference: string }).reference);
    assert.equal(selectAll(alone, '//eh:OthersAffected', NAMESPACE).length, 0, 'no empty OthersAffected element');
  });
});
