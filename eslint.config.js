// ESLint (npm run lint:eslint): JavaScript's and typescript-eslint's recommended rules, and the import layering that
// keeps the hub's parts apart. Formatting is prettier's (npm run lint:format); folder cycles in core/ are checked by
// .ci/folder-cycles.mjs (npm run lint:cycles).
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Every plugin folder: a folder under connectors/ or plugins/ holding an index.ts (a connector, a channel, the
 * template), found rather than listed so that a new connector is checked without editing this file.
 */
function pluginFolders(dir) {
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, 'index.ts'))) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => pluginFolders(join(dir, entry.name)));
}

const PLUGIN_RULE = 'a connector or channel imports only @closeloop/sdk, npm packages and files in its own folder';

/** import-x/no-restricted-paths zones: paths are relative to the project root; `except` is relative to `from`. */
const layering = [
  // Connectors and channels are plugins like any third party's: the SDK is their only way into the hub.
  ...[...pluginFolders('connectors'), ...pluginFolders('plugins')].map((folder) => ({
    target: `./${folder}`,
    from: '.',
    except: [`./${folder}`, './node_modules', './packages/sdk'],
    message: `${PLUGIN_RULE} (${folder}/).`,
  })),
  // The hub finds built-in connectors and channels by name at run time (core/plugins/registry.ts), never by import.
  { target: './core', from: './connectors', message: 'core/ never imports a connector: the registry loads it by name.' },
  { target: './core', from: './plugins', message: 'core/ never imports a channel or plugin: the registry loads it by name.' },
  // The SDK is published on its own: nothing of the hub may leak into it.
  { target: './packages/sdk', from: '.', except: ['./packages/sdk', './node_modules'], message: '@closeloop/sdk imports nothing of the hub.' },
];

/**
 * One data-access lane (docs/architecture.md): SQL text lives in repository modules (`*-repo.ts`), migrations and core/db;
 * route handlers and domain code call the repositories. SQL is recognised as a string or template that starts with a
 * lowercase statement keyword, the way this codebase writes it (so "Select an address" in a page is not SQL).
 */
const SQL_START = String.raw`^\s*(select\s[^]*\sfrom\s|select\s[^]*\(|insert\s+into\s|update\s+[a-z_]+(\s+[a-z]+)?\s+set\s|delete\s+from\s|with\s+[a-z_]+\s+as\s*\()`;
const SQL_OUTSIDE_REPOSITORY = 'SQL lives in a repository module (*-repo.ts) next to the code that needs it; call it from here.';
const dataLane = {
  'no-restricted-syntax': [
    'error',
    { selector: `Literal[value=/${SQL_START}/]`, message: SQL_OUTSIDE_REPOSITORY },
    { selector: `TemplateLiteral > TemplateElement:first-child[value.raw=/${SQL_START}/]`, message: SQL_OUTSIDE_REPOSITORY },
  ],
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'pg', message: 'Postgres is reached through core/db (Database, Sql) and repository modules.' },
        { name: 'sequelize', message: 'Sequelize is kept only for the migration record (core/db/migrate.ts).' },
      ],
    },
  ],
};

export default defineConfig([
  globalIgnores(['**/dist/', 'data/', 'bench/results/']),
  {
    files: ['**/*.{ts,js,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layering }],
      // `_`-prefixed names are unused on purpose (a parameter a signature needs, a value destructured away).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A `let` that a callback reads before it is assigned (a shutdown timer reading the hub being opened) must stay a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['core/**/*.ts', 'connectors/**/*.ts', 'plugins/**/*.ts'],
    ignores: ['core/db/**', '**/*-repo.ts', '**/migrations.ts', '**/migrations/**', '**/*.test.ts'],
    rules: dataLane,
  },
  {
    // Tests read the API's JSON answers and dig into them; typing every answer for that would only restate the schemas.
    files: ['test/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The suite runs every file in one process (--test-isolation=none): a hook at a file's top level would be a hook of
    // every file's tests. A file's hooks go inside its describe.
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > ExpressionStatement > CallExpression[callee.name=/^(before|after|beforeEach|afterEach)$/]',
          message: 'Put this hook inside a describe: in one process, a top-level hook runs for every test file.',
        },
      ],
    },
  },
  {
    // Tests exercise the hub with a connector, so a test file inside a plugin folder may reach the hub and test/.
    files: ['connectors/**/*.test.ts', 'plugins/**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    // The citizen pages' own scripts run in the browser.
    files: ['core/http/pages/static/**'],
    languageOptions: { globals: globals.browser },
  },
]);
