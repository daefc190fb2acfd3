// The plugin registry and loader: built-ins by name (lazily), third-party plugins by path or package name, shape
// checks with errors that name the spec, and core/ never importing connectors/ or plugins/ statically.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_CHANNELS, BUILTIN_CONNECTORS, PluginLoadError, PROJECT_ROOT, Registry } from '../../core/plugins/index.ts';
import { connector as webhook } from '../../connectors/webhook/index.ts';

const SDK_URL = pathToFileURL(join(PROJECT_ROOT, 'packages/sdk/src/index.ts')).href;
const ZOD_URL = pathToFileURL(join(PROJECT_ROOT, 'node_modules/zod/index.js')).href;

/** A connector module's source; `exportAs` decides how it is exported. */
function connectorSource(name: string, exportAs: 'named' | 'default' | 'default-object' = 'named'): string {
  const def = `defineConnector({ name: '${name}', configSchema: z.object({ url: z.string() }), async deliver() { return { externalRef: '${name}-1' }; } })`;
  const tail =
    exportAs === 'named' ? `export const connector = ${def};` : exportAs === 'default' ? `export default ${def};` : `export default { connector: ${def} };`;
  return `import { z } from '${ZOD_URL}';\nimport { defineConnector } from '${SDK_URL}';\n${tail}\n`;
}

const channelSource = (name: string) =>
  `import { z } from '${ZOD_URL}';\nexport const channel = { name: '${name}', configSchema: z.object({}), async send() { return { status: 'sent' }; } };\n`;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

function failsWith(pattern: RegExp, spec?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof PluginLoadError, `a PluginLoadError, got ${String(err)}`);
    if (spec !== undefined) assert.equal(err.spec, spec);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('built-in plugins', () => {
  test('the table names every built-in, relative to the project root', () => {
    assert.deepEqual(BUILTIN_CONNECTORS, {
      webhook: 'connectors/webhook/index.ts',
      alloy: 'connectors/alloy/index.ts',
      soap: 'connectors/soap/index.ts',
      sandbox: 'connectors/sandbox/index.ts',
    });
    assert.deepEqual(BUILTIN_CHANNELS, { smtp: 'plugins/channels/smtp/index.ts', 'govuk-notify': 'plugins/channels/govuk-notify/index.ts' });
  });

  test('a built-in connector is imported on first use, once', async () => {
    const registry = new Registry();
    const [a, b] = await Promise.all([registry.connector('webhook'), registry.connector('webhook')]);
    assert.equal(a, webhook);
    assert.equal(b, webhook);
  });

  test('a built-in channel is imported by name', async () => {
    const channel = await new Registry().channel('smtp');
    assert.equal(channel.name, 'smtp');
    assert.equal(typeof channel.send, 'function');
  });

  test('an unknown name lists what is known', async () => {
    await assert.rejects(
      new Registry().connector('sharepoint'),
      failsWith(
        /^plugin "sharepoint": no connector of this name \(known: alloy, sandbox, soap, webhook; third-party connectors must be listed under plugins:\)$/,
        'sharepoint',
      ),
    );
    await assert.rejects(new Registry().channel('pigeon'), failsWith(/no channel of this name \(known: govuk-notify, smtp;/));
  });

  describe('with a broken built-in table', () => {
    let root: string;
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'closeloop-root-'));
      await write(join(root, 'connectors/wrong/index.mjs'), connectorSource('not-wrong'));
      await write(join(root, 'connectors/empty/index.mjs'), 'export const nothing = 1;\n');
    });
    after(() => rm(root, { recursive: true, force: true }));

    test('a missing module, a module without `connector` and a misnamed connector each say so', async () => {
      const registry = new Registry({
        root,
        builtinConnectors: { gone: 'connectors/gone/index.ts', empty: 'connectors/empty/index.mjs', wrong: 'connectors/wrong/index.mjs' },
      });
      await assert.rejects(
        registry.connector('gone'),
        failsWith(/^plugin "gone": the built-in connector connectors\/gone\/index.ts could not be loaded: no such file or folder/, 'gone'),
      );
      await assert.rejects(
        registry.connector('empty'),
        failsWith(/the built-in connector connectors\/empty\/index.mjs is not valid: it does not export `connector`/),
      );
      await assert.rejects(registry.connector('wrong'), failsWith(/is not valid: its name is "not-wrong", not "wrong"/));
    });

    test('a failed import is not cached', async () => {
      const registry = new Registry({ root, builtinConnectors: { later: 'connectors/later/index.mjs' } });
      await assert.rejects(registry.connector('later'), PluginLoadError);
      await write(join(root, 'connectors/later/index.mjs'), connectorSource('later'));
      assert.equal((await registry.connector('later')).name, 'later');
    });
  });
});

describe('third-party plugins from config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'closeloop-plugins-'));
    await write(join(dir, 'config/closeloop.yaml'), 'plugins: []\n');
    await write(join(dir, 'local/casework.mjs'), connectorSource('casework'));
    await write(join(dir, 'local/folder-plugin/index.ts'), `${connectorSource('folder-conn')}\nconst typed: number = 1;\nexport { typed };\n`);
    await write(join(dir, 'local/default-export.mjs'), connectorSource('defaulted', 'default'));
    await write(join(dir, 'local/pigeon.mjs'), channelSource('pigeon'));
    await write(join(dir, 'local/with-other-default.mjs'), `${connectorSource('named-wins')}export default { version: 2 };\n`);
    await write(join(dir, 'local/nothing.mjs'), 'export const helper = () => 1;\n');
    await write(join(dir, 'local/no-deliver.mjs'), `export const connector = { name: 'half', configSchema: {} };\n`);
    await write(join(dir, 'local/bad-channel.mjs'), `export const channel = { name: 'x y', configSchema: { safeParse() {} }, send: 'no' };\n`);
    await write(join(dir, 'local/throws.mjs'), `throw new Error('boom at import');\n`);
    await write(join(dir, 'local/impostor.mjs'), connectorSource('webhook'));
    await write(join(dir, 'local/casework-again.mjs'), connectorSource('casework'));
    // Folders holding a package, named by path: its "exports" (resolved by the package's own name) or its "main".
    await write(
      join(dir, 'local/pkg-exports/package.json'),
      JSON.stringify({ name: 'pkg-exports', type: 'module', exports: { '.': { import: './lib/entry.js' } } }),
    );
    await write(join(dir, 'local/pkg-exports/lib/entry.js'), connectorSource('pkg-exports-conn'));
    await write(join(dir, 'local/pkg-main/package.json'), JSON.stringify({ name: 'pkg-main', main: 'start.mjs' }));
    await write(join(dir, 'local/pkg-main/start.mjs'), connectorSource('pkg-main-conn'));
    // Packages installed next to the config: a CommonJS one (default export holding `connector`) and an ESM-only one.
    await write(join(dir, 'config/node_modules/closeloop-cjs-plugin/package.json'), JSON.stringify({ name: 'closeloop-cjs-plugin', main: 'main.cjs' }));
    await write(
      join(dir, 'config/node_modules/closeloop-cjs-plugin/main.cjs'),
      `exports.connector = { name: 'cjs-conn', configSchema: { safeParse: () => ({ success: true }) }, deliver: async () => ({}) };\n`,
    );
    await write(
      join(dir, 'config/node_modules/@council/closeloop-esm/package.json'),
      JSON.stringify({ name: '@council/closeloop-esm', type: 'module', exports: { '.': { import: './dist/index.js' } } }),
    );
    await write(join(dir, 'config/node_modules/@council/closeloop-esm/dist/index.js'), connectorSource('esm-conn', 'default-object'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const configDir = () => join(dir, 'config');

  test('by path relative to the config folder: a file, a folder with index.ts, a default export, a channel', async () => {
    const registry = new Registry();
    await registry.loadPlugins(
      ['../local/casework.mjs', '../local/folder-plugin', '../local/default-export.mjs', '../local/pigeon.mjs', '../local/with-other-default.mjs'],
      configDir(),
    );
    assert.equal((await registry.connector('casework')).name, 'casework');
    assert.equal((await registry.connector('folder-conn')).name, 'folder-conn');
    assert.deepEqual(await (await registry.connector('defaulted')).deliver(undefined as never, undefined as never), { externalRef: 'defaulted-1' });
    assert.equal((await registry.channel('pigeon')).name, 'pigeon');
    assert.equal((await registry.connector('named-wins')).name, 'named-wins', 'a default export beside a named one is ignored');
    assert.deepEqual(registry.connectorNames(), ['alloy', 'casework', 'defaulted', 'folder-conn', 'named-wins', 'sandbox', 'soap', 'webhook']);
    assert.deepEqual(registry.channelNames(), ['govuk-notify', 'pigeon', 'smtp']);
  });

  test('by path to a folder holding a package: its "exports", or its "main"', async () => {
    const registry = new Registry();
    await registry.loadPlugins(['../local/pkg-exports', '../local/pkg-main'], configDir());
    assert.equal((await registry.connector('pkg-exports-conn')).name, 'pkg-exports-conn');
    assert.equal((await registry.connector('pkg-main-conn')).name, 'pkg-main-conn');
  });

  test('by absolute path', async () => {
    const registry = new Registry();
    await registry.loadPlugins([join(dir, 'local/casework.mjs')], '/');
    assert.equal((await registry.connector('casework')).name, 'casework');
  });

  test('by package name, resolved from the config folder: CommonJS and ESM-only packages', async () => {
    const registry = new Registry();
    const loaded = await registry.loadPlugin('closeloop-cjs-plugin', configDir());
    assert.deepEqual(
      loaded.map((l) => [l.kind, l.plugin.name]),
      [['connector', 'cjs-conn']],
    );
    await registry.loadPlugin('@council/closeloop-esm', configDir());
    assert.equal((await registry.connector('esm-conn')).name, 'esm-conn');
  });

  test('a package that is not installed', async () => {
    await assert.rejects(
      new Registry().loadPlugins(['closeloop-not-installed-anywhere'], configDir()),
      failsWith(/^plugin "closeloop-not-installed-anywhere": could not be loaded: Cannot find (package|module)/, 'closeloop-not-installed-anywhere'),
    );
  });

  test('errors name the spec and say what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['../local/missing.mjs', /^plugin "\.\.\/local\/missing\.mjs": no such file or folder: .*local\/missing\.mjs$/],
      ['../local', /the folder .*local has no index\.ts, index\.js, index\.mjs or package\.json/],
      [
        '../local/nothing.mjs',
        /exports no `connector`, `channel` or `addressProvider` \(made with defineConnector\/defineChannel\/defineAddressProvider\); it exports: helper$/,
      ],
      ['../local/no-deliver.mjs', /export `connector` is not a valid connector: configSchema must be a zod schema; deliver must be a function$/],
      ['../local/bad-channel.mjs', /export `channel` is not a valid channel: name must be a non-empty string.*; send must be a function$/],
      ['../local/throws.mjs', /could not be loaded: boom at import$/],
      ['../local/impostor.mjs', /its connector is named "webhook", which is a built-in connector; give it another name$/],
    ];
    for (const [spec, pattern] of cases) await assert.rejects(new Registry().loadPlugins([spec], configDir()), failsWith(pattern, spec), spec);
  });

  test('two plugins may not register the same name', async () => {
    const registry = new Registry();
    await assert.rejects(
      registry.loadPlugins(['../local/casework.mjs', '../local/casework-again.mjs'], configDir()),
      failsWith(/its connector "casework" is already registered by plugin "\.\.\/local\/casework\.mjs"/, '../local/casework-again.mjs'),
    );
  });

  test('registerConnector checks the shape too', () => {
    assert.throws(
      () => new Registry().registerConnector({ name: 'x' } as never),
      failsWith(/^plugin "x": not a valid connector: configSchema must be a zod schema; deliver must be a function$/),
    );
  });
});

describe('core/ stays independent of connectors/ and plugins/', () => {
  test('no file under core/ imports them statically', async () => {
    const offenders: string[] = [];
    async function walk(d: string): Promise<void> {
      for (const entry of await readdir(d, { withFileTypes: true })) {
        const path = join(d, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (/\.(ts|js)$/.test(entry.name)) {
          const text = await readFile(path, 'utf8');
          for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)) {
            const spec = m[1] ?? m[2]!;
            const target = spec.startsWith('.') ? relative(PROJECT_ROOT, resolve(dirname(path), spec)) : spec;
            if (/^(connectors|plugins)\//.test(target)) offenders.push(`${relative(PROJECT_ROOT, path)} → ${spec}`);
          }
        }
      }
    }
    await walk(join(PROJECT_ROOT, 'core'));
    assert.deepEqual(offenders, []);
  });
});
