// Issue 20 acceptance, generated from config/services at run time: every service's pages walked as a citizen in
// Chromium with the sample answers, with JavaScript (axe clean on every page: start, each question and each finder or
// location step, check your answers, confirmation) and without; sent; the sandbox back office receives XML valid
// against the service's XSD, with the reference, every answer and every uploaded file. Beside it, every exit page is
// reached once by the answer that leads there, and offers no way on. One hub and one browser for the whole file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { formPath } from '../../core/services/form-path.ts';
import { loadServiceFiles, type Field, type ServiceDefinition } from '../../core/services/index.ts';
import { loadXsd, validateXml } from '../../core/xml/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { axeChecker, launchBrowser, newPage, type AxeChecker, type GuardedPage } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { assertAt, navigate, sampleFile, walkAnswers, walkForm, type Walker } from './walk-pages.ts';

const XSD_DIR = resolve('config/xsd');
const { services, problems } = loadServiceFiles('config/services', { bindings: new Set(['sandbox']), channels: new Set(['email']), xsdDir: XSD_DIR });
const definitions = services.map((s) => s.definition);

type ExitField = Extract<Field, { type: 'exit' }>;

/** How each exit page of a service is reached: the question and the answer that lead there (a goTo, else its showIf),
 * or null when nothing does (the test then fails, naming the page). */
function exitRoutes(def: ServiceDefinition): { exit: ExitField; answer: { field: string; value: string } | null; how: string }[] {
  return def.fields
    .filter((f): f is ExitField => f.type === 'exit')
    .map((exit) => {
      const pageId = exit.page ?? exit.id;
      const byGoTo = def.fields
        .flatMap((f) =>
          f.type === 'radios' || f.type === 'select' ? f.options.filter((o) => o.goTo === pageId).map((o) => ({ field: f.id, value: o.value })) : [],
        )
        .at(0);
      if (byGoTo) return { exit, answer: byGoTo, how: `${byGoTo.field} = ${byGoTo.value} (goTo)` };
      const condition = exit.showIf;
      const asker = condition && def.fields.find((f) => f.id === condition.field);
      const options = asker && 'options' in asker ? asker.options.map((o) => o.value) : [];
      const value = condition && (condition.equals ?? condition.in?.[0] ?? options.find((v) => !condition.notIn?.includes(v)));
      if (condition && value !== undefined) return { exit, answer: { field: condition.field, value }, how: `${condition.field} = ${value} (showIf)` };
      return { exit, answer: null, how: 'an answer' };
    });
}

/** Walks at once: the hub's and the browser's waits overlap (CI's browser lane has two cores). */
const CONCURRENCY = Number(process.env.LIBRARY_WALK_CONCURRENCY ?? 2);

describe('the service library walked in Chromium', { concurrency: CONCURRENCY }, () => {
  let t: TestHub;
  let browser: Browser;
  /** One checker for the file: it runs one page at a time (axe refuses two runs at once), so concurrent walks wait their turn. */
  let checker: AxeChecker;
  let axeRuns = 0;
  let started = Date.now();
  before(async () => {
    started = Date.now();
    t = await startTestHub({
      worker: { sweepAfterMs: 300, sweepIntervalMs: 300 },
      // Every walk searches addresses from 127.0.0.1: the per-address limit is for a library's shared computer, not this.
      configure: (c) => void (c.server.rateLimits.addressLookupsPerAddress = 10_000),
    });
    browser = await launchBrowser();
    checker = await axeChecker(browser, t.url);
  });
  after(async () => {
    await checker?.close();
    await browser?.close();
    await t?.close();
    // The figure CI's time budget is checked against (the machine's load average says how busy it was meanwhile).
    const cpu = process.cpuUsage();
    console.log(
      `# the library walk: ${definitions.length} services in ${((Date.now() - started) / 1000).toFixed(1)} s, ${axeRuns} pages checked by axe; ` +
        `hub and test ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU; load average ${loadavg()[0]!.toFixed(1)}`,
    );
  });

  /** A citizen's browser, under the hub's real CSP; with `axe`, every page it reaches is checked as it shows it. */
  async function citizen(
    def: ServiceDefinition,
    js: boolean,
    axe = js,
  ): Promise<{ guarded: GuardedPage; walker: Walker; axeClean(step: string): Promise<void> }> {
    const guarded = await newPage(browser, { javaScriptEnabled: js });
    const axeClean = async (step: string) => {
      const html = await guarded.page.content();
      axeRuns++;
      const violations = await checker.violations(html);
      assert.deepEqual(
        violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        `${def.id}: axe at "${step}"`,
      );
    };
    const walker: Walker = {
      page: guarded.page,
      def,
      origin: t.url,
      // With JavaScript the finder is used, without it its manual entry: both ways are walked for every service.
      finder: js,
      check: async (step) => {
        if (axe) await axeClean(step);
      },
    };
    return { guarded, walker, axeClean };
  }

  test('config/services loads without problems, and every service has an XSD to check its XML against', () => {
    assert.deepEqual(problems, []);
    assert.ok(definitions.length >= 12, `the library's services (found ${definitions.length})`);
    for (const def of definitions) assert.ok(def.xml?.xsd, `${def.id} has an XML mapping and its XSD`);
  });

  test("axe, as the walks run it, sees the citizen's page: a real page with an unlabelled input fails", async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: true });
    try {
      await guarded.page.goto(`${t.url}/services/${definitions[0]!.id}`);
      const html = await guarded.page.content();
      assert.deepEqual(await checker.violations(html), [], 'the start page as it is');
      const spoilt = html.replace('<main', '<main><input type="text" name="unlabelled"></main><main hidden');
      assert.ok(
        (await checker.violations(spoilt)).some((v) => v.id === 'label'),
        'an input without a label is a violation',
      );
    } finally {
      await guarded.close();
    }
  });

  test('the guard the walks run under records a request for another host, and nothing from it loads', async () => {
    const guarded = await newPage(browser, { javaScriptEnabled: true });
    try {
      await guarded.page.goto(`${t.url}/services/${definitions[0]!.id}`);
      const loaded = await guarded.page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const img = document.createElement('img');
            img.onload = () => resolve(true);
            img.onerror = () => resolve(false);
            img.src = 'https://fonts.example.com/logo.png';
            document.body.append(img);
          }),
      );
      assert.equal(loaded, false, 'nothing loads from another host');
      assert.deepEqual(guarded.blocked, ['https://fonts.example.com/logo.png']);
    } finally {
      await guarded.close();
    }
  });

  for (const def of definitions) {
    for (const js of [true, false]) {
      test(`${def.id}: walked with sample answers (${js ? 'JavaScript, axe clean' : 'no JavaScript'}) → sent → XML valid against ${def.xml?.xsd}`, async () => {
        const { guarded, walker } = await citizen(def, js);
        const { page } = guarded;
        const answers = walkAnswers(def);
        try {
          const pages = await walkForm(walker, answers);
          assert.equal(formPath(def, answers).exit, null, `${def.id}: the sample answers lead to an exit page`);
          assert.match(await page.locator('h1').innerText(), /^Check your answers/);
          await walker.check('check your answers');
          await navigate(page, () => page.getByRole('button', { name: 'Accept and send' }).click());
          await assertAt(walker, 'confirmation');
          await walker.check('confirmation');
          const reference = new RegExp(`${def.referencePrefix}-[A-Z0-9]{8}`).exec(await page.locator('main').innerText())?.[0];
          assert.ok(reference, `${def.id}: a reference on the confirmation page`);

          const xml = await received(reference);
          const checked = validateXml(xml, loadXsd(XSD_DIR, def.xml!.xsd));
          assert.deepEqual(checked.errors, [], `${def.id}: the sandbox's XML is valid against ${def.xml!.xsd}:\n${xml}`);
          assert.ok(xml.includes(`>${reference}<`), `${def.id}: the XML carries the reference`);

          const process = await t.hub.db.row<{ id: string; answers: Record<string, unknown> }>('select id, answers from processes where reference = $1', [
            reference,
          ]);
          const files = pages.flatMap((p) => p.fields).filter((f) => f.type === 'file' && f.id in answers && sampleFile(f));
          const asked = Object.keys(answers).filter((id) => !files.some((f) => f.id === id) && def.fields.find((f) => f.id === id)?.type !== 'file');
          assert.deepEqual(
            Object.keys(process!.answers)
              .filter((id) => !files.some((f) => f.id === id))
              .sort(),
            asked.sort(),
            `${def.id}: every answer given on the pages reached the case`,
          );
          const evidence = await t.hub.db.rows<{ field_id: string }>("select field_id from documents where process_id = $1 and kind = 'evidence'", [
            process!.id,
          ]);
          assert.deepEqual(evidence.map((d) => d.field_id).sort(), files.map((f) => f.id).sort(), `${def.id}: each file uploaded is a document of the case`);
          assert.deepEqual(guarded.blocked, [], 'nothing loaded from outside this machine');
          assert.deepEqual(guarded.consoleErrors, [], 'no CSP violation or script error');
        } finally {
          await guarded.close();
        }
      });
    }
  }

  for (const def of definitions) {
    for (const { exit, answer, how } of exitRoutes(def)) {
      test(`${def.id}: the exit page ${exit.id} is reached by ${how} and offers no way on (axe clean)`, async () => {
        // The pages on the way were checked by the walks above: axe here looks at the exit page alone.
        const { guarded, walker, axeClean } = await citizen(def, true, false);
        const { page } = guarded;
        try {
          assert.ok(answer, `${def.id}: no answer leads to the exit page ${exit.id}`);
          const asker = def.fields.find((f) => f.id === answer.field);
          const answers = walkAnswers(def, { [answer.field]: asker?.type === 'checkboxes' ? [answer.value] : answer.value });
          assert.equal(formPath(def, answers).exit?.id, exit.id, `${def.id}: ${how} leads to ${exit.id}`);
          await walkForm(walker, answers);
          assert.equal(await page.locator('h1').innerText(), exit.label);
          const firstParagraph = exit.body
            .split(/\n\s*\n/)[0]!
            .replace(/\s+/g, ' ')
            .trim();
          assert.ok((await page.locator('main').innerText()).replace(/\s+/g, ' ').includes(firstParagraph), `${def.id}: the exit page's text`);
          assert.equal(await page.getByRole('button', { name: 'Continue' }).count(), 0, 'no Continue button');
          assert.equal(await page.getByRole('button', { name: 'Save and come back later' }).count(), 0, 'nothing to save');
          assert.equal(await page.locator('.govuk-back-link').count(), 1, 'a back link');
          await axeClean(`exit page ${exit.id}`);
        } finally {
          await guarded.close();
        }
      });
    }
  }

  /** The sandbox's XML for a reference, once delivered (the delivery's last error if it never is). */
  async function received(reference: string): Promise<string> {
    try {
      const row = await waitFor(
        () => t.hub.db.row<{ body: string }>('select body from sandbox_inbox where reference = $1', [reference]),
        `the sandbox to receive ${reference}`,
        30_000,
      );
      return row.body;
    } catch (err) {
      const delivery = await t.hub.db.row<{ status: string; last_error: string | null }>(
        'select d.status, d.last_error from deliveries d join processes p on p.id = d.process_id where p.reference = $1',
        [reference],
      );
      throw new Error(`${(err as Error).message}: delivery ${JSON.stringify(delivery)}`, { cause: err });
    }
  }
});
