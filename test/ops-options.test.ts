import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { doctor, listPlugins, maskOptions, optionsJsonSchema, pluginOperations, toJsonSchema } from '../src/operations/index.js';
import { plugin, pluginOptions, pluginSystem, PluginRegistry, TimestampPlugin, withPlugins, type OptionsSpec } from '../src/index.js';
import { describeEachDatabase, type Database } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    opsMailer: { host?: string; port?: number; password?: string; mode?: string; tags?: string[] };
    opsMixed: { size?: number; label?: string };
    opsIdle: true;
  }
}

const SECRET = 'pw-PLANTED-8c1f';

const mailerFields: OptionsSpec['fields'] = {
  host: { type: 'string', default: 'localhost', description: 'SMTP host', group: 'server', order: 1 },
  port: { type: 'integer', default: 25, min: 1, max: 65535, description: 'SMTP port', group: 'server', order: 2 },
  mode: { type: 'string', enum: ['tls', 'plain'], default: 'tls', group: 'server', order: 3 },
  tags: { type: 'array', max: 2 },
  password: { type: 'string', secret: true, required: true, min: 6, pattern: '[A-Za-z0-9-]+', description: 'SMTP password', group: 'auth' },
};

/** Health results and connection-test calls, set per test. */
const probe = { health: true as boolean | 'throw', connections: [] as unknown[] };

function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry().register(TimestampPlugin);
  @plugin({ name: 'opsMailer', registry, version: '3.1.0', options: { fields: mailerFields } })
  class OpsMailer {
    healthCheck() {
      if (probe.health === 'throw') throw new Error(`cannot log in with ${SECRET}`);
      return probe.health;
    }
    testConnection(options: { password: string }) {
      probe.connections.push(options);
      return { ok: options.password === SECRET, message: `server said no to ${options.password}` };
    }
    beforeCreate() {}
  }
  // The existing forms and `fields` together: a Standard Schema, a validate function, then fields.
  @plugin({
    name: 'opsMixed',
    registry,
    options: {
      defaults: { label: 'm' },
      schema: z.object({ size: z.number().max(100).default(5), label: z.string() }),
      validate: (o: { label: string }) => (o.label === 'bad' ? [{ option: 'label', expected: 'not bad' }] : []),
      fields: { size: { type: 'integer', min: 2 } },
    },
  })
  class OpsMixed {
    beforeCreate() {}
  }
  @plugin({ name: 'opsIdle', registry })
  class OpsIdle {
    afterCreate() {}
  }
  void [OpsMailer, OpsMixed, OpsIdle];
  return registry;
}

@withPlugins(['timestamp', { opsMailer: { password: SECRET } }])
@Entity()
class OpsLetter {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) subject!: string;
}

@Entity()
class OpsParcel {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

let registry: PluginRegistry;

async function start(db: Database, parcel: unknown[] = []) {
  registry = newRegistry();
  return db.init({
    entities: [OpsLetter, OpsParcel],
    extensions: [pluginSystem({ registry, entities: { OpsParcel: parcel as never } }), pluginOperations({ state: false })],
  });
}

describe('option schemas (no database)', () => {
  test('JSON Schema export: types, defaults, bounds, pattern, enum, groups and order; secrets write-only with no default', () => {
    expect(toJsonSchema({ fields: mailerFields }, { name: 'opsMailer', description: 'mail' })).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'opsMailer',
      description: 'mail',
      type: 'object',
      properties: {
        host: { type: 'string', description: 'SMTP host', default: 'localhost', 'x-group': 'server', 'x-order': 1 },
        port: { type: 'integer', description: 'SMTP port', default: 25, minimum: 1, maximum: 65535, 'x-group': 'server', 'x-order': 2 },
        mode: { type: 'string', default: 'tls', enum: ['tls', 'plain'], 'x-group': 'server', 'x-order': 3 },
        tags: { type: 'array', maxItems: 2 },
        password: { type: 'string', description: 'SMTP password', minLength: 6, pattern: '^(?:[A-Za-z0-9-]+)$', writeOnly: true, format: 'password', 'x-group': 'auth' },
      },
      required: ['password'],
      additionalProperties: true,
    });
    expect(toJsonSchema({ defaults: { a: 1 } })).toMatchObject({ type: 'object', properties: {} });
  });

  test('maskOptions shows secrets as *** and leaves the rest', () => {
    expect(maskOptions({ fields: mailerFields }, { host: 'h', password: SECRET })).toEqual({ host: 'h', password: '***' });
    expect(maskOptions(undefined, { password: 'x' })).toEqual({ password: 'x' });
  });
});

describeEachDatabase('option schemas', db => {
  test('fields supply defaults and the validated options reach the runtime', async () => {
    const orm = await start(db);
    try {
      expect(pluginOptions(orm.em, OpsLetter, 'opsMailer')).toEqual({ host: 'localhost', port: 25, mode: 'tls', password: SECRET });
    } finally {
      await orm.close();
    }
  });

  test.each([
    [{ port: 0 }, 'port', 'an integer >= 1'],
    [{ port: 70000 }, 'port', 'an integer <= 65535'],
    [{ port: 25.5 }, 'port', 'an integer'],
    [{ port: '25' }, 'port', 'an integer'],
    [{ mode: 'ssl' }, 'mode', 'one of "tls", "plain"'],
    [{ tags: ['a', 'b', 'c'] }, 'tags', 'an array of at most 2 items'],
    [{ host: 7 }, 'host', 'a string'],
  ])('a bad option fails start-up naming entity, plugin, option and expectation: %j', async (given, option, expected) => {
    await expect(start(db, [{ opsMailer: { password: SECRET, ...given } }])).rejects.toMatchObject({
      code: 'MOP_INVALID_OPTIONS',
      option,
      message: expect.stringContaining(`Entity 'OpsParcel', plugin 'opsMailer': option '${option}' is invalid: expected ${expected}`),
    });
  });

  test('a secret failing its rules is named but never quoted; a missing required one is named', async () => {
    for (const bad of ['short', 'has spaces in it', 'bad!chars!here']) {
      const error = await start(db, [{ opsMailer: { password: bad } }]).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'MOP_INVALID_OPTIONS', option: 'password' });
      expect((error as Error).message).toContain('received "***"');
      expect((error as Error).message).not.toContain(bad);
    }
    await expect(start(db, [{ opsMailer: {} }])).rejects.toMatchObject({ option: 'password', message: expect.stringContaining('expected a string (required)') });
  });

  test('existing forms keep working next to fields: schema first, then fields, then validate', async () => {
    await expect(start(db, [{ opsMixed: { size: 500 } }])).rejects.toMatchObject({ option: 'size', message: expect.stringContaining('received 500') });
    await expect(start(db, [{ opsMixed: { size: 1 } }])).rejects.toMatchObject({ option: 'size', message: expect.stringContaining('an integer >= 2') });
    await expect(start(db, [{ opsMixed: { label: 'bad' } }])).rejects.toMatchObject({ option: 'label', message: expect.stringContaining('not bad') });
    const orm = await start(db, [{ opsMixed: true }]);
    try {
      expect(pluginOptions(orm.em, OpsParcel, 'opsMixed')).toEqual({ size: 5, label: 'm' });
      // The zod schema gives the structure (its bound of 100, both options), the field its minimum; defaults show.
      expect(optionsJsonSchema(orm, 'opsMixed').properties).toEqual({ size: { type: 'integer', minimum: 2, maximum: 100, default: 5 }, label: { type: 'string', default: 'm' } });
    } finally {
      await orm.close();
    }
  });

  test('list masks secrets', async () => {
    const orm = await start(db);
    try {
      const listing = listPlugins(orm);
      expect(JSON.stringify(listing)).not.toContain(SECRET);
      expect(listing.plugins.find(p => p.name === 'opsMailer')!.entities[0]!.options).toMatchObject({ password: '***', host: 'localhost' });
    } finally {
      await orm.close();
    }
  });
});

describeEachDatabase('health checks (doctor)', db => {
  test('healthy: health check and one connection test per distinct options pass; unused registrations are reported', async () => {
    const orm = await start(db, [{ opsMailer: { password: SECRET } }, 'opsMixed']);
    probe.health = true;
    probe.connections = [];
    try {
      const steps: string[] = [];
      const report = await doctor(orm, { onProgress: step => steps.push(step) });
      expect(report.ok).toBe(true);
      expect(probe.connections).toHaveLength(1);
      // Each slow probe is announced before it runs: one health check, one connection test.
      expect(steps).toEqual(['opsMailer: health check', expect.stringMatching(/^opsMailer: connection test with \w+'s options$/)]);
      expect(report.findings).toContainEqual(expect.objectContaining({ level: 'ok', check: 'health', plugin: 'opsMailer' }));
      expect(report.findings).toContainEqual(expect.objectContaining({ level: 'ok', check: 'connection', plugin: 'opsMailer' }));
      expect(report.findings).toContainEqual(expect.objectContaining({ level: 'warning', check: 'unused', plugin: 'opsIdle' }));
      expect(report.findings.some(f => f.check === 'unused' && f.plugin === 'timestamp')).toBe(false);
    } finally {
      await orm.close();
    }
  });

  test('a failing health check and connection test fail the report; the secret in their messages is masked', async () => {
    const orm = await start(db, [{ opsMailer: { password: 'other-pass-1' } }]);
    try {
      probe.health = 'throw';
      probe.connections = [];
      const report = await doctor(orm);
      expect(report.ok).toBe(false);
      expect(probe.connections).toHaveLength(2);
      expect(report.findings).toContainEqual(expect.objectContaining({ level: 'error', check: 'health', message: 'opsMailer: health check failed: cannot log in with ***' }));
      expect(report.findings).toContainEqual(expect.objectContaining({ level: 'error', check: 'connection', entity: 'OpsParcel', message: expect.stringContaining('server said no to ***') }));
      expect(JSON.stringify(report)).not.toContain(SECRET);
      expect(JSON.stringify(report)).not.toContain('other-pass-1');
      probe.health = false;
      expect((await doctor(orm)).findings).toContainEqual(expect.objectContaining({ level: 'error', check: 'health', message: 'opsMailer: health check failed: returned false' }));
    } finally {
      probe.health = true;
      await orm.close();
    }
  });

  test('a missing column and a registry-disabled plugin are reported', async () => {
    const orm = await start(db);
    try {
      const table = orm.em.getPlatform().quoteIdentifier('ops_letter');
      await orm.em.getConnection().execute(`alter table ${table} drop column ${orm.em.getPlatform().quoteIdentifier('updated_at')}`);
      registry.disable('opsMailer');
      const report = await doctor(orm);
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual(
        expect.objectContaining({ level: 'error', check: 'column', entity: 'OpsLetter', message: "OpsLetter: table 'ops_letter' is missing column updated_at (run your migrations)" }),
      );
      expect(report.findings).toContainEqual(expect.objectContaining({ level: 'warning', check: 'disabled', plugin: 'opsMailer', message: 'opsMailer is disabled in the registry' }));
      // A disabled plugin's health is not checked.
      expect(report.findings.some(f => f.check === 'health')).toBe(false);
    } finally {
      await orm.close();
    }
  });
});
