// Names are checked: hook events must be declared, emit() fires declared events only, `entities` keys must be entities,
// and a plugin whose decorators were dropped (legacy decorators on a class expression) is refused.
import type { EntityClass } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import {
  emit,
  hook,
  plugin,
  PluginConfigError,
  PluginRegistrationError,
  PluginRegistry,
  pluginSystem,
  SoftDeletePlugin,
  type PluginList,
  type HookEventName,
} from '../src/index.js';
import { sqlite, type TestOrm } from './support/databases.js';

declare module '../src/events.js' {
  interface CustomHookEvents {
    stnAccess: { by: string };
  }
}

let entityCount = 0;

function entityWith(name: string, plugins: readonly string[]): EntityClass<any> {
  const Target = { [name]: class { static plugins = plugins; } }[name]!;
  PrimaryKey({ type: 'integer' })(Target.prototype, 'id');
  Property({ type: 'string', nullable: true })(Target.prototype, 'title');
  Entity({ tableName: `stn_${++entityCount}` })(Target);
  return Target;
}

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function startError(start: () => Promise<TestOrm>): Promise<any> {
  let orm: TestOrm;
  try {
    orm = await start();
  } catch (error) {
    return error;
  }
  await orm.close();
  throw new Error('MikroORM.init succeeded but was expected to fail');
}

/** Declares `stnAccess` and records every hook call on it. */
function accessPlugin(registry: PluginRegistry, calls: string[]): void {
  @plugin({ name: 'stnAccessLog', events: ['stnAccess'], registry })
  class AccessLog {
    @hook('stnAccess')
    record(entity: { title: string }, payload: { by: string }): void {
      calls.push(`${payload.by} read ${entity.title}`);
    }
  }
  void AccessLog;
}

describe('hook events must be built in or declared', () => {
  test('a misspelt built-in event fails at registration with MOP_UNKNOWN_EVENT and a case-insensitive did-you-mean', () => {
    class Misspelt {
      @hook('beforesave' as HookEventName)
      touch(): void {}
    }
    const error = thrown(() => new PluginRegistry().register('stnMisspelt', Misspelt));
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_UNKNOWN_EVENT', plugin: 'stnMisspelt', hook: 'beforesave' });
    expect(error.message).toContain("did you mean 'beforeSave'?");
  });

  test('a misspelt custom event suggests the declared one', () => {
    const registry = new PluginRegistry();
    accessPlugin(registry, []);
    class Reader {
      @hook('stnAcess' as HookEventName)
      read(): void {}
    }
    const error = thrown(() => registry.register('stnReader', Reader));
    expect(error).toMatchObject({ code: 'MOP_UNKNOWN_EVENT', plugin: 'stnReader' });
    expect(error.message).toContain("did you mean 'stnAccess'?");
  });

  test('nothing close: no suggestion', () => {
    class Far {
      @hook('zzzzzzzzzz' as HookEventName)
      far(): void {}
    }
    const error = thrown(() => new PluginRegistry().register('stnFar', Far));
    expect(error).toMatchObject({ code: 'MOP_UNKNOWN_EVENT' });
    expect(error.message).not.toContain('did you mean');
  });

  test('declared events are per registry', () => {
    accessPlugin(new PluginRegistry(), []);
    class Reader {
      @hook('stnAccess')
      read(): void {}
    }
    expect(thrown(() => new PluginRegistry().register('stnElsewhere', Reader))).toMatchObject({ code: 'MOP_UNKNOWN_EVENT' });
  });

  test('a plugin declares its events and fires them; emit runs the hooks', async () => {
    const calls: string[] = [];
    const registry = new PluginRegistry();
    accessPlugin(registry, calls);
    expect(registry.declaredEvents().get('stnAccess')).toEqual({ plugin: 'stnAccessLog', kind: 'sequential' });
    const Doc = entityWith('StnDoc', ['stnAccessLog']);
    const orm = await sqlite.init({ entities: [Doc], extensions: [pluginSystem({ registry })] });
    try {
      const em = orm.em.fork();
      const doc = em.create(Doc, { title: 'plan' });
      await emit(em, 'stnAccess', doc, { by: 'alice' });
      expect(calls).toEqual(['alice read plan']);
    } finally {
      await orm.close();
    }
  });

  test('events may not redeclare a built-in event', () => {
    @plugin({ name: 'stnBuiltIn', events: ['beforeCreate' as never], registry: false })
    class BuiltIn {}
    expect(thrown(() => new PluginRegistry().register(BuiltIn))).toMatchObject({ code: 'MOP_INVALID_PLUGIN', plugin: 'stnBuiltIn' });
  });
});

describe("hooking another plugin's event", () => {
  const softDeletable = (name: string) => entityWith(name, ['softDelete', 'stnNotify']);

  function notifyPlugin(calls: string[], requires?: string[]) {
    @plugin({ name: 'stnNotify', registry: false, ...(requires ? { requires } : {}) })
    class Notify {
      @hook('afterSoftDelete')
      deleted(entity: { title: string }): void {
        calls.push(`deleted ${entity.title}`);
      }
    }
    return Notify;
  }

  async function removeOne(orm: TestOrm, entity: EntityClass<any>): Promise<void> {
    const em = orm.em.fork();
    const row = em.create(entity, { title: 'draft' });
    await em.flush();
    em.remove(row);
    await em.flush();
  }

  test('registered after the plugin declaring it, a hook on that event is accepted and runs', async () => {
    const calls: string[] = [];
    const registry = new PluginRegistry().register(SoftDeletePlugin).register(notifyPlugin(calls));
    const Draft = softDeletable('StnDraftAfter');
    const orm = await sqlite.init({ entities: [Draft], extensions: [pluginSystem({ registry })] });
    try {
      await removeOne(orm, Draft);
      expect(calls).toEqual(['deleted draft']);
    } finally {
      await orm.close();
    }
  });

  test('registered first, it fails unless it requires the plugin that declares the event', () => {
    const error = thrown(() => new PluginRegistry().register(notifyPlugin([])));
    expect(error).toMatchObject({ code: 'MOP_UNKNOWN_EVENT', plugin: 'stnNotify', hook: 'afterSoftDelete' });
    expect(error.message).toContain('@plugin({ events');
  });

  test('registered first with requires, the check waits for start-up, where the event is declared by then', async () => {
    const calls: string[] = [];
    const registry = new PluginRegistry().register(notifyPlugin(calls, ['softDelete']));
    registry.register(SoftDeletePlugin);
    const Draft = softDeletable('StnDraftFirst');
    const orm = await sqlite.init({ entities: [Draft], extensions: [pluginSystem({ registry })] });
    try {
      await removeOne(orm, Draft);
      expect(calls).toEqual(['deleted draft']);
    } finally {
      await orm.close();
    }
  });

  test('at start-up a required plugin that does not declare the event fails with MOP_UNKNOWN_EVENT', async () => {
    @plugin({ name: 'softDelete', registry: false })
    class FakeSoftDelete {}
    const registry = new PluginRegistry().register(notifyPlugin([], ['softDelete'])).register(FakeSoftDelete);
    const error = await startError(() => sqlite.init({ entities: [entityWith('StnFake', ['stnNotify'])], extensions: [pluginSystem({ registry })] }));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'MOP_UNKNOWN_EVENT', plugin: 'stnNotify', hook: 'afterSoftDelete' });
  });
});

describe('emit', () => {
  test('an undeclared event is MOP_UNKNOWN_EVENT with a did-you-mean; a built-in one too', async () => {
    const registry = new PluginRegistry();
    accessPlugin(registry, []);
    const Doc = entityWith('StnEmitDoc', ['stnAccessLog']);
    const orm = await sqlite.init({ entities: [Doc], extensions: [pluginSystem({ registry })] });
    try {
      const em = orm.em.fork();
      const doc = em.create(Doc, { title: 'x' });
      const misspelt = thrown(() => emit(em, 'stnacces' as 'stnAccess', doc, { by: 'bob' }));
      expect(misspelt).toBeInstanceOf(PluginConfigError);
      expect(misspelt).toMatchObject({ code: 'MOP_UNKNOWN_EVENT', hook: 'stnacces' });
      expect(misspelt.message).toContain("did you mean 'stnAccess'?");
      const builtIn = thrown(() => emit(em, 'beforeCreate' as 'stnAccess', doc, { by: 'bob' }));
      expect(builtIn).toMatchObject({ code: 'MOP_UNKNOWN_EVENT' });
      expect(builtIn.message).toContain('built-in event');
    } finally {
      await orm.close();
    }
  });
});

describe('pluginSystem({ entities })', () => {
  test('an unknown entity name fails start-up with MOP_UNKNOWN_ENTITY and a did-you-mean', async () => {
    const registry = new PluginRegistry();
    accessPlugin(registry, []);
    const Invoice = entityWith('StnInvoice', []);
    const entities = { stninvoce: ['stnAccessLog'] } as unknown as Record<string, PluginList>;
    const error = await startError(() => sqlite.init({ entities: [Invoice], extensions: [pluginSystem({ registry, entities })] }));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'MOP_UNKNOWN_ENTITY', entity: 'stninvoce' });
    expect(error.message).toContain("did you mean 'StnInvoice'?");
  });

  test('the right name attaches the plugins', async () => {
    const calls: string[] = [];
    const registry = new PluginRegistry();
    accessPlugin(registry, calls);
    const Receipt = entityWith('StnReceipt', []);
    const entities = { StnReceipt: ['stnAccessLog'] } as unknown as Record<string, PluginList>;
    const orm = await sqlite.init({ entities: [Receipt], extensions: [pluginSystem({ registry, entities })] });
    try {
      const em = orm.em.fork();
      await emit(em, 'stnAccess', em.create(Receipt, { title: 'r1' }), { by: 'carol' });
      expect(calls).toEqual(['carol read r1']);
    } finally {
      await orm.close();
    }
  });
});

describe('legacy decorators on a class expression', () => {
  test('plugin(name)(class { @hook ... }) loses its hooks under experimentalDecorators: a typed error instead of a silent no-op', () => {
    const registry = new PluginRegistry();
    const error = thrown(() =>
      plugin({ name: 'stnExpression', registry })(
        class {
          // @ts-expect-error TS1206: legacy decorators are not valid in a class expression, and compilers drop them
          @hook('beforeCreate')
          stamp(): void {}
        },
      ),
    );
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_INVALID_PLUGIN', plugin: 'stnExpression' });
    expect(error.message).toContain('class expression');
    expect(registry.has('stnExpression')).toBe(false);
  });

  test('a plugin with no methods, or with lifecycle methods only, still registers', () => {
    @plugin({ name: 'stnMarker', registry: false })
    class Marker {}
    @plugin({ name: 'stnSetup', registry: false })
    class SetupOnly {
      setupEntity(): void {}
      helper(): void {}
    }
    expect(new PluginRegistry().registerMany([Marker, SetupOnly]).names()).toEqual(['stnMarker', 'stnSetup']);
  });
});
