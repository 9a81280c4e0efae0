// Plugins built with services: `registry.register(instance)` and `pluginSystem({ plugins: [class, instance, factory] })`.
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import { hook, plugin, PluginConfigError, PluginRegistrationError, PluginRegistry, pluginSystem, runtimeOf, type PluginProvider } from '../src/index.js';
import { sqlite, type TestOrm } from './support/databases.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    piStamp: true;
  }
}

interface Clock {
  now(): Date;
}

const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });

@Entity()
class PiNote {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  text!: string;

  @Property({ type: 'string', nullable: true })
  stampedAt?: string;
}

/** Needs a clock: it cannot be built with a bare `new`. */
@plugin({ name: 'piStamp', registry: false })
class StampPlugin {
  constructor(readonly clock: Clock) {}

  @hook('beforeCreate')
  stamp(note: PiNote): void {
    note.stampedAt = this.clock.now().toISOString();
  }
}

/** Takes no argument: a class entry in `plugins` is enough. */
@plugin({ name: 'piCount', registry: false })
class CountPlugin {
  created = 0;

  @hook('afterCreate')
  count(): void {
    this.created++;
  }
}

class NotAPlugin {
  @hook('beforeCreate')
  nothing(): void {}
}

function start(registry: PluginRegistry, plugins?: readonly PluginProvider[]): Promise<TestOrm> {
  return sqlite.init({ entities: [PiNote], extensions: [pluginSystem({ registry, plugins, entities: { PiNote: ['piStamp'] } })] });
}

async function writeNote(orm: TestOrm): Promise<string | undefined> {
  const em = orm.em.fork();
  const note = em.create(PiNote, { text: 'hello' });
  await em.flush();
  const stored = await orm.em.fork().findOneOrFail(PiNote, note.id);
  return stored.stampedAt;
}

async function initError(start: () => Promise<TestOrm>): Promise<any> {
  let orm: TestOrm;
  try {
    orm = await start();
  } catch (error) {
    return error;
  }
  await orm.close();
  throw new Error('MikroORM.init succeeded but was expected to fail');
}

describe('pluginSystem({ plugins })', () => {
  test('an instance built with a service is the one the hooks run on', async () => {
    const orm = await start(new PluginRegistry(), [new StampPlugin(fixedClock('2030-01-02T03:04:05.000Z'))]);
    try {
      expect(await writeNote(orm)).toBe('2030-01-02T03:04:05.000Z');
    } finally {
      await orm.close();
    }
  });

  test('two ORMs on one registry hold two instances of one plugin, each with its own service', async () => {
    const registry = new PluginRegistry();
    const first = await start(registry, [new StampPlugin(fixedClock('2031-01-01T00:00:00.000Z'))]);
    const second = await start(registry, [new StampPlugin(fixedClock('2032-01-01T00:00:00.000Z'))]);
    try {
      expect(await writeNote(first)).toBe('2031-01-01T00:00:00.000Z');
      expect(await writeNote(second)).toBe('2032-01-01T00:00:00.000Z');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('a factory is called once per ORM, at start-up, before anything is written', async () => {
    let calls = 0;
    const factory = () => {
      calls++;
      return new StampPlugin(fixedClock(`203${calls}-06-01T00:00:00.000Z`));
    };
    const registry = new PluginRegistry();
    const first = await start(registry, [factory]);
    expect(calls).toBe(1);
    const second = await start(registry, [factory]);
    try {
      expect(calls).toBe(2);
      expect(await writeNote(first)).toBe('2031-06-01T00:00:00.000Z');
      expect(await writeNote(first)).toBe('2031-06-01T00:00:00.000Z');
      expect(await writeNote(second)).toBe('2032-06-01T00:00:00.000Z');
      expect(calls).toBe(2);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('a class in plugins is registered in the ORM registry when it is not yet, and built without arguments', async () => {
    const registry = new PluginRegistry().register(new StampPlugin(fixedClock('2033-01-01T00:00:00.000Z')));
    expect(registry.has('piCount')).toBe(false);
    const orm = await sqlite.init({
      entities: [PiNote],
      extensions: [pluginSystem({ registry, plugins: [CountPlugin], entities: { PiNote: ['piStamp', 'piCount' as 'piStamp'] } })],
    });
    try {
      expect(registry.has('piCount')).toBe(true);
      await writeNote(orm);
      await writeNote(orm);
      const built = runtimeOf(orm).instanceOf('piCount');
      expect(built).toBeInstanceOf(CountPlugin);
      expect((built as CountPlugin).created).toBe(2);
    } finally {
      await orm.close();
    }
  });
});

describe('registry.register(instance)', () => {
  test('every ORM on the registry uses the registered instance', async () => {
    const registry = new PluginRegistry().register(new StampPlugin(fixedClock('2034-01-01T00:00:00.000Z')));
    expect(registry.getPlugin('piStamp')?.name).toBe('piStamp');
    const orm = await start(registry);
    try {
      expect(await writeNote(orm)).toBe('2034-01-01T00:00:00.000Z');
    } finally {
      await orm.close();
    }
  });

  test('an ORM that gives its own instance uses it instead', async () => {
    const registry = new PluginRegistry().register(new StampPlugin(fixedClock('2035-01-01T00:00:00.000Z')));
    const orm = await start(registry, [new StampPlugin(fixedClock('2036-01-01T00:00:00.000Z'))]);
    try {
      expect(await writeNote(orm)).toBe('2036-01-01T00:00:00.000Z');
    } finally {
      await orm.close();
    }
  });

  test('registering the same instance twice does nothing; a second instance of the plugin is MOP_DUPLICATE_PLUGIN', () => {
    const instance = new StampPlugin(fixedClock('2037-01-01T00:00:00.000Z'));
    const registry = new PluginRegistry().register(instance).register(instance);
    const error = thrown(() => registry.register(new StampPlugin(fixedClock('2038-01-01T00:00:00.000Z'))));
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_DUPLICATE_PLUGIN', plugin: 'piStamp' });
  });

  test('registerMany takes instances too', () => {
    const registry = new PluginRegistry().registerMany([new StampPlugin(fixedClock('2039-01-01T00:00:00.000Z')), CountPlugin]);
    expect(registry.names()).toEqual(['piStamp', 'piCount']);
  });
});

describe('bad input is a typed error at start-up or registration', () => {
  test('a plugin whose constructor takes services, given no instance, fails start-up with MOP_INSTANCE_REQUIRED', async () => {
    const error = await initError(() => start(new PluginRegistry().register(StampPlugin)));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'MOP_INSTANCE_REQUIRED', plugin: 'piStamp' });
    expect(error.message).toContain('StampPlugin');
  });

  test.each([
    ['null', null, /\[0\].*got null/],
    ['a number', 42, /\[0\].*got number 42/],
    ['a plain object', {}, /\[0\].*got a plain object/],
    ['a class without @plugin', NotAPlugin, /\[0\] is class NotAPlugin, which has no @plugin/],
    ['an instance of a class without @plugin', new NotAPlugin(), /instance of NotAPlugin, which has no @plugin/],
    ['a factory returning a number', function makeNothing() { return 7; }, /factory makeNothing.*got number 7/],
    ['a factory returning a promise', async () => new StampPlugin(fixedClock('2040-01-01T00:00:00.000Z')), /got a promise/],
  ])('%s fails with MOP_INVALID_PLUGIN', async (_title, provider, message) => {
    const error = await initError(() => start(new PluginRegistry(), [provider as PluginProvider]));
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error.code).toBe('MOP_INVALID_PLUGIN');
    expect(error.message).toMatch(message);
  });

  test('plugins that is not an array fails with MOP_INVALID_PLUGIN', async () => {
    const error = await initError(() => start(new PluginRegistry(), CountPlugin as unknown as PluginProvider[]));
    expect(error).toMatchObject({ code: 'MOP_INVALID_PLUGIN' });
  });

  test('two entries for one plugin fail with MOP_DUPLICATE_PLUGIN naming it', async () => {
    const clock = fixedClock('2041-01-01T00:00:00.000Z');
    const error = await initError(() => start(new PluginRegistry(), [new StampPlugin(clock), () => new StampPlugin(clock)]));
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_DUPLICATE_PLUGIN', plugin: 'piStamp' });
    expect(error.message).toContain('index 1');
  });

  test('register() of null or a number fails with MOP_INVALID_PLUGIN', () => {
    expect(thrown(() => new PluginRegistry().register(null as never))).toMatchObject({ code: 'MOP_INVALID_PLUGIN' });
    expect(thrown(() => new PluginRegistry().register(3 as never))).toMatchObject({ code: 'MOP_INVALID_PLUGIN' });
    expect(thrown(() => new PluginRegistry().register(new NotAPlugin()))).toMatchObject({ code: 'MOP_INVALID_PLUGIN' });
  });
});

describe('types', () => {
  test('plugins takes no-argument classes, instances and factories, and nothing else', () => {
    const clock = fixedClock('2042-01-01T00:00:00.000Z');
    const accepted: PluginProvider[] = [CountPlugin, new StampPlugin(clock), () => new StampPlugin(clock), new CountPlugin()];
    // @ts-expect-error StampPlugin's constructor needs a clock: give an instance or a factory
    const needsArguments: PluginProvider[] = [StampPlugin];
    // @ts-expect-error null is not a plugin
    const isNull: PluginProvider[] = [null];
    // @ts-expect-error neither is a number
    const isNumber: PluginProvider[] = [42];
    // @ts-expect-error a factory returns an instance, not a number
    const returnsNumber: PluginProvider[] = [() => 42];
    // @ts-expect-error nor a promise: start-up cannot wait for it
    const returnsPromise: PluginProvider[] = [async () => new CountPlugin()];
    // @ts-expect-error register takes a class or an instance
    const registerNumber = () => new PluginRegistry().register(42);
    expect([accepted, needsArguments, isNull, isNumber, returnsNumber, returnsPromise, registerNumber]).toHaveLength(7);
  });
});

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
