// Address providers in the plugin registry: the gazetteer built into core, os-places as a lazily loaded built-in,
// third-party providers through `plugins:`, and the shape checks that name what is wrong.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BUILTIN_ADDRESS_PROVIDERS, PluginLoadError, pluginsOf, Registry } from '../../core/plugins/index.ts';
import { gazetteerProvider } from '../../core/address/index.ts';
import { addressProvider as fixture } from '../fixtures/address/fixture-provider.ts';

const FIXTURE_PROVIDER = resolve('test/fixtures/address/fixture-provider.ts');

describe('the registry and address providers', () => {
  test('knows the gazetteer (core) and os-places (a built-in module, imported on first use)', async () => {
    assert.equal(BUILTIN_ADDRESS_PROVIDERS['os-places'], 'plugins/address/os-places/index.ts');
    const registry = new Registry();
    assert.deepEqual(registry.addressProviderNames(), ['gazetteer', 'os-places']);
    assert.equal(await registry.addressProvider('gazetteer'), gazetteerProvider);
  });

  test('a built-in is imported only when asked for: a missing module fails then, naming itself', async () => {
    const registry = new Registry({ builtinAddressProviders: { 'nowhere-places': 'plugins/address/nowhere-places/index.ts' } });
    assert.deepEqual(registry.addressProviderNames(), ['gazetteer', 'nowhere-places']);
    await assert.rejects(registry.addressProvider('nowhere-places'), (err: unknown) => {
      assert.ok(err instanceof PluginLoadError);
      assert.match(err.message, /the built-in address provider plugins\/address\/nowhere-places\/index\.ts could not be loaded/);
      return true;
    });
    await assert.rejects(
      registry.addressProvider('atlantis'),
      /no address provider of this name \(known: gazetteer, nowhere-places; third-party address providers must be listed under plugins:\)/,
    );
  });

  test('a third-party plugin exporting `addressProvider` registers under its name', async () => {
    const registry = new Registry();
    const found = await registry.loadPlugin(FIXTURE_PROVIDER, '/');
    assert.deepEqual(
      found.map((f) => [f.kind, f.plugin.name]),
      [['addressProvider', 'fixture-places']],
    );
    assert.equal(await registry.addressProvider('fixture-places'), fixture);
    assert.ok(registry.addressProviderNames().includes('fixture-places'));
    await assert.rejects(registry.loadPlugin(FIXTURE_PROVIDER, '/'), /its address provider "fixture-places" is already registered/);
  });

  test('a plugin may not take the name of a built-in provider', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'closeloop-address-plugin-'));
    try {
      const file = join(dir, 'index.mjs');
      await writeFile(
        file,
        "export const addressProvider = { name: 'gazetteer', configSchema: { safeParse: () => ({ success: true }) }, byPostcode() {}, search() {}, byUprn() {} };\n",
      );
      await assert.rejects(
        new Registry().loadPlugin('./index.mjs', dir),
        /plugin "\.\/index\.mjs": its address provider is named "gazetteer", which is a built-in address provider; give it another name/,
      );
      await writeFile(join(dir, 'places.mjs'), (await readFile(file, 'utf8')).replace("'gazetteer'", "'os-places'"));
      await assert.rejects(new Registry().loadPlugin('./places.mjs', dir), /its address provider is named "os-places", which is a built-in address provider/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('what is not an address provider is refused with what is wrong', () => {
    const registry = new Registry();
    assert.throws(
      () => registry.registerAddressProvider({ name: 'half', configSchema: z.object({}) } as never),
      (err: unknown) => {
        assert.ok(err instanceof PluginLoadError);
        assert.match(err.message, /not a valid address provider: byPostcode must be a function; search must be a function; byUprn must be a function/);
        return true;
      },
    );
    assert.throws(() => registry.registerAddressProvider({ ...fixture, nearest: 'yes' } as never), /nearest must be a function when present/);
    assert.throws(() => pluginsOf('empty', { something: 1 }), /exports no `connector`, `channel` or `addressProvider`/);
    assert.equal(pluginsOf('default', { default: { addressProvider: fixture } })[0]!.kind, 'addressProvider');
  });
});
