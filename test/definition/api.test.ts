// The definition language's newer parts through the real API (a hub with its worker, Postgres and Redis): a service
// with a goTo, a content page, money, an "add another" list, an exit page, a declaration and a category
// (test/fixtures/definition/blocked-drain.yaml). Its definition is public with the new keys; answers are normalised
// (money "1250.00", the declaration true, list items by question id), an item's mistakes are problem+json pointing at
// list.index.question, a goTo's skipped answers are dropped, answers leading to the exit page are refused; and the
// sandbox back office receives XML its XSD accepts, with one element per person.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { waitFor } from '../helpers/wait.ts';
import { loadXsd, parseXmlSafely, validateXml } from '../../core/xml/index.ts';

const SERVICE = 'blocked-drain';

interface Problem {
  status: number;
  title: string;
  errors: { field: string; message: string }[];
}

describe('the definition language through the API', () => {
  let t: TestHub;
  let servicesDir: string;
  let xsdDir: string;
  let key: string;

  before(async () => {
    servicesDir = await mkdtemp(join(tmpdir(), 'closeloop-services-'));
    xsdDir = await mkdtemp(join(tmpdir(), 'closeloop-xsd-'));
    await copyFile('test/fixtures/definition/blocked-drain.yaml', join(servicesDir, `${SERVICE}.yaml`));
    await copyFile('test/fixtures/xsd/drain-fixture.xsd', join(xsdDir, 'drain-fixture.xsd'));
    t = await startTestHub({
      worker: true,
      configure: (c) => {
        c.paths.services = servicesDir;
        c.paths.xsd = xsdDir;
      },
    });
    key = await t.key([SERVICE]);
  });
  after(async () => {
    await t?.close();
    await rm(servicesDir, { recursive: true, force: true });
    await rm(xsdDir, { recursive: true, force: true });
  });

  async function submit(answers: Record<string, unknown>): Promise<{ status: number; type: string | null; body: unknown }> {
    const res = await fetch(`${t.url}/api/v1/services/${SERVICE}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  }

  async function storedAnswers(processId: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${t.url}/api/v1/processes/${processId}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { answers: Record<string, unknown> }).answers;
  }

  test('GET the service shows the new keys: category, content, exit, declaration, money, list, goTo', async () => {
    const res = await fetch(`${t.url}/api/v1/services/${SERVICE}`);
    assert.equal(res.status, 200);
    const { definition } = (await res.json()) as { definition: Record<string, unknown> & { fields: Record<string, unknown>[] } };
    assert.equal(definition.category, 'waste-and-streets');
    assert.equal(definition.xml, undefined, 'the mapping stays private');
    const field = (id: string) => definition.fields.find((f) => f.id === id)!;
    assert.deepEqual(
      (field('where').options as { goTo?: string }[]).map((o) => o.goTo),
      [undefined, 'waterCompany', 'people'],
    );
    assert.equal(field('safety').type, 'content');
    assert.match(field('safety').body as string, /Keep children and pets away/);
    assert.equal(field('safety').warning, 'If sewage is coming into your home, call your water company now.');
    assert.deepEqual([field('fee').type, field('fee').min, field('fee').max, field('fee').wholePounds], ['money', 1, 5000, false]);
    assert.equal(field('people').itemName, 'person');
    assert.equal(field('people').maxItems, 5);
    assert.deepEqual(
      (field('people').fields as { id: string; type: string }[]).map((f) => `${f.id}:${f.type}`),
      ['name:text', 'age:number', 'paid:money'],
    );
    assert.deepEqual([field('waterCompany').type, field('waterCompany').label], ['exit', 'Contact your water company']);
    assert.deepEqual(
      [field('agree').type, field('agree').confirm, field('agree').required],
      ['declaration', 'I confirm the information I have given is correct', true],
    );
  });

  test('answers are normalised and stored; the sandbox receives XML the XSD accepts, one Affected per person', async () => {
    const sent = await submit({
      where: 'garden',
      fee: '£1,250',
      people: [{ name: ' Ann Smith ', age: '7', paid: 12.5 }, { name: 'Bob Jones' }, { name: '', age: '' }],
      fullName: 'Pat Walker',
      agree: true,
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const { processId, reference } = sent.body as { processId: string; reference: string };
    assert.deepEqual(await storedAnswers(processId), {
      where: 'garden',
      fee: '1250.00',
      people: [{ name: 'Ann Smith', age: 7, paid: '12.50' }, { name: 'Bob Jones' }],
      fullName: 'Pat Walker',
      agree: true,
    });

    const body = await waitFor(async () => {
      const rows = await t.hub.db.rows<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]);
      return rows[0]?.body;
    }, 'the sandbox to receive the delivery');
    const checked = validateXml(body, loadXsd(xsdDir, 'drain-fixture.xsd'));
    assert.deepEqual(checked.errors, [], body);
    const doc = parseXmlSafely(body);
    const ns = { d: 'urn:example-council:drains:v1' };
    const affected = doc.find('/d:DrainReport/d:Affected', ns);
    assert.equal(affected.length, 2, 'one element per person (the empty third item was dropped)');
    const texts = (path: string) => doc.find(path, ns).map((n) => (n as unknown as { text(): string }).text());
    assert.deepEqual(texts('/d:DrainReport/d:Affected/d:Name'), ['Ann Smith', 'Bob Jones']);
    assert.deepEqual(texts('/d:DrainReport/d:Affected/d:Paid'), ['12.50']);
    assert.deepEqual(texts('/d:DrainReport/d:ContractorFee'), ['1250.00']);
    assert.deepEqual(texts('/d:DrainReport/d:Declared'), ['true']);
    assert.deepEqual(texts('/d:DrainReport/d:Where'), ['GARDEN']);
  });

  test("a list item's mistakes are problem+json pointing at list.index.question, in GOV.UK words naming the item", async () => {
    const sent = await submit({
      where: 'shared',
      people: [{ name: 'Ann' }, { age: '3.5', paid: 'ten pounds' }, { name: 'Cy', shoe: 9 }],
      fullName: 'Pat Walker',
      agree: true,
    });
    assert.equal(sent.status, 422);
    assert.match(sent.type ?? '', /application\/problem\+json/);
    const problem = sent.body as Problem;
    assert.deepEqual(problem.errors, [
      { field: 'people.1.name', message: 'Enter full name of person 2' },
      { field: 'people.1.age', message: 'Age of person 2 must be a whole number' },
      { field: 'people.1.paid', message: 'Amount they paid of person 2 must be an amount of money, like 12.50' },
      { field: 'people.2.shoe', message: 'is not a question of this list' },
    ]);
    const few = await submit({ where: 'shared', people: [], fullName: 'Pat', agree: true });
    assert.deepEqual((few.body as Problem).errors, [{ field: 'people', message: 'Add at least one person' }]);
    const many = await submit({ where: 'shared', people: Array.from({ length: 6 }, (_, i) => ({ name: `P${i}` })), fullName: 'Pat', agree: true });
    assert.deepEqual((many.body as Problem).errors, [{ field: 'people', message: 'You can add up to 5 people' }]);
  });

  test('money and the declaration refused in GOV.UK words', async () => {
    const sent = await submit({ where: 'garden', fee: '0.50', people: [{ name: 'Ann' }], fullName: 'Pat', agree: false });
    assert.equal(sent.status, 422);
    assert.deepEqual((sent.body as Problem).errors, [
      { field: 'fee', message: 'How much you paid a contractor must be £1 or more' },
      { field: 'agree', message: 'must be true (the citizen confirms the declaration)' },
    ]);
    const missing = await submit({ where: 'garden', fee: '12.345', people: [{ name: 'Ann' }], fullName: 'Pat' });
    assert.deepEqual((missing.body as Problem).errors, [
      { field: 'fee', message: 'How much you paid a contractor must be an amount of money, like 12.50' },
      { field: 'agree', message: 'Select the box to confirm the declaration' },
    ]);
  });

  test('multipart: money and the declaration as parts of their own, the list in the answers part', async () => {
    const form = new FormData();
    form.append('answers', JSON.stringify({ people: [{ name: 'Ann Smith', paid: '£3' }] }));
    form.append('where', 'garden');
    form.append('fee', '£1,250.5');
    form.append('fullName', 'Pat Walker');
    form.append('agree', 'yes');
    const res = await fetch(`${t.url}/api/v1/services/${SERVICE}/submissions`, { method: 'POST', body: form });
    assert.equal(res.status, 201, await res.clone().text());
    const answers = await storedAnswers(((await res.json()) as { processId: string }).processId);
    assert.deepEqual(answers, { where: 'garden', fee: '1250.50', people: [{ name: 'Ann Smith', paid: '3.00' }], fullName: 'Pat Walker', agree: true });
  });

  test('the answers of pages a goTo skips are dropped, not refused', async () => {
    const sent = await submit({ where: 'shared', fee: '99', people: [{ name: 'Ann' }], fullName: 'Pat Walker', agree: 'yes' });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const answers = await storedAnswers((sent.body as { processId: string }).processId);
    assert.deepEqual(answers, { where: 'shared', people: [{ name: 'Ann' }], fullName: 'Pat Walker', agree: true }, 'the fee page was skipped');
  });

  test('answers that lead to the exit page are refused with 422 naming it; a content page takes no answer', async () => {
    const exit = await submit({ where: 'road', people: [{ name: 'Ann' }], fullName: 'Pat', agree: true });
    assert.equal(exit.status, 422);
    assert.deepEqual((exit.body as Problem).errors, [{ field: 'waterCompany', message: 'Contact your water company' }]);
    const content = await submit({ where: 'garden', safety: 'read it', people: [{ name: 'Ann' }], fullName: 'Pat', agree: true });
    assert.equal(content.status, 422);
    assert.deepEqual((content.body as Problem).errors, [{ field: 'safety', message: 'is not a question: this page asks nothing' }]);
    const answeredExit = await submit({ where: 'garden', waterCompany: 'yes', people: [{ name: 'Ann' }], fullName: 'Pat', agree: true });
    assert.deepEqual((answeredExit.body as Problem).errors, [{ field: 'waterCompany', message: 'is not a question: this page asks nothing' }]);
    const count = await t.hub.db.rows<{ n: string }>('select count(*) as n from processes where service_id = $1', [SERVICE]);
    assert.equal(Number(count[0]!.n), 3, 'only the three accepted submissions were stored');
  });
});
