// Renders docs/configuration.md from the schemas that validate the configuration: closeloop.yaml's own, each built-in
// connector's, channel's and address provider's `config`, and the webhook connector's JSON body. `npm run docs:config` writes it; a test
// fails when the committed file and the schemas disagree.
import type { ZodType } from 'zod';
import { ENV_OVERRIDES } from '../../core/config/load.ts';
import { closeloopConfigSchema } from '../../core/config/schema.ts';
import { inputJsonSchema } from '../../core/config/json-schema.ts';
import { Registry } from '../../core/plugins/index.ts';
import { addressProviderSchemas } from '../../core/plugins/config-schemas.ts';
import { webhookJsonBodySchema } from '../../connectors/webhook/body.ts';
import { z } from 'zod';

type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
};

export interface Row {
  setting: string;
  type: string;
  /** A default, "required", or "". */
  default: string;
  description: string;
}

/** Placeholders for the keys of maps, by the map's own name. */
const KEY_NAMES: Record<string, string> = {
  bindings: '<binding>',
  channels: '<channel>',
  councils: '<council>',
  services: '<service>',
  serviceBindings: '<service>',
};
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Every setting of a schema, in order, with nested ones as dotted paths (`<name>` for a map's keys, `[]` for a list's items). */
export function settingsOf(schema: JsonSchema, prefix = ''): Row[] {
  const rows: Row[] = [];
  walkObject(schema, prefix, rows, '');
  return rows;
}

function walkObject(schema: JsonSchema, prefix: string, rows: Row[], variant: string): void {
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) walk(prop, prefix ? `${prefix}.${key}` : key, key, required.has(key), rows, variant);
}

function walk(s: JsonSchema, path: string, key: string, required: boolean, rows: Row[], variant: string): void {
  const variants = s.anyOf ?? s.oneOf;
  const row = (type: string) => rows.push({ setting: path, type, default: defaultOf(s, required), description: `${variant}${s.description ?? ''}` });
  if (variants) {
    const objects = variants.filter((v) => v.type === 'object' && v.properties);
    row(variants.map(typeOf).join(' or '));
    for (const v of objects) walkObject(v, path, rows, variantLabel(v));
    return;
  }
  if (s.type === 'object' && s.properties) {
    row('object');
    walkObject(s, path, rows, variant);
    return;
  }
  if (s.type === 'object' && typeof s.additionalProperties === 'object') {
    const value = s.additionalProperties;
    const anything = Object.keys(value).length === 0;
    row(anything ? 'object' : value.type === 'object' && value.properties ? 'map: name → object' : `map: name → ${typeOf(value)}`);
    const inner = `${path}.${KEY_NAMES[key] ?? '<name>'}`;
    if (value.type === 'object' && value.properties) walkObject(value, inner, rows, variant);
    else if (value.anyOf ?? value.oneOf)
      for (const v of (value.anyOf ?? value.oneOf)!.filter((x) => x.type === 'object' && x.properties)) walkObject(v, inner, rows, variantLabel(v));
    return;
  }
  if (s.type === 'array' && s.items?.type === 'object' && s.items.properties) {
    row('list of objects');
    walkObject(s.items, `${path}[]`, rows, variant);
    return;
  }
  row(typeOf(s));
}

/** "*With `mode: inline`:* " for a discriminated variant, "*With `jsonPath`:* " for one told apart by its key. */
function variantLabel(v: JsonSchema): string {
  const discriminator = Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined);
  if (discriminator) return `*With \`${discriminator[0]}: ${String(discriminator[1].const)}\`:* `;
  const keys = v.required?.length ? v.required : Object.keys(v.properties ?? {});
  return `*With \`${keys.join('`, `')}\`:* `;
}

function typeOf(s: JsonSchema): string {
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    // Variants told apart by one property's value (`mode: inline`…): name that property and its values.
    const keys = variants.map((v) => Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined)?.[0]);
    if (keys[0] && keys.every((k) => k === keys[0]))
      return `object by \`${keys[0]}\`: ${variants.map((v) => `\`${String(v.properties![keys[0]!]!.const)}\``).join(', ')}`;
    return variants.map(typeOf).join(' or ');
  }
  // z.never(): a setting that moved; its description says where.
  if (s.not && typeof s.not === 'object' && !Object.keys(s.not).length) return 'none (removed)';
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(', ');
  switch (s.type) {
    case 'string':
      return (
        ({ uri: 'URL', email: 'e-mail address', uuid: 'UUID', 'date-time': 'date and time (ISO 8601)' } as Record<string, string>)[String(s.format)] ?? 'text'
      );
    case 'integer':
    case 'number':
      return `${s.type === 'integer' ? 'whole number' : 'number'}${rangeOf(s)}`;
    case 'boolean':
      return '`true` or `false`';
    case 'array':
      return `list of ${s.items ? plural(typeOf(s.items)) : 'values'}`;
    case 'object':
      if (s.properties) return `{ ${Object.keys(s.properties).join(', ')} }`;
      return typeof s.additionalProperties === 'object' ? `map: name → ${typeOf(s.additionalProperties)}` : 'object';
    default:
      return 'any value';
  }
}

function rangeOf(s: JsonSchema): string {
  const min = (s.minimum as number | undefined) ?? undefined;
  const max = (s.maximum as number | undefined) !== undefined && (s.maximum as number) < MAX_SAFE ? (s.maximum as number) : undefined;
  const above = s.exclusiveMinimum as number | undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined && min > -MAX_SAFE) return ` ≥ ${min}`;
  if (above !== undefined) return ` > ${above}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function plural(type: string): string {
  if (type === 'text') return 'texts';
  if (type === 'e-mail address') return 'e-mail addresses';
  if (type.startsWith('whole number')) return type.replace('whole number', 'whole numbers');
  if (type.startsWith('number')) return type.replace('number', 'numbers');
  return type;
}

function defaultOf(s: JsonSchema, required: boolean): string {
  if (s.default !== undefined && !(typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default))) return `\`${JSON.stringify(s.default)}\``;
  if (s.default !== undefined) return '';
  return required ? 'required' : '';
}

export function table(
  rows: Row[],
  columns: ('setting' | 'type' | 'default' | 'description')[] = ['setting', 'type', 'default', 'description'],
  first = 'Setting',
): string {
  const titles = { setting: first, type: 'Type', default: 'Default', description: 'Description' };
  const cell = (r: Row, c: keyof typeof titles) => (c === 'setting' ? `\`${r.setting}\`` : escape(r[c]));
  return [
    `| ${columns.map((c) => titles[c]).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r, c)).join(' | ')} |`),
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The settings of closeloop.yaml and of every built-in connector's and channel's `config`, each with its rows. */
export async function configurationSections(): Promise<{ title: string; intro: string; rows: Row[] }[]> {
  const registry = new Registry();
  const sections = [
    {
      title: '`closeloop.yaml`',
      intro: 'The main file. Every setting not marked required has the default shown (or is off when absent).',
      rows: settingsOf(inputJsonSchema(closeloopConfigSchema)),
    },
  ];
  for (const name of registry.connectorNames()) {
    const connector = await registry.connector(name);
    sections.push({
      title: `Connector \`${name}\`: \`bindings.<binding>.config\``,
      intro: `${sentence(connector.description)}Used by a binding with \`connector: ${name}\`.`,
      rows: settingsOf(inputJsonSchema(connector.configSchema as ZodType)),
    });
  }
  for (const name of registry.channelNames()) {
    const channel = await registry.channel(name);
    sections.push({
      title: `Channel \`${name}\`: \`channels.<channel>.config\``,
      intro: `${sentence(channel.description)}Used by a channel with \`channel: ${name}\`.`,
      rows: settingsOf(inputJsonSchema(channel.configSchema as ZodType)),
    });
  }
  for (const [name, schema] of Object.entries(await addressProviderSchemas(registry))) {
    const provider = await registry.addressProvider(name);
    sections.push({
      title: `Address provider \`${name}\`: \`council.address.config\``,
      intro: `${sentence(provider.description)}Used by a council (\`council:\` or \`councils.<council>\`) with \`address: { provider: ${name} }\`${name === 'gazetteer' ? ' (the default)' : ''}.`,
      rows: settingsOf(inputJsonSchema(schema)),
    });
  }
  return sections;
}

function sentence(text: string | undefined): string {
  if (!text) return '';
  return `${text.trim()}${/[.!?]$/.test(text.trim()) ? '' : '.'} `;
}

/** docs/configuration.md. */
export async function configurationReference(): Promise<string> {
  const sections = await configurationSections();
  const body = z.toJSONSchema(webhookJsonBodySchema, { io: 'output', target: 'draft-2020-12', reused: 'inline' }) as JsonSchema;
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` from the schemas that validate the configuration. Do not edit: a test fails when',
    '     this file and the schemas disagree. Descriptions live in the schemas (.describe()). -->',
    '',
    "Every setting of `config/closeloop.yaml` and of each built-in connector's and channel's `config`, generated from the",
    'schemas that validate them (`closeloop check-config` reports a wrong value with its file, line and field). The same',
    'format is served as JSON Schema at `/schemas/closeloop.json`: add',
    '`# yaml-language-server: $schema=http://localhost:3000/schemas/closeloop.json` at the top of the file for an editor',
    "that checks it as you type (with a binding's or channel's settings checked by its plugin's schema). Service",
    'definitions are described in [service-definition.md](service-definition.md) and `/schemas/service.json`.',
    '',
    '## Values from the environment',
    '',
    "Secrets are never written in the file. Inside a binding's or channel's `config`, any value may instead be:",
    '',
    '- `{ env: NAME }`: the environment variable `NAME` (an error at start if it is unset or empty);',
    '- `{ env: NAME, default: value }`: the variable, or `value` when it is unset or empty (for settings that are not',
    '  secrets). The environment holds text; it is converted to the type the setting wants (`true`/`false` for a yes/no',
    '  setting, a number for a number), and a value that cannot be converted is reported with the file, line and field;',
    '- `{ generated: name }`: a random secret (256 bits) the hub makes on first start and keeps in Postgres;',
    "- a text containing `{publicBaseUrl}`, replaced with `server.publicBaseUrl` (e.g. `'{publicBaseUrl}/connectors/sandbox/inbox'`).",
    '',
    `These environment variables override a setting of the file: ${ENV_OVERRIDES.map((o) => `\`${o.env}\` → \`${o.path.join('.')}\``).join(', ')}.`,
    '',
  ];
  for (const s of sections) out.push(`## ${s.title}`, '', s.intro, '', table(s.rows), '');
  out.push(
    '## The webhook JSON body (`format: json`)',
    '',
    'What a `webhook` binding with `format: json` POSTs (with `format: xml`, the body is the validated XML alone). The',
    'headers are the same either way: `webhook-id` and `Idempotency-Key` (the delivery id), `webhook-timestamp`,',
    "`webhook-signature` ([Standard Webhooks](https://www.standardwebhooks.com/)) and the binding's `headers`.",
    '',
    table(settingsOf(body), ['setting', 'type', 'description'], 'Field'),
    '',
  );
  return out.join('\n');
}
