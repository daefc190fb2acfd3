// The catalogue over HTTP: the citizen home page lists the published services by category (and by council on a hub
// shared by several), and GET /api/v1/services gives each service's category, filters by one, and refuses an unknown one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { rmSync } from 'node:fs';
import { SERVICE_CATEGORIES } from '../../core/services/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { expectedSections, library, twoCouncilConfig } from './support.ts';

interface Listed {
  id: string;
  title: string;
  description?: string;
  category?: string;
  categoryLabel?: string;
}

/** The page's catalogue in reading order: headings (h2, h3) and service links, with the text after each link. */
function outline(html: string): string[] {
  const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
  return [...main.matchAll(/<h([23])[^>]*>([^<]+)<\/h\1>|<a class="govuk-link[^"]*" href="\/services\/([a-z0-9-]+)">/g)].map((m) =>
    m[3] ? `service ${m[3]}` : `h${m[1]} ${m[2]!.trim()}`,
  );
}

describe('the catalogue of one council', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t?.close());

  test('every library service has a category', () => {
    assert.ok(library.length >= 12);
    for (const def of library) assert.ok(def.category, `${def.id} has a category`);
  });

  test('the home page lists the services under a heading per category, in catalogue order, A–Z under each, with their descriptions', async () => {
    const res = await fetch(`${t.url}/`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1 class="govuk-heading-xl">Online services<\/h1>/);
    assert.match(html, /Report a problem or request a service from Example District Council\./);
    const expected = expectedSections(library).flatMap(([heading, ids]) => [`h2 ${heading}`, ...ids.map((id) => `service ${id}`)]);
    assert.deepEqual(outline(html), expected);
    // By hand, for the first section: "Report a bad smell", "Report a bonfire…", "Report a noise…", "Report light…".
    assert.deepEqual(outline(html).slice(0, 5), [
      'h2 Noise and nuisance',
      'service odour-nuisance',
      'service bonfire-smoke',
      'service noise-complaint',
      'service light-nuisance',
    ]);
    for (const def of library) {
      const link = html.indexOf(`href="/services/${def.id}"`);
      const description = html.indexOf(def.description!.replace(/'/g, '&#39;'), link);
      assert.ok(link > 0 && description > link && description - link < 400, `${def.id}: its description follows its link`);
    }
  });

  test('GET /api/v1/services gives each service its category and label, in catalogue order', async () => {
    const res = await fetch(`${t.url}/api/v1/services`);
    assert.equal(res.status, 200);
    const { services } = (await res.json()) as { services: Listed[] };
    assert.deepEqual(
      services.map((s) => s.id),
      expectedSections(library).flatMap(([, ids]) => ids),
    );
    for (const s of services) {
      const def = library.find((d) => d.id === s.id)!;
      assert.equal(s.category, def.category, s.id);
      assert.equal(s.categoryLabel, SERVICE_CATEGORIES[def.category!], s.id);
    }
    assert.deepEqual(
      services.filter((s) => s.id === 'noise-complaint').map((s) => [s.category, s.categoryLabel]),
      [['noise-and-nuisance', 'Noise and nuisance']],
    );
  });

  test('?category= lists that category only; a category without services gives an empty list', async () => {
    const food = (await (await fetch(`${t.url}/api/v1/services?category=food-safety`)).json()) as { services: Listed[] };
    assert.deepEqual(
      food.services.map((s) => s.id),
      library
        .filter((d) => d.category === 'food-safety')
        .sort((a, b) => a.title.localeCompare(b.title, 'en-GB'))
        .map((d) => d.id),
    );
    assert.ok(food.services.length >= 2);
    const unused = Object.keys(SERVICE_CATEGORIES).find((c) => !library.some((d) => d.category === c));
    if (unused) {
      const res = await fetch(`${t.url}/api/v1/services?category=${unused}`);
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { services: Listed[] }).services, []);
    }
  });

  test('an unknown category, an empty one or two at once is 400 problem+json naming the categories', async () => {
    for (const query of ['category=parking', 'category=', 'category=housing&category=food-safety', 'category=Housing']) {
      const res = await fetch(`${t.url}/api/v1/services?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', query);
      const problem = (await res.json()) as { status: number; detail?: string; errors?: { field: string; message: string }[] };
      assert.equal(problem.status, 400);
      assert.match(JSON.stringify(problem), /category/, query);
    }
    const res = await fetch(`${t.url}/api/v1/services?category=parking`);
    assert.match(await res.text(), /noise-and-nuisance, pests-and-animals, food-safety, housing, waste-and-streets/);
  });

  test('/openapi.json documents the category filter and the two new fields', async () => {
    const spec = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, { get: { parameters?: { name: string; in: string; schema: { enum?: string[] } }[] } }>;
    };
    const op = spec.paths['/api/v1/services']!.get;
    const param = op.parameters?.find((p) => p.name === 'category');
    assert.ok(param, 'the category parameter is documented');
    assert.equal(param.in, 'query');
    assert.deepEqual(param.schema.enum, Object.keys(SERVICE_CATEGORIES));
    const text = JSON.stringify(spec);
    assert.match(text, /"categoryLabel"/);
  });
});

describe('the catalogue of a hub shared by two councils', () => {
  let t: TestHub;
  let configFile: string;
  before(async () => {
    configFile = twoCouncilConfig();
    t = await startTestHub({ configFile, env: { SMTP_PORT: '1025' } });
  });
  after(async () => {
    await t?.close();
    rmSync(dirname(configFile), { recursive: true, force: true });
  });

  test("the home page lists each council's services under its name, by category, the uncategorised as Other services", async () => {
    const html = await (await fetch(`${t.url}/`)).text();
    assert.deepEqual(outline(html), [
      'h2 South Borough Council',
      'h3 Noise and nuisance',
      'service noise',
      'h3 Other services',
      'service barking',
      'h2 North District Council',
      'h3 Other services',
      'service pests',
    ]);
    assert.match(html, /Report a problem or request a service\./);
  });

  test('the API has no category for a service without one', async () => {
    const { services } = (await (await fetch(`${t.url}/api/v1/services`)).json()) as { services: Listed[] };
    assert.deepEqual(
      services.map((s) => [s.id, s.category ?? null, s.categoryLabel ?? null]),
      [
        ['noise', 'noise-and-nuisance', 'Noise and nuisance'],
        ['barking', null, null],
        ['pests', null, null],
      ],
    );
  });
});
