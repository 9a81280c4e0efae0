// Custom events carry a kind, as built-in ones do: a veto event tells emit() whether a hook said no, a
// waterfall event threads a value through its hooks. Same dispatcher, order, switches and error tags.
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { afterEach, describe, expect, expectTypeOf, test } from 'vitest';
import {
  HookError,
  PluginRegistrationError,
  PluginRegistry,
  describeChain,
  emit,
  hook,
  plugin,
  pluginSystem,
  withPlugins,
  withoutPlugins,
  type HookContext,
} from '../src/index.js';

declare module '../src/events.js' {
  interface CustomHookEvents {
    ckApprove: { amount: number };
    ckLabel: string;
    ckSeen: { by: string };
  }
  interface CustomEventKinds {
    ckApprove: 'veto';
    ckLabel: 'waterfall';
  }
}

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    ckLimits: true;
    ckAudit: true;
    ckBroken: true;
  }
}

const log: string[] = [];

function definePlugins(registry: PluginRegistry, opts: { asyncLabel?: boolean } = {}) {
  @plugin({ name: 'ckLimits', events: { ckApprove: 'veto', ckLabel: 'waterfall' }, registry })
  class Limits {
    @hook('ckApprove', { priority: -10 })
    underLimit(entity: Invoice, payload: { amount: number }, ctx: HookContext): boolean | void {
      log.push(`limits ${ctx.meta.className}#${entity.id} ${payload.amount}`);
      if (payload.amount > 100) return false;
    }

    @hook('ckLabel', { priority: 10 })
    suffix(_entity: Invoice, value: string): string | Promise<string> {
      return opts.asyncLabel ? Promise.resolve(`${value} (checked)`) : `${value} (checked)`;
    }
  }

  @plugin({ name: 'ckAudit', events: ['ckSeen'], registry })
  class Audit {
    @hook('ckApprove')
    record(entity: Invoice, payload: { amount: number }): void {
      log.push(`audit #${entity.id} ${payload.amount}`);
    }

    @hook('ckSeen')
    seen(_entity: Invoice, payload: { by: string }): void {
      log.push(`seen by ${payload.by}`);
    }

    @hook('ckLabel')
    prefix(entity: Invoice, value: string): string {
      return `#${entity.id} ${value}`;
    }

    @hook('ckLabel', { priority: 5 })
    keep(): undefined {
      return undefined;
    }
  }
  return { Limits, Audit };
}

@withPlugins(['ckLimits', 'ckAudit'])
@Entity()
class Invoice {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

let orm: MikroORM | undefined;
afterEach(async () => {
  await orm?.close(true);
  orm = undefined;
  log.length = 0;
});

async function setUp(opts: { asyncLabel?: boolean } = {}): Promise<{ orm: MikroORM; invoice: Invoice }> {
  const registry = new PluginRegistry();
  definePlugins(registry, opts);
  orm = await MikroORM.init({ driver: SqliteDriver, dbName: ':memory:', entities: [Invoice], extensions: [pluginSystem({ registry })] });
  await orm.schema.create();
  const em = orm.em.fork();
  const invoice = em.create(Invoice, { id: 7, title: 'rent' });
  await em.flush();
  return { orm, invoice };
}

describe('veto events', () => {
  test('emit() says whether every hook allowed it; a veto stops the chain', async () => {
    const { orm, invoice } = await setUp();
    expect(emit(orm.em, 'ckApprove', invoice, { amount: 50 })).toBe(true);
    expect(log).toEqual(['limits Invoice#7 50', 'audit #7 50']);
    log.length = 0;
    expect(emit(orm.em, 'ckApprove', invoice, { amount: 500 })).toBe(false);
    expect(log).toEqual(['limits Invoice#7 500']);
  });

  test('withoutPlugins switches off the vetoing plugin', async () => {
    const { orm, invoice } = await setUp();
    expect(withoutPlugins(['ckLimits'], () => emit(orm.em, 'ckApprove', invoice, { amount: 500 }))).toBe(true);
    expect(log).toEqual(['audit #7 500']);
  });

  test('describeChain shows the declared kind', async () => {
    const { orm } = await setUp();
    expect(describeChain(orm, Invoice, 'ckApprove').map(h => [h.plugin, h.kind, h.priority])).toEqual([
      ['ckLimits', 'veto', -10],
      ['ckAudit', 'veto', 0],
    ]);
    expect(describeChain(orm, Invoice, 'ckLabel').map(h => h.kind)).toEqual(['waterfall', 'waterfall', 'waterfall']);
    expect(describeChain(orm, Invoice, 'ckSeen').map(h => h.kind)).toEqual(['sequential']);
  });
});

describe('waterfall events', () => {
  test('each hook gets the value the previous one returned; undefined keeps it', async () => {
    const { orm, invoice } = await setUp();
    expect(emit(orm.em, 'ckLabel', invoice, 'rent')).toBe('#7 rent (checked)');
  });

  test('an async hook makes emit() return a promise of the final value', async () => {
    const { orm, invoice } = await setUp({ asyncLabel: true });
    const result = emit(orm.em, 'ckLabel', invoice, 'rent');
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe('#7 rent (checked)');
  });

  test('with every hook switched off the value comes back as given', async () => {
    const { orm, invoice } = await setUp();
    expect(withoutPlugins(['ckLimits', 'ckAudit'], () => emit(orm.em, 'ckLabel', invoice, 'rent'))).toBe('rent');
  });
});

test('sequential events declared as a list still return nothing', async () => {
  const { orm, invoice } = await setUp();
  expect(emit(orm.em, 'ckSeen', invoice, { by: 'ann' })).toBeUndefined();
  expect(log).toEqual(['seen by ann']);
});

test('a hook that throws in a custom event is tagged with plugin, hook and entity', async () => {
  const registry = new PluginRegistry();
  definePlugins(registry);
  @plugin({ name: 'ckBroken', registry, requires: ['ckLimits'] })
  class Broken {
    @hook('ckApprove')
    fail(): boolean {
      throw new Error('no budget table');
    }
  }
  void Broken;
  orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ':memory:',
    entities: [Invoice],
    extensions: [pluginSystem({ registry, entities: { Invoice: ['ckBroken'] } })],
  });
  const error = (() => {
    try {
      const em = orm.em.fork();
      emit(em, 'ckApprove', em.getReference(Invoice, 1), { amount: 1 });
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(HookError);
  expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'ckBroken', hook: 'fail (ckApprove)', entity: 'Invoice' });
});

describe('declaring kinds', () => {
  test('registry.list() shows each plugin’s events with their kinds', () => {
    const registry = new PluginRegistry();
    definePlugins(registry);
    expect(registry.getPlugin('ckLimits')?.events).toEqual({ ckApprove: 'veto', ckLabel: 'waterfall' });
    expect(registry.getPlugin('ckAudit')?.events).toEqual({ ckSeen: 'sequential' });
  });

  test('a kind a custom event cannot have is refused at registration', () => {
    for (const kind of ['around', 'collect', 'Veto', 3, null]) {
      const attempt = () => {
        @plugin({ name: 'ckOdd', events: { ckApprove: kind } as never, registry: new PluginRegistry() })
        class Odd {}
        return Odd;
      };
      expect(attempt).toThrow(PluginRegistrationError);
      expect(attempt).toThrow(/event 'ckApprove' has the kind/);
    }
  });

  test('two plugins declaring one event with different kinds is a typed error naming both', () => {
    const registry = new PluginRegistry();
    definePlugins(registry);
    let error: any;
    try {
      @plugin({ name: 'ckOther', events: ['ckApprove'] as never, registry })
      class Other {}
      void Other;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_EVENT_KIND_CONFLICT', plugin: 'ckOther', hook: 'ckApprove' });
    expect(error.message).toContain("plugin 'ckLimits' declares it as veto");
    expect(registry.has('ckOther')).toBe(false);
  });

  test('the same kind declared twice is fine', () => {
    const registry = new PluginRegistry();
    definePlugins(registry);
    @plugin({ name: 'ckAlso', events: { ckApprove: 'veto' }, registry })
    class Also {}
    void Also;
    expect(registry.has('ckAlso')).toBe(true);
  });
});

test('types: the kind decides the hook signature, the declaration and what emit() returns', () => {
  const em = undefined as unknown as MikroORM['em'];
  const invoice = {} as Invoice;
  const types = () => {
    expectTypeOf(emit(em, 'ckApprove', invoice, { amount: 1 })).toEqualTypeOf<boolean | Promise<boolean>>();
    expectTypeOf(emit(em, 'ckLabel', invoice, 'x')).toEqualTypeOf<string | Promise<string>>();
    expectTypeOf(emit(em, 'ckSeen', invoice, { by: 'x' })).toEqualTypeOf<void | Promise<void>>();
    // @ts-expect-error: a waterfall value has the payload's type
    emit(em, 'ckLabel', invoice, 42);
    // @ts-expect-error: a veto event is not declared in a list (lists declare sequential events)
    plugin({ name: 'x', events: ['ckApprove'] });
    // @ts-expect-error: the declared kind must match CustomEventKinds
    plugin({ name: 'x', events: { ckApprove: 'waterfall' } });
    plugin({ name: 'x', events: { ckApprove: 'veto', ckSeen: 'sequential' } });
    class Typed {
      // @ts-expect-error: a waterfall hook returns the value's type
      @hook('ckLabel') wrong(_e: unknown, _v: string): number {
        return 1;
      }
    }
    return Typed;
  };
  expect(typeof types).toBe('function');
});
