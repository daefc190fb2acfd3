// The library's registrations and paid requests, through the real API: a planning condition ends the contaminated land
// enquiry on its exit page; its spending limit is an amount of money read and checked as pounds; the food business
// registration is not sent without the operator's declaration; the skin piercing registration names each practitioner
// in its errors and sends each one to the back office as an element of its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadServiceFiles, type ServiceDefinition } from '../../core/services/index.ts';
import { parseXmlSafely, selectAll, selectText } from '../../core/xml/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { answersFor } from './variants.ts';

const NAMESPACE = { eh: 'urn:example-council:envhealth:v1' };
const { services } = loadServiceFiles('config/services', { bindings: new Set(['sandbox']), channels: new Set(['email']), xsdDir: resolve('config/xsd') });
const service = (id: string): ServiceDefinition => {
  const found = services.find((s) => s.definition.id === id);
  assert.ok(found, `${id} loads`);
  return found.definition;
};

interface Refusal {
  errors: { field: string; message: string }[];
}

describe('the library: registrations and paid requests', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ worker: { sweepAfterMs: 300, sweepIntervalMs: 300 } });
  });
  after(() => t.close());

  const submit = (serviceId: string, answers: Record<string, unknown>): Promise<Response> =>
    fetch(`${t.url}/api/v1/services/${serviceId}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });

  /** Sends answers that must be accepted, and returns the XML the sandbox received for them. */
  async function delivered(serviceId: string, answers: Record<string, unknown>) {
    const res = await submit(serviceId, answers);
    assert.equal(res.status, 201, await res.clone().text());
    const { reference } = (await res.json()) as { reference: string };
    const end = Date.now() + 30_000;
    for (;;) {
      const row = await t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]);
      if (row) return parseXmlSafely(Buffer.from(row.body));
      const dead = await t.hub.db.row<{ last_error: string }>(
        "select d.last_error from deliveries d join processes p on p.id = d.process_id where p.reference = $1 and d.status = 'dead'",
        [reference],
      );
      assert.ok(!dead, `${reference} was not delivered: ${dead?.last_error}`);
      assert.ok(Date.now() < end, `${reference} never reached the sandbox`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('contaminated-land-enquiry: a planning condition leads to the planning exit page, so the API refuses it', async () => {
    const def = service('contaminated-land-enquiry');
    const refusal = [{ field: 'planningCondition', message: 'Send this to our planning team' }];
    const whole = await submit(def.id, { ...answersFor(def, 0), purpose: 'planning-condition' });
    assert.equal(whole.status, 422);
    assert.deepEqual(((await whole.json()) as Refusal).errors, refusal, 'the exit is the only reason given');
    // The questions after the exit page are off the path: none of them is asked for.
    const alone = await submit(def.id, { purpose: 'planning-condition' });
    assert.equal(alone.status, 422);
    assert.deepEqual(((await alone.json()) as Refusal).errors, refusal);
    for (const purpose of ['buying', 'building', 'concern', 'other']) {
      const res = await submit(def.id, { ...answersFor(def, 0), purpose });
      assert.equal(res.status, 201, `${purpose}: ${await res.clone().text()}`);
    }
  });

  test('contaminated-land-enquiry: the spending limit is read as pounds, checked against £160, and sent as 1250.00', async () => {
    const def = service('contaminated-land-enquiry');
    const detailed = { ...answersFor(def, 0), searchType: 'detailed' };
    for (const [costLimit, message] of [
      [100, 'Spending limit for the search must be £160 or more'],
      ['£9,000', 'Spending limit for the search must be £5,000 or less'],
      ['200.50', 'Spending limit for the search must be in whole pounds, like 120'],
      ['a lot', 'Spending limit for the search must be an amount of money, like 12.50'],
      ['', 'Enter your spending limit for the search'],
    ] as const) {
      const res = await submit(def.id, { ...detailed, costLimit });
      assert.equal(res.status, 422, String(costLimit));
      assert.deepEqual(((await res.json()) as Refusal).errors, [{ field: 'costLimit', message }], String(costLimit));
    }

    const doc = await delivered(def.id, { ...detailed, costLimit: '£1,250' });
    assert.equal(selectText(doc, '/eh:ContaminatedLandEnquiry/eh:Search/eh:Type', NAMESPACE), 'DETAILED');
    assert.equal(selectText(doc, '/eh:ContaminatedLandEnquiry/eh:Search/eh:CostLimit', NAMESPACE), '1250.00');

    // A basic search has a fixed fee: the limit is not asked, and one sent anyway is dropped.
    const basic = await delivered(def.id, { ...answersFor(def, 0), searchType: 'basic', costLimit: 300 });
    assert.equal(selectAll(basic, '//eh:CostLimit', NAMESPACE).length, 0);
  });

  test('food-business-registration: not sent without the declaration; with it, the register is told it was agreed', async () => {
    const def = service('food-business-registration');
    const answers = answersFor(def, 0);
    assert.equal(answers.declaration, true, 'the sample answers agree');
    for (const declaration of [undefined, false, 'no']) {
      const res = await submit(def.id, { ...answers, declaration });
      assert.equal(res.status, 422, String(declaration));
      const { errors } = (await res.json()) as Refusal;
      assert.deepEqual(
        errors.map((e) => e.field),
        ['declaration'],
        String(declaration),
      );
      // Left out, it is asked for as a page would ("Select …"); a value other than true is refused.
      if (declaration === undefined) assert.match(errors[0]!.message, /^Select /);
    }
    const doc = await delivered(def.id, answers);
    assert.equal(selectText(doc, '/eh:FoodBusinessRegistration/eh:DeclarationAgreed', NAMESPACE), 'true');
    assert.equal(selectText(doc, '/eh:FoodBusinessRegistration/eh:Opening/eh:AlreadyTrading', NAMESPACE), 'false');
  });

  test('food-business-registration: the opening date is asked before trading starts, the start date after', async () => {
    const def = service('food-business-registration');
    const base = answersFor(def, 0);
    const notYet = await submit(def.id, { ...base, tradingStatus: 'not-yet', openingDate: undefined });
    assert.equal(notYet.status, 422);
    assert.deepEqual(((await notYet.json()) as Refusal).errors, [{ field: 'openingDate', message: 'Enter the date the business will start trading' }]);

    const trading = await delivered(def.id, { ...base, tradingStatus: 'trading', openingDate: '2027-03-01', tradingSince: '2026-02-01' });
    assert.equal(selectText(trading, '/eh:FoodBusinessRegistration/eh:Opening/eh:AlreadyTrading', NAMESPACE), 'true');
    assert.equal(selectText(trading, '/eh:FoodBusinessRegistration/eh:Opening/eh:TradingSince', NAMESPACE), '2026-02-01');
    assert.equal(selectAll(trading, '//eh:OpeningDate', NAMESPACE).length, 0, 'the hidden question is dropped');
  });

  test('skin-piercing-registration: errors name the person ("Enter the full name of person 2")', async () => {
    const def = service('skin-piercing-registration');
    const answers = answersFor(def, 0);
    const res = await submit(def.id, {
      ...answers,
      practitioners: [
        { fullName: 'Sam Ink', dateOfBirth: '1990-03-27', treatments: 'Tattooing' },
        { fullName: '', dateOfBirth: '1995-06-01', treatments: 'Ear piercing' },
        { fullName: 'Jo Needle', dateOfBirth: '2999-01-01', treatments: '' },
      ],
    });
    assert.equal(res.status, 422);
    const { errors } = (await res.json()) as Refusal;
    assert.deepEqual(
      errors.map((e) => e.field),
      ['practitioners.1.fullName', 'practitioners.2.dateOfBirth', 'practitioners.2.treatments'],
    );
    assert.equal(errors[0]!.message, 'Enter the full name of person 2');
    assert.match(errors[1]!.message, /^Date of birth of person 3 must be /);
    assert.equal(errors[2]!.message, 'Enter the treatments of person 3');

    const none = await submit(def.id, { ...answers, practitioners: [] });
    assert.equal(none.status, 422);
    assert.deepEqual(((await none.json()) as Refusal).errors, [{ field: 'practitioners', message: 'Add at least one person who will do the treatments' }]);
  });

  test('skin-piercing-registration: each person reaches the back office as a Practitioner element, in order', async () => {
    const def = service('skin-piercing-registration');
    const doc = await delivered(def.id, {
      ...answersFor(def, 0),
      practitioners: [
        { fullName: 'Sam Ink', dateOfBirth: '1990-03-27', treatments: 'Tattooing', experience: '10 years & a licence from another council' },
        { fullName: 'Jo Needle', dateOfBirth: '1995-06-01', treatments: 'Ear piercing' },
      ],
    });
    const path = '/eh:SkinPiercingRegistration/eh:Practitioners/eh:Practitioner';
    assert.equal(selectAll(doc, path, NAMESPACE).length, 2);
    assert.equal(selectText(doc, `${path}[1]/eh:Experience`, NAMESPACE), '10 years & a licence from another council');
    assert.equal(selectText(doc, `${path}[2]/eh:Name`, NAMESPACE), 'Jo Needle');
    assert.equal(selectText(doc, `${path}[2]/eh:DateOfBirth`, NAMESPACE), '1995-06-01');
    assert.equal(selectAll(doc, `${path}[2]/eh:Experience`, NAMESPACE).length, 0, 'an optional answer left out sends no element');
  });
});
