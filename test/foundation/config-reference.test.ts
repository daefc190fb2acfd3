// Issue 14, point 14: the configuration reference is generated from the schemas that validate the configuration, so it
// cannot drift: docs/configuration.md must be what `npm run docs:config` writes now, every setting has a description,
// and /schemas/closeloop.json (the same schemas as JSON Schema) accepts the example configs and refuses a wrong one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { configurationReference, configurationSections, settingsOf } from '../../docs/generate/config-reference.ts';
import { inputJsonSchema } from '../../core/config/json-schema.ts';
import { webhookJsonBodySchema } from '../../connectors/webhook/body.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe('the configuration reference', () => {
  test('docs/configuration.md is what the schemas generate (run npm run docs:config after changing a setting)', async () => {
    const committed = await readFile('docs/configuration.md', 'utf8');
    assert.ok(committed === (await configurationReference()), 'docs/configuration.md is out of date: run npm run docs:config');
  });

  test("covers closeloop.yaml, each built-in connector's and channel's config, retry, the webhook's settings and its JSON body", async () => {
    const sections = await configurationSections();
    const settings = (title: RegExp) => sections.find((s) => title.test(s.title))!.rows.map((r) => r.setting);
    assert.ok(settings(/closeloop\.yaml/).includes('bindings.<binding>.retry.scheduleSeconds'));
    assert.ok(settings(/closeloop\.yaml/).includes('bindings.<binding>.retry.attempts'));
    for (const name of ['format', 'reference.jsonPath', 'reference.header', 'reference.xpath', 'headers', 'inboundSecrets'])
      assert.ok(settings(/`webhook`/).includes(name), name);
    assert.ok(settings(/`soap`/).includes('allowInsecureTransport'));
    assert.ok(settings(/`alloy`/).includes('attachmentsAttribute'));
    for (const title of [/`smtp`/, /`govuk-notify`/]) assert.ok(settings(title).length > 3);
    const doc = await configurationReference();
    for (const field of ['deliveryId', 'process.reference', 'answers', 'xml', 'documents[].url']) assert.ok(doc.includes(`| \`${field}\` |`), field);
  });

  test('every setting has a description (a new setting without .describe() fails here)', async () => {
    const rows = [...(await configurationSections()).flatMap((s) => s.rows), ...settingsOf(inputJsonSchema(webhookJsonBodySchema))];
    const bare = rows.filter((r) => !r.description.replace(/^\*With [^*]+:\* /, '').trim()).map((r) => r.setting);
    assert.deepEqual(bare, []);
  });
});

describe('/schemas/closeloop.json', () => {
  let t: TestHub;
  let validate: ValidateFunction;
  before(async () => {
    t = await startTestHub();
    const res = await fetch(`${t.url}/schemas/closeloop.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/schema\+json/);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormatsModule.default(ajv);
    validate = ajv.compile((await res.json()) as object);
  });
  after(async () => {
    await t?.close();
  });

  const errorsOf = (config: unknown) => (validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  const example = async (file: string) => parse(await readFile(file, 'utf8')) as Record<string, any>;

  test('the example configs are valid, references ({ env }, { generated }, {publicBaseUrl}) included', async () => {
    assert.deepEqual(errorsOf(await example('config/closeloop.yaml')), []);
    assert.deepEqual(errorsOf(await example('config/examples/alloy-soap/closeloop.yaml')), []);
  });

  test("a binding's config is checked by its connector's schema, and the file's own settings by the main one", async () => {
    const config = await example('config/closeloop.yaml');
    config.bindings.sandbox.config.timeoutMs = 50;
    assert.ok(
      errorsOf(config).some((e) => e.startsWith('/bindings/sandbox/config/timeoutMs ')),
      errorsOf(config).join('; '),
    );
    const soap = await example('config/examples/alloy-soap/closeloop.yaml');
    soap.bindings['soap-foodsafety'].config.allowInsecureTransport = { env: 'ALLOW_HTTP', default: 'false' };
    assert.deepEqual(errorsOf(soap), [], 'a boolean may come from the environment');
    soap.bindings['soap-foodsafety'].config.wsdlUrl = 'http://x';
    assert.ok(
      errorsOf(soap).some((e) => e.startsWith('/bindings/soap-foodsafety/config ')),
      errorsOf(soap).join('; '),
    );
    const main = await example('config/closeloop.yaml');
    main.server.port = 'eighty';
    assert.ok(errorsOf(main).some((e) => e.startsWith('/server/port ')));
  });
});
