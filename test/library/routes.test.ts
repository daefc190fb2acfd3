// The library's routes by answer, through the real API: an answer that leads to an exit page (a street light, a public
// sewer) can never be sent, and the questions after it are not asked; the air pollution report's "add another" list of
// the people affected names the person in its errors and reaches the back office as one element per person.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadServiceFiles, type ServiceDefinition } from '../../core/services/index.ts';
import { parseXmlSafely, selectAll, selectText } from '../../core/xml/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { FormClient, headingOf, type PageResponse } from '../forms/form-client.ts';
import { answersFor } from './variants.ts';

const NAMESPACE = { eh: 'urn:example-council:envhealth:v1' };
const { services } = loadServiceFiles('config/services', { bindings: new Set(['sandbox']), channels: new Set(['email']), xsdDir: resolve('config/xsd') });
const service = (id: string): ServiceDefinition => services.find((s) => s.definition.id === id)!.definition;

/** Where a redirect leads (its path). */
const pathOf = (r: PageResponse) => (r.location ? new URL(r.location, 'http://x').pathname : `(no redirect: ${r.status})`);
/** The href of the page's back link. */
const backLinkOf = (html: string) => /<a\b(?=[^>]*class="govuk-back-link")[^>]*href="([^"]+)"/.exec(html)?.[1];
const hasContinue = (html: string) => /<button[^>]*>\s*Continue\s*<\/button>/.test(html);

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
      assert.equal(failed, null, `${reference} was not delivered: ${failed?.last_error}`);
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

  test('light-nuisance pages: a street light leads to the highways authority page, which ends the form (no Continue)', async () => {
    const c = new FormClient(t.url);
    const street = await c.answer('/services/light-nuisance/lightType', { lightType: 'street-light' });
    assert.equal(pathOf(street), '/services/light-nuisance/streetLights');
    const exit = await c.get('/services/light-nuisance/streetLights');
    assert.equal(exit.status, 200);
    assert.equal(headingOf(exit.html), 'Street lights are looked after by the highways authority');
    assert.match(exit.html, /01632 960 610/);
    assert.equal(hasContinue(exit.html), false, 'an exit page has no Continue button');
    assert.equal(backLinkOf(exit.html), '/services/light-nuisance/lightType');

    const flood = await c.answer('/services/light-nuisance/lightType', { lightType: 'floodlight' });
    assert.equal(pathOf(flood), '/services/light-nuisance/the-source', 'any other light goes on to the questions');
  });

  test('filthy-verminous-premises pages: the form opens on the page saying we are here to help, with its 999 warning', async () => {
    const c = new FormClient(t.url);
    const start = await c.get('/services/filthy-verminous-premises');
    assert.match(start.html, /href="\/services\/filthy-verminous-premises\/howWeHelp"/, 'Start now leads to the content page');
    const page = await c.get('/services/filthy-verminous-premises/howWeHelp');
    assert.equal(page.status, 200);
    assert.equal(headingOf(page.html), 'We are here to help');
    assert.match(page.html, /class="govuk-warning-text"[\s\S]*?If someone is in danger, call 999\./);
    assert.match(page.html, /We will be kind and respectful\./);
    assert.ok(hasContinue(page.html), 'a content page goes on');
    const on = await c.answer('/services/filthy-verminous-premises/howWeHelp', {});
    assert.equal(pathOf(on), '/services/filthy-verminous-premises/relationship');
  });

  test('blocked-drain pages: escaping sewage brings the safety page; none skips it', async () => {
    const c = new FormClient(t.url);
    const none = await c.answer('/services/blocked-drain/sewageEscaping', { sewageEscaping: 'no' });
    assert.equal(pathOf(none), '/services/blocked-drain/howLong');
    const inside = await c.answer('/services/blocked-drain/sewageEscaping', { sewageEscaping: 'inside' });
    assert.equal(pathOf(inside), '/services/blocked-drain/sewageSafety');
    const safety = await c.get('/services/blocked-drain/sewageSafety');
    assert.equal(headingOf(safety.html), 'Keep away from the sewage');
    assert.match(safety.html, /class="govuk-warning-text"[\s\S]*?If sewage is near electric sockets or wiring, do not touch them\./);
    assert.equal(pathOf(await c.answer('/services/blocked-drain/sewageSafety', {})), '/services/blocked-drain/howLong');
    const sewer = await c.answer('/services/blocked-drain/blockageLocation', { blockageLocation: 'public-sewer' });
    assert.equal(pathOf(sewer), '/services/blocked-drain/waterCompany');
    const exit = await c.get('/services/blocked-drain/waterCompany');
    assert.equal(headingOf(exit.html), 'Contact your water company');
    assert.equal(hasContinue(exit.html), false);
  });
});
