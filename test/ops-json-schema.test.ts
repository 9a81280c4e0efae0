// Option schemas exported as JSON Schema: a Standard Schema with JSON Schema support (zod 4) gives the
// properties, `fields` add theirs, secrets show no value. Every exported schema is compiled by ajv and
// checked against the plugin's own start-up validation with generated options.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { Entity, PrimaryKey } from '@mikro-orm/decorators/legacy';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { Output } from '../src/cli/output.js';
import { run } from '../src/cli/run.js';
import { plugin, pluginSystem, PluginRegistry, withPlugins, type OptionsSpec } from '../src/index.js';
import { doctor, optionsJsonSchema, pluginOperations, toJsonSchema, type JsonSchema } from '../src/operations/index.js';
import { resolvePluginOptions } from '../src/registry/plugin-options.js';
import { sqlite } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    jsonMailer: { host?: string; port?: number; mode?: 'tls' | 'plain'; user: string; retries?: number; password?: string; tags?: string[] };
    jsonDated: { since?: Date; label?: string };
  }
}

// Planted: none may appear in an exported schema.
const DEFAULT_SECRET = 'pw-DEFAULT-4f1a';
const EXAMPLE_SECRET = 'pw-EXAMPLE-77c2';
const REAL_SECRET = 'pw-REAL-9e03';

const mailerSpec: OptionsSpec = {
  schema: z.object({
    host: z.string().min(1).default('localhost').describe('SMTP host'),
    port: z.number().int().min(1).max(65535).default(25),
    mode: z.enum(['tls', 'plain']).optional(),
    user: z.string().min(1),
    retries: z.number().int().min(0).max(10),
    password: z.string().min(6).default(DEFAULT_SECRET).meta({ examples: [EXAMPLE_SECRET] }),
    tags: z.array(z.string()).max(3).optional(),
  }),
  // Required by the schema, but start-up fills it in first: a user need not write it.
  defaults: { retries: 3 },
  fields: {
    host: { type: 'string', group: 'server', order: 1 },
    // Tighter than the schema's 65535: start-up applies both.
    port: { type: 'integer', max: 9000, group: 'server', order: 2 },
    password: { type: 'string', secret: true, group: 'auth' },
  },
};

const datedSpec: OptionsSpec = {
  schema: z.object({ since: z.date().optional(), label: z.string().default('d') }),
  fields: { label: { type: 'string', max: 10, description: 'Label' } },
};

// The fields-only plugin of test/ops-options.test.ts, whose export must stay as it was.
const fieldsOnly: OptionsSpec['fields'] = {
  host: { type: 'string', default: 'localhost', description: 'SMTP host', group: 'server', order: 1 },
  port: { type: 'integer', default: 25, min: 1, max: 65535, description: 'SMTP port', group: 'server', order: 2 },
  mode: { type: 'string', enum: ['tls', 'plain'], default: 'tls', group: 'server', order: 3 },
  tags: { type: 'array', max: 2 },
  password: { type: 'string', secret: true, required: true, min: 6, pattern: '[A-Za-z0-9-]+', description: 'SMTP password', group: 'auth' },
};

function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  @plugin({ name: 'jsonMailer', registry, description: 'mail', options: mailerSpec })
  class JsonMailer {
    beforeCreate() {}
  }
  @plugin({ name: 'jsonDated', registry, options: datedSpec })
  class JsonDated {
    beforeCreate() {}
  }
  void [JsonMailer, JsonDated];
  return registry;
}

@withPlugins([{ jsonMailer: { user: 'ann', password: REAL_SECRET } }])
@Entity()
class JsonLetter {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

function ormOptions() {
  return { entities: [JsonLetter], extensions: [pluginSystem({ registry: newRegistry() }), pluginOperations({ state: false })] };
}

/** A strict ajv for draft 2020-12 that knows the annotations the export adds. */
function compile(schema: JsonSchema) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const keyword of ['x-group', 'x-order', 'x-schema-error']) ajv.addKeyword(keyword);
  ajv.addFormat('password', true);
  return ajv.compile(schema);
}

/** Whether start-up accepts these options for the plugin (defaults, schema, fields, validate). */
function accepts(spec: OptionsSpec, given: unknown): boolean {
  const definition = { name: 'p', options: spec } as Parameters<typeof resolvePluginOptions>[0];
  try {
    resolvePluginOptions(definition, given, 'E');
    return true;
  } catch {
    return false;
  }
}

/**
 * Options near and past each rule. ASCII strings only: zod counts UTF-16 units, JSON Schema and
 * `fields` count code points. No null: `fields` take null for a missing option, JSON Schema does not.
 */
const near = fc.oneof(
  fc.constantFrom('', 'x', 'localhost', 'tls', 'plain', 'ssl', 'abc-123', 'has space', REAL_SECRET),
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom(0, 1, 25, 9000, 9001, 65535, 70000, 2.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }).filter(v => v !== null),
);

type Arbitraries = Record<string, fc.Arbitrary<unknown>>;

/** Each option absent, or mostly a value meant to pass, else one near or past a rule; plus an unknown key. */
function optionsFor(good: Arbitraries) {
  const shape = Object.fromEntries([...Object.entries(good), ['extra', fc.jsonValue({ maxDepth: 1 })] as const].map(([k, a]) => [k, fc.oneof({ arbitrary: a, weight: 4 }, { arbitrary: near, weight: 1 })]));
  return fc.record(shape, { requiredKeys: [] });
}

/** The exported schema agrees with start-up on every generated options object; both outcomes occur. */
function agreesWithStartup(spec: OptionsSpec, schema: JsonSchema, good: Arbitraries, runs = 500): void {
  const validate = compile(schema);
  const seen = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(optionsFor(good), given => {
      const ok = accepts(spec, given);
      seen[ok ? 'valid' : 'invalid']++;
      expect(validate(given), JSON.stringify({ given, errors: validate.errors })).toBe(ok);
    }),
    { numRuns: runs },
  );
  expect(seen.valid).toBeGreaterThan(runs / 10);
  expect(seen.invalid).toBeGreaterThan(runs / 10);
}

describe('Standard JSON Schema (no database)', () => {
  test('zod gives the properties, fields their groups, order and tighter bounds; defaults filled in by start-up are not required', () => {
    const schema = toJsonSchema(mailerSpec, { name: 'jsonMailer', description: 'mail' });
    expect(schema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'jsonMailer',
      description: 'mail',
      type: 'object',
      properties: {
        host: { type: 'string', minLength: 1, default: 'localhost', description: 'SMTP host', 'x-group': 'server', 'x-order': 1 },
        port: { type: 'integer', minimum: 1, maximum: 9000, default: 25, 'x-group': 'server', 'x-order': 2 },
        password: { type: 'string', minLength: 6, writeOnly: true, format: 'password', 'x-group': 'auth' },
        mode: { type: 'string', enum: ['tls', 'plain'] },
        user: { type: 'string', minLength: 1 },
        retries: { type: 'integer', minimum: 0, maximum: 10, default: 3 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
      },
      required: ['user'],
      additionalProperties: true,
    });
    // Form order: the fields' groups, then the schema's other options.
    expect(Object.keys(schema.properties)).toEqual(['host', 'port', 'password', 'mode', 'user', 'retries', 'tags']);
  });

  test('a secret shows no default, enum, const or example, however deep; writeOnly in the schema makes a secret too', () => {
    const spec: OptionsSpec = {
      schema: z.object({
        token: z.enum(['tok-A1', 'tok-B2']).default('tok-A1'),
        keys: z.object({ primary: z.literal('key-C3'), backup: z.string().default('key-D4') }).optional(),
        pin: z.string().default('pin-E5').meta({ writeOnly: true, examples: ['pin-F6'] }),
      }),
      defaults: { keys: { primary: 'key-C3', backup: 'key-G7' } },
      fields: { token: { type: 'string', secret: true, enum: ['tok-A1', 'tok-B2'] }, keys: { type: 'object', secret: true } },
    };
    const schema = toJsonSchema(spec);
    for (const planted of ['tok-A1', 'tok-B2', 'key-C3', 'key-D4', 'pin-E5', 'pin-F6', 'key-G7']) expect(JSON.stringify(schema)).not.toContain(planted);
    expect(schema.properties.token).toEqual({ type: 'string', writeOnly: true, format: 'password' });
    expect(schema.properties.keys).toMatchObject({ type: 'object', writeOnly: true, properties: { primary: { type: 'string' }, backup: { type: 'string' } } });
    expect(schema.properties.pin).toEqual({ type: 'string', writeOnly: true, format: 'password' });
    compile(schema);
  });

  test('a Standard Schema without JSON Schema support (validation only) leaves the fields in charge, silently', () => {
    // The fields-only export itself is pinned in ops-options.test.ts.
    const plain: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'hand', validate: value => ({ value }) } };
    expect(toJsonSchema({ schema: plain, fields: fieldsOnly })).toEqual(toJsonSchema({ fields: fieldsOnly }));
  });

  test('a schema that cannot be converted falls back to the fields and says why', () => {
    expect(toJsonSchema(datedSpec)).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { label: { type: 'string', maxLength: 10, description: 'Label' } },
      additionalProperties: true,
      'x-schema-error': 'Date cannot be represented in JSON Schema',
    });
    expect(toJsonSchema({ schema: z.string() })).toMatchObject({ properties: {}, 'x-schema-error': 'it describes type "string", not an object' });
    compile(toJsonSchema(datedSpec));
  });

  test('strict objects, shared definitions and a root with an id keep their meaning', () => {
    const address = z.object({ street: z.string() }).meta({ id: 'Address' });
    const spec: OptionsSpec = { schema: z.strictObject({ home: address, work: address.optional() }).meta({ id: 'Root' }) };
    const schema = toJsonSchema(spec);
    expect(schema).toMatchObject({ properties: { home: { $ref: '#/$defs/Address' } }, required: ['home'], $defs: { Address: expect.any(Object) } });
    const validate = compile(schema);
    expect(validate({ home: { street: 'a' } })).toBe(true);
    expect(validate({ home: { street: 1 } })).toBe(false);
    expect(accepts(spec, { home: { street: 'a' }, other: 1 })).toBe(false);
    expect(validate({ home: { street: 'a' }, other: 1 })).toBe(false);
  });

  test('ajv and start-up agree on generated options: zod with fields and defaults', () => {
    agreesWithStartup(mailerSpec, toJsonSchema(mailerSpec), {
      host: fc.string({ minLength: 1 }),
      port: fc.integer({ min: 1, max: 9000 }),
      mode: fc.constantFrom('tls', 'plain'),
      user: fc.string({ minLength: 1 }),
      retries: fc.integer({ min: 0, max: 10 }),
      password: fc.string({ minLength: 6 }),
      tags: fc.array(fc.string(), { maxLength: 3 }),
    });
    // Rejected by the field's bound alone, not by the schema's.
    expect(accepts(mailerSpec, { user: 'u', port: 9001 })).toBe(false);
    expect(compile(toJsonSchema(mailerSpec))({ user: 'u', port: 9001 })).toBe(false);
  });

  test('ajv and start-up agree on generated options: fields alone', () => {
    agreesWithStartup({ fields: fieldsOnly }, toJsonSchema({ fields: fieldsOnly }), {
      host: fc.string(),
      port: fc.integer({ min: 1, max: 65535 }),
      mode: fc.constantFrom('tls', 'plain'),
      tags: fc.array(fc.jsonValue(), { maxLength: 2 }),
      password: fc.stringMatching(/^[A-Za-z0-9-]{6,12}$/),
    });
  });

  test('ajv and start-up agree on generated options: the fallback of an unconvertible schema accepts what start-up accepts', () => {
    const validate = compile(toJsonSchema(datedSpec));
    fc.assert(
      fc.property(optionsFor({ label: fc.string({ maxLength: 10 }), since: fc.date() }), given => {
        if (accepts(datedSpec, given)) expect(validate(given)).toBe(true);
      }),
    );
    expect(validate({ label: 'x'.repeat(11) })).toBe(false);
  });
});

describe('export, CLI and doctor [sqlite]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mop-json-schema-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('optionsJsonSchema gives the schema properties of a registered plugin, and the fallback of an unconvertible one', async () => {
    const orm = await sqlite.init(ormOptions());
    try {
      const schema = optionsJsonSchema(orm, 'jsonMailer');
      expect(schema).toEqual(toJsonSchema(mailerSpec, { name: 'jsonMailer', description: 'mail' }));
      expect(schema.required).toEqual(['user']);
      expect(Object.keys(schema.properties)).toEqual(['host', 'port', 'password', 'mode', 'user', 'retries', 'tags']);
      expect(JSON.stringify(schema)).not.toMatch(new RegExp(`${DEFAULT_SECRET}|${EXAMPLE_SECRET}|${REAL_SECRET}`));
      expect(optionsJsonSchema(orm, 'jsonDated')).toMatchObject({ properties: { label: { maxLength: 10 } }, 'x-schema-error': expect.stringContaining('Date') });
    } finally {
      await orm.close();
    }
  });

  test('doctor warns of an options schema that cannot be converted, and of no other', async () => {
    const orm = await sqlite.init(ormOptions());
    try {
      const report = await doctor(orm);
      const conversions = report.findings.filter(f => f.message.includes('JSON Schema'));
      expect(conversions).toEqual([
        {
          level: 'warning',
          check: 'options',
          plugin: 'jsonDated',
          message: 'jsonDated: its options schema cannot be converted to JSON Schema (Date cannot be represented in JSON Schema); `schema` shows its fields only',
        },
      ]);
      expect(report.ok).toBe(true);
    } finally {
      await orm.close();
    }
  });

  test('the CLI `schema` command prints the same schema', async () => {
    // The CLI loads the config file itself: the file hands over the options this test built.
    const config = join(dir, 'mikro-orm.config.mjs');
    writeFileSync(config, 'export default globalThis.__opsJsonSchemaConfig;\n');
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    (globalThis as Record<string, unknown>).__opsJsonSchemaConfig = { driver: SqliteDriver, dbName: ':memory:', ...ormOptions() };
    const written = { out: '', err: '' };
    const stream = (key: 'out' | 'err') => ({ isTTY: false, write: (text: string) => ((written[key] += text), true) }) as unknown as NodeJS.WriteStream;
    try {
      const code = await run(['schema', 'jsonMailer', '--config', config], { out: new Output(stream('out'), stream('err'), true) });
      expect(code, written.err).toBe(0);
      expect(JSON.parse(written.out)).toEqual(toJsonSchema(mailerSpec, { name: 'jsonMailer', description: 'mail' }));
      expect(written.out).not.toContain(REAL_SECRET);
    } finally {
      delete (globalThis as Record<string, unknown>).__opsJsonSchemaConfig;
    }
  });
});
