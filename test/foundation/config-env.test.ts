// Issue 14, point 15: a binding's or channel's setting written `{ env: NAME, default: … }` gets the type its schema wants:
// the environment holds only strings, so "false" must be able to set a boolean and "7" a number, at check-config and at
// start alike; a value that cannot be converted is a problem naming the file, line and field (and not the value).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../core/config/index.ts';
import { checkConfig } from '../../core/check-config.ts';
import { loadChannels } from '../../core/plugins/channels.ts';
import { Registry } from '../../core/plugins/index.ts';
import type { Hub } from '../../core/hub.ts';

const VARS = ['CLT_SMTP_SECURE', 'CLT_SMTP_REQUIRE_TLS', 'CLT_SMTP_MAX'] as const;

let dir: string;
let file: string;
let secureLine: number;

async function checkConfigOutput(env: Partial<Record<(typeof VARS)[number], string>>): Promise<{ code: number; text: string }> {
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, env);
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const code = await checkConfig(file, out);
  return { code, text };
}

/** The email channel's config as the hub builds it at start. */
async function channelConfigAtStart(env: Record<string, string>): Promise<Record<string, unknown>> {
  for (const v of VARS) delete process.env[v];
  const config = loadConfig(file, { ...process.env, ...env });
  const hub = { config, registry: new Registry(), log: pino({ level: 'silent' }) } as unknown as Hub;
  return (await loadChannels(hub)).get('email')!.context.config as Record<string, unknown>;
}

describe('environment values get their setting’s type', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-env-'));
    await cp('config', dir, { recursive: true });
    file = join(dir, 'closeloop.yaml');
    const text = await readFile(file, 'utf8');
    const changed = text.replace(
      '      secure: false\n',
      "      secure: { env: CLT_SMTP_SECURE, default: 'false' }\n      requireTLS: { env: CLT_SMTP_REQUIRE_TLS, default: false }\n      maxConnections: { env: CLT_SMTP_MAX, default: '7' }\n",
    );
    assert.notEqual(changed, text, 'the example config has the line this test changes');
    await writeFile(file, changed);
    secureLine = changed.split('\n').findIndex((l) => l.includes('CLT_SMTP_SECURE')) + 1;
  });
  after(async () => {
    for (const v of VARS) delete process.env[v];
    await rm(dir, { recursive: true, force: true });
  });

  test("defaults written as 'false' and '7' set a boolean and a number: check-config passes", async () => {
    const { code, text } = await checkConfigOutput({});
    assert.equal(code, 0, text);
    assert.match(text, /Config OK/);
  });

  test('at start the channel gets false, true and 7, not strings', async () => {
    assert.deepEqual(pick(await channelConfigAtStart({}), ['secure', 'requireTLS', 'maxConnections']), { secure: false, requireTLS: false, maxConnections: 7 });
    assert.deepEqual(
      pick(await channelConfigAtStart({ CLT_SMTP_SECURE: 'TRUE', CLT_SMTP_REQUIRE_TLS: 'true', CLT_SMTP_MAX: ' 12 ' }), [
        'secure',
        'requireTLS',
        'maxConnections',
      ]),
      {
        secure: true,
        requireTLS: true,
        maxConnections: 12,
      },
    );
  });

  test('a value that is not a boolean or a number is named with its file, line, field and variable, never echoed', async () => {
    const { code, text } = await checkConfigOutput({ CLT_SMTP_SECURE: 'yes-s3cret', CLT_SMTP_MAX: 'many' });
    assert.equal(code, 1, text);
    assert.ok(
      text.includes(`${file}:${secureLine}: channels.email.config.secure: environment variable CLT_SMTP_SECURE must be true or false for this setting`),
      text,
    );
    assert.match(text, /closeloop\.yaml:\d+: channels\.email\.config\.maxConnections: environment variable CLT_SMTP_MAX must be a number for this setting/);
    assert.ok(!text.includes('yes-s3cret'), 'the value is not repeated');
    await assert.rejects(channelConfigAtStart({ CLT_SMTP_SECURE: 'yes' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => [p.line, p.path]),
        [[secureLine, 'channels.email.config.secure']],
      );
      return true;
    });
  });

  test('a setting written as a plain string in the file is still refused (only environment values are converted)', async () => {
    await writeFile(file, (await readFile(file, 'utf8')).replace('requireTLS: { env: CLT_SMTP_REQUIRE_TLS, default: false }', "requireTLS: 'false'"));
    const { code, text } = await checkConfigOutput({});
    assert.equal(code, 1);
    assert.match(text, /channels\.email\.config\.requireTLS: Invalid input: expected boolean, received string/);
  });
});

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
