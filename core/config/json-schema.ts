// closeloop.yaml as JSON Schema (served at /schemas/closeloop.json and rendered into docs/configuration.md), made from
// the same zod schemas that validate the file, so it cannot drift from them. Each binding's and channel's `config` is
// described by its plugin's own schema, chosen by the `connector`/`channel` it names; there, any value may also be a
// reference (`{ env: NAME }`, `{ env: NAME, default: … }`, `{ generated: name }`) or a string using `{publicBaseUrl}`.
import { z, type ZodType } from 'zod';
import { closeloopConfigSchema } from './schema.ts';

type JsonSchema = Record<string, unknown>;

export interface PluginConfigSchemas {
  /** Connector name → the schema of one binding's `config`. */
  connectors: Record<string, ZodType>;
  /** Channel name → the schema of one channel's `config`. */
  channels: Record<string, ZodType>;
  /** Address provider name → the schema of a council's `address.config` (absent: not checked). */
  addressProviders?: Record<string, ZodType>;
}

export const ENV_REFERENCE: JsonSchema = {
  type: 'object',
  description: 'The value of an environment variable, converted to the type of the setting; `default` is used when the variable is unset or empty',
  properties: {
    env: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'The variable (UPPER_SNAKE_CASE)' },
    default: { type: ['string', 'number', 'boolean'], description: 'The value when the variable is unset (not for secrets)' },
  },
  required: ['env'],
  additionalProperties: false,
};

export const GENERATED_SECRET: JsonSchema = {
  type: 'object',
  description: 'A random secret (256 bits) the hub makes on first start and keeps in Postgres',
  properties: { generated: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', description: 'The name it is kept under' } },
  required: ['generated'],
  additionalProperties: false,
};

/** A zod schema as JSON Schema 2020-12 describing what may be written (defaults make fields optional). */
export function inputJsonSchema(schema: ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** A plugin's config schema as JSON Schema, with references allowed wherever a value is. */
export function pluginConfigJsonSchema(schema: ZodType): JsonSchema {
  return allowReferences(inputJsonSchema(schema));
}

/** The whole of closeloop.yaml, with each binding's and channel's config checked by its plugin's schema. */
export function closeloopJsonSchema(plugins: PluginConfigSchemas): JsonSchema {
  const root = inputJsonSchema(closeloopConfigSchema);
  const properties = root.properties as Record<string, JsonSchema>;
  choosePluginSchema(properties.bindings!, 'connector', plugins.connectors);
  choosePluginSchema(properties.channels!, 'channel', plugins.channels);
  if (plugins.addressProviders) {
    const councils = properties.councils!.additionalProperties as JsonSchema;
    for (const council of [properties.council!, councils])
      chooseAddressSchema((council.properties as Record<string, JsonSchema>).address!, plugins.addressProviders);
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: '/schemas/closeloop.json',
    title: 'Closeloop configuration (closeloop.yaml)',
    ...root,
    $defs: { envReference: ENV_REFERENCE, generatedSecret: GENERATED_SECRET },
  };
}

/** In a map of bindings (or channels), `config` follows the schema of the plugin named by `key`. */
function choosePluginSchema(map: JsonSchema, key: string, schemas: Record<string, ZodType>): void {
  const entry = map.additionalProperties as JsonSchema;
  entry.allOf = Object.entries(schemas)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, schema]) => ({
      if: { properties: { [key]: { const: name } }, required: [key] },
      then: { properties: { config: pluginConfigJsonSchema(schema) } },
    }));
}

/** A council's `address.config` follows the schema of its `provider` (the gazetteer's when none is named, the default). */
function chooseAddressSchema(address: JsonSchema, schemas: Record<string, ZodType>): void {
  address.allOf = Object.entries(schemas)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, schema]) => ({
      if: name === 'gazetteer' ? { properties: { provider: { const: name } } } : { properties: { provider: { const: name } }, required: ['provider'] },
      then: { properties: { config: pluginConfigJsonSchema(schema) } },
    }));
}

const ENV = { $ref: '#/$defs/envReference' };
const GENERATED = { $ref: '#/$defs/generatedSecret' };

/**
 * Every place a value goes may hold a reference instead: `{ env }` anywhere, `{ generated }` where text goes; a URL may
 * start with `{publicBaseUrl}` (replaced at start).
 */
export function allowReferences(schema: JsonSchema): JsonSchema {
  const s = { ...schema };
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key])) s[key] = (s[key] as JsonSchema[]).map(allowReferences);
  }
  if (s.properties) s.properties = Object.fromEntries(Object.entries(s.properties as Record<string, JsonSchema>).map(([k, v]) => [k, allowReferences(v)]));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = allowReferences(s.additionalProperties as JsonSchema);
  if (s.items && typeof s.items === 'object') s.items = allowReferences(s.items as JsonSchema);
  const type = s.type;
  // A discriminator (`mode: inline`) says which shape the rest has: it is written as it is.
  if ((type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') || 'const' in s) return s;
  // The annotations stay on the setting; the alternatives carry only the value's shape.
  const { description, default: def, title, ...shape } = s;
  const alternatives: JsonSchema[] = [shape];
  if (type === 'string' && shape.format === 'uri') alternatives.push({ type: 'string', pattern: '^\\{publicBaseUrl\\}' });
  alternatives.push(ENV);
  if (type === 'string') alternatives.push(GENERATED);
  return {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(def !== undefined ? { default: def } : {}),
    anyOf: alternatives,
  };
}
