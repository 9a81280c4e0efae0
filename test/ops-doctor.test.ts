import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterAll, expect, test } from 'vitest';
import { z } from 'zod';
import { AuditPlugin, auditLog } from '../src/audit.js';
import { doctorConfig, pluginOperations, type DoctorFinding } from '../src/operations/index.js';
import { plugin, pluginSystem, PluginRegistry, TimestampPlugin } from '../src/index.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    docMailer: { port?: number; mode?: string; password?: string };
    docSized: { size?: number; label?: unknown };
  }
}

// Distinctive, so a leak is found: too short for the mailer's password rule, and a secret.
const BAD_SECRET = 'pw-Q7z';

function newRegistry(withCycle = false): PluginRegistry {
  const registry = new PluginRegistry().register(TimestampPlugin).register(AuditPlugin);
  @plugin({
    name: 'docMailer',
    registry,
    options: {
      fields: {
        port: { type: 'integer', default: 25, min: 1, max: 65535 },
        mode: { type: 'string', enum: ['tls', 'plain'], default: 'tls' },
        password: { type: 'string', secret: true, required: true, min: 8 },
      },
    },
  })
  class DocMailer {
    beforeCreate() {}
  }
  // A Standard Schema reports every issue at once; doctor keeps them all.
  @plugin({ name: 'docSized', registry, options: { schema: z.object({ size: z.number().max(100), label: z.string() }) } })
  class DocSized {
    beforeCreate() {}
  }
  void [DocMailer, DocSized];
  if (withCycle) {
    @plugin({ name: 'docFirst', registry, before: ['docSecond'] })
    class DocFirst {
      beforeCreate() {}
    }
    @plugin({ name: 'docSecond', registry, before: ['docFirst'] })
    class DocSecond {
      beforeCreate() {}
    }
    void [DocFirst, DocSecond];
  }
  return registry;
}

@Entity()
class DocLetter {
  static plugins = ['timestamp', 'audit'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) subject!: string;
}

@Entity()
class DocParcel {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

@Entity()
class DocValid {
  static plugins = ['timestamp'];
  @PrimaryKey({ type: 'integer' }) id!: number;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The same database as a started test ORM, for a config doctorConfig starts itself. */
function connectionOf(orm: TestOrm): Options {
  const keys = ['driver', 'dbName', 'host', 'port', 'user', 'password'] as const;
  return Object.fromEntries(keys.map(key => [key, orm.config.get(key)]).filter(([, value]) => value !== undefined)) as Options;
}

const VALID = { DocLetter: [{ docMailer: { password: 'long-enough-1' } }], DocParcel: [{ docSized: { size: 5, label: 'ok' } }] };

/** A fresh database with the tables of the valid app, and a config with the given plugin options instead. */
async function appConfig(db: Database, entities: Record<string, unknown>, withCycle = false): Promise<Options> {
  const connection: Record<string, unknown> = {};
  if (db.name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mop-ops-doctor-'));
    dirs.push(dir);
    connection.dbName = join(dir, 'doctor.sqlite');
  }
  const orm = await db.init({
    ...connection,
    entities: [DocLetter, DocParcel, DocValid],
    extensions: [pluginSystem({ registry: newRegistry(), entities: VALID as never }), auditLog(), pluginOperations({ state: false })],
  });
  const options = connectionOf(orm);
  await orm.close();
  return {
    ...options,
    entities: [DocLetter, DocParcel, DocValid],
    extensions: [pluginSystem({ registry: newRegistry(withCycle), entities: entities as never }), auditLog(), pluginOperations({ state: false })],
  };
}

const MISCONFIGURED = {
  // audit comes first on DocLetter, so it is set up before the plugin system stops at the mailer's bad options.
  DocLetter: [{ audit: { exclude: ['gone', 'alsoGone'], redact: ['nope'] } }, { docMailer: { password: BAD_SECRET, port: 0, mode: 'ssl' } }],
  DocParcel: [{ ghostPlugin: true }, { docSized: { size: 500, label: 7 } }],
};

const errorsOf = (findings: readonly DoctorFinding[]) =>
  findings
    .filter(f => f.level === 'error')
    .map(f => [f.check, f.code, f.entity, f.plugin, f.option ?? null].join(' '))
    .sort();

describeEachDatabase('doctor on a config whose entities have invalid options', db => {
  test('a normal start fails on the first invalid option', async () => {
    await expect(MikroORM.init(await appConfig(db, MISCONFIGURED))).rejects.toMatchObject({ code: expect.stringMatching(/^MOP_(INVALID_OPTIONS|UNKNOWN_PLUGIN)$/) });
  });

  test('doctorConfig reports every problem of every entity, each once, with entity, plugin and option named and secrets masked', async () => {
    const report = await doctorConfig(await appConfig(db, MISCONFIGURED));
    expect(report.ok).toBe(false);
    expect(errorsOf(report.findings)).toEqual(
      [
        'options MOP_INVALID_OPTIONS DocLetter docMailer port',
        'options MOP_INVALID_OPTIONS DocLetter docMailer mode',
        'options MOP_INVALID_OPTIONS DocLetter docMailer password',
        // Found by the audit plugin's own check after discovery: every misspelt property, not the first.
        'options MOP_INVALID_OPTIONS DocLetter audit exclude',
        'options MOP_INVALID_OPTIONS DocLetter audit redact',
        'startup MOP_UNKNOWN_PLUGIN DocParcel ghostPlugin ',
        'options MOP_INVALID_OPTIONS DocParcel docSized size',
        'options MOP_INVALID_OPTIONS DocParcel docSized label',
      ].sort(),
    );
    const message = (plugin: string, option: string) => report.findings.find(f => f.plugin === plugin && f.option === option)!.message;
    expect(message('docMailer', 'password')).toBe("Entity 'DocLetter', plugin 'docMailer': option 'password' is invalid: expected a string of at least 8 characters, received \"***\"");
    expect(message('docMailer', 'mode')).toBe(`Entity 'DocLetter', plugin 'docMailer': option 'mode' is invalid: expected one of "tls", "plain", received "ssl"`);
    expect(message('audit', 'exclude')).toBe(`Entity 'DocLetter', plugin 'audit': option 'exclude' is invalid: expected properties of DocLetter, received ["gone","alsoGone"]`);
    expect(message('docSized', 'size')).toContain('received 500');
    expect(JSON.stringify(report)).not.toContain(BAD_SECRET);
    // The rest of the app was inspected: the valid entity's table has every column, no plugin is called unused.
    expect(report.findings.some(f => f.check === 'column')).toBe(false);
    expect(report.findings.filter(f => f.check === 'unused').map(f => f.plugin)).toEqual([]);
  });

  test('a valid config passes, its options counted as valid', async () => {
    const report = await doctorConfig(await appConfig(db, VALID));
    expect(errorsOf(report.findings)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.findings).toContainEqual(expect.objectContaining({ level: 'ok', check: 'options', message: '5 plugin option sets on 3 entities valid' }));
  });

  test('when the ORM cannot start at all, the report has the problems found so far and why it stopped', async () => {
    const options = await appConfig(db, { ...MISCONFIGURED, DocValid: ['docFirst', 'docSecond'] }, true);
    const report = await doctorConfig(options);
    expect(report.ok).toBe(false);
    const stopped = report.findings.find(f => f.check === 'startup' && f.code === 'MOP_HOOK_CYCLE')!;
    expect(stopped.message).toMatch(/^the ORM does not start: Entity 'DocValid', event '\w+': plugin order constraints form a cycle/);
    expect(errorsOf(report.findings)).toContain('options MOP_INVALID_OPTIONS DocParcel docSized size');
    expect(JSON.stringify(report)).not.toContain(BAD_SECRET);
  });
});
