// `closeloop check-config --connect` on the example config wired to Alloy and SOAP: each connector's check() asks its
// back office, and a wrong key, a wrong password or an unknown code is reported with the binding and config field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { startFakeAlloy, type FakeAlloy } from '../fakes/alloy-api.ts';
import { startSoapBackoffice, type SoapBackoffice } from '../peers/soap-backoffice/index.ts';
import { EXAMPLE_CONFIG, exampleAlloyDesigns } from '../helpers/example-backoffices.ts';

function checkConfig(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli.ts', 'check-config', '--connect', '--config', EXAMPLE_CONFIG], {
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('check-config --connect (example config)', () => {
  const apiKey = randomBytes(24).toString('base64url');
  let alloy: FakeAlloy;
  let partial: FakeAlloy;
  let soap: SoapBackoffice;
  const env = () => ({
    ALLOY_BASE_URL: alloy.url,
    ALLOY_API_KEY: apiKey,
    ALLOY_EVENTS_SECRET: randomBytes(16).toString('hex'),
    ENVHEALTH_SOAP_URL: soap.url,
    ENVHEALTH_SOAP_USER: soap.username,
    ENVHEALTH_SOAP_PASSWORD: soap.password,
  });

  before(async () => {
    alloy = await startFakeAlloy({ apiKey, designs: exampleAlloyDesigns() });
    // A tenant whose enquiry design lacks the delivery-id attribute.
    partial = await startFakeAlloy({
      apiKey,
      designs: exampleAlloyDesigns().map((d) => ({ ...d, attributes: d.attributes.filter((a) => a !== 'attributes_ehEnquiryCloseloopDeliveryId') })),
    });
    soap = await startSoapBackoffice();
  });
  after(async () => {
    await alloy?.close();
    await partial?.close();
    await soap?.close();
  });

  test('every back office answers: exit 0', async () => {
    const r = await checkConfig(env());
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /every back office answered its check/);
    assert.ok(
      alloy.requests.some((q) => q.path.startsWith('/api/design/')),
      'Alloy was asked',
    );
    assert.ok(
      soap.requests.some((q) => q.operation === 'GetStatus'),
      'the SOAP system was asked',
    );
  });

  test('a wrong Alloy key and a wrong SOAP password are each named with their binding', async () => {
    const r = await checkConfig({ ...env(), ALLOY_API_KEY: 'not-the-key-123', ENVHEALTH_SOAP_PASSWORD: 'wrong password' });
    assert.equal(r.code, 1);
    assert.match(r.out, /closeloop\.yaml:\d+: bindings\.alloy-envhealth\.config: back office check: apiKey: Alloy refused the API key/);
    assert.match(r.out, /bindings\.soap-foodsafety\.config: back office check: .*credentials/);
  });

  test('an attribute code the tenant does not have is named with the field that uses it', async () => {
    const r = await checkConfig({ ...env(), ALLOY_BASE_URL: partial.url });
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /bindings\.alloy-envhealth\.config: back office check: deliveryIdAttribute: design "designs_environmentalHealthEnquiry_[0-9a-f]+" has no attribute "attributes_ehEnquiryCloseloopDeliveryId"/,
    );
  });
});
