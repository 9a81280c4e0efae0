// Compile-time checks: `tsc --noEmit` (the root tsconfig includes test/) fails when a
// `@ts-expect-error` below is not needed any more, so each of those lines is a test that can fail.
// The runtime part proves the code that does compile also does what its types say.
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  describeChain,
  emit,
  hook,
  pluginOptions,
  PluginRegistry,
  pluginSystem,
  SoftDeletePlugin,
  TimestampPlugin,
  usePlugins,
  withPlugins,
  type HookContext,
  type PluginList,
  type SoftDeleteOptions,
} from '../src/index.js';
import { sqlite } from './support/databases.js';

declare module '../src/events.js' {
  interface CustomHookEvents {
    /** Declared here only: a custom event with a required payload. */
    typesPing: { n: number };
  }
}

// --- @hook: event names and method signatures --------------------------------------------------

class TypedHooks {
  // @ts-expect-error 'beforSave' is not an event
  @hook('beforSave')
  misspelt(): void {}

  // @ts-expect-error one misspelt name in a list is enough
  @hook(['beforeCreate', 'afterCreat'])
  misspeltInList(): void {}

  // @ts-expect-error beforeDelete may return void, a boolean or a promise of those, not a string
  @hook('beforeDelete')
  vetoWithString(): string {
    return 'no';
  }

  // @ts-expect-error afterCreate returns void: a boolean promise is not a hook result
  @hook('afterCreate')
  asyncBoolean(): Promise<boolean> {
    return Promise.resolve(true);
  }

  // @ts-expect-error the payload of typesPing is { n: number }
  @hook('typesPing')
  wrongPayload(entity: object, payload: { n: string }): void {}

  @hook('beforeDelete')
  veto(): boolean {
    return false;
  }

  @hook('beforeDelete')
  async asyncVeto(): Promise<boolean> {
    return false;
  }

  @hook(['beforeSave', 'afterLoad'], { priority: -1, before: ['timestamp'] })
  both(entity: object, ctx: HookContext): void {}

  @hook('typesPing')
  ping(entity: object, payload: { n: number }, ctx: HookContext): void {}

  @hook('beforeSoftDelete')
  builtInCustom(entity: object): void {}
}

// --- entity plugin lists ----------------------------------------------------------------------

const goodList: PluginList = ['timestamp', { softDelete: { field: 'removedAt' } }];
const goodRecord: PluginList = { timestamp: true, softDelete: false, validation: { validate: () => [] } };

// @ts-expect-error 'noSuchPlugin' is not a plugin name
const unknownName: PluginList = ['timestamp', 'noSuchPlugin'];

// @ts-expect-error nor as a key
const unknownKey: PluginList = [{ noSuchPlugin: true }];

// @ts-expect-error softDelete's field is a string
const wrongOptionType: PluginList = [{ softDelete: { field: 1 } }];

// @ts-expect-error timestamp has no 'deletedAt' option
const unknownOption: PluginList = { timestamp: { deletedAt: 'x' } };

// @ts-expect-error 'noSuchPlugin' on @withPlugins
@withPlugins(['noSuchPlugin'])
class TypeCheckedUnknown {}

// @ts-expect-error a wrong option type on @withPlugins
@withPlugins([{ softDelete: { field: 1 } }])
class TypeCheckedWrongOption {}

// @ts-expect-error 'noSuchPlugin' as a global plugin
const globalUnknown = pluginSystem({ global: ['noSuchPlugin'] });

// @ts-expect-error wrong option type on an entity of pluginSystem({ entities })
const entitiesWrong = pluginSystem({ entities: { Anything: [{ timestamp: { createdAt: 5 } }] } });

// --- the entities the runtime part uses --------------------------------------------------------

@withPlugins(['timestamp', { softDelete: { field: 'removedAt' } }])
@Entity()
class TypPost {
  static plugins = ['pinger'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const pings: number[] = [];

class Pinger {
  @hook('typesPing')
  record(entity: TypPost, payload: { n: number }, ctx: HookContext): void {
    pings.push(payload.n);
  }
}

describe('types', () => {
  test('the declarations above are real values (and not tree-shaken as unused)', () => {
    expect([TypedHooks, TypeCheckedUnknown, TypeCheckedWrongOption, globalUnknown, entitiesWrong]).toHaveLength(5);
    expect([goodList, goodRecord, unknownName, unknownKey, wrongOptionType, unknownOption]).toHaveLength(6);
    expect(usePlugins).toBeTypeOf('function');
  });

  test('a custom event declared by augmentation is emitted with its payload; undeclared ones do not compile', async () => {
    pings.length = 0;
    const registry = new PluginRegistry().registerMany([TimestampPlugin, SoftDeletePlugin]).register('pinger', Pinger);
    const orm: MikroORM = await sqlite.init({ entities: [TypPost], extensions: [pluginSystem({ registry })] });
    try {
      const em = orm.em.fork();
      const post = em.create(TypPost, { title: 't' });
      await em.flush();

      emit(em, 'typesPing', post, { n: 7 });
      // @ts-expect-error 'notDeclared' is not a declared event
      emit(em, 'notDeclared', post);
      // The payload of typesPing is required: without it the hook would read `undefined.n`.
      // @ts-expect-error the payload of typesPing is required
      expect(() => emit(em, 'typesPing', post)).toThrow(/reading 'n'/);
      // @ts-expect-error and typed
      emit(em, 'typesPing', post, { n: 'seven' });
      emit(em, 'beforeSoftDelete', post); // declared by the softDelete plugin, without payload
      expect(pings).toEqual([7, 'seven']);

      // describeChain takes the chain names, not the composite beforeSave/afterSave
      expect(describeChain(orm, TypPost, 'beforeCreate').map(h => h.plugin)).toEqual(['timestamp']);
      expect(describeChain(orm, TypPost, 'typesPing').map(h => h.method)).toEqual(['record']);
      // @ts-expect-error beforeSave hooks sit in the create and update chains
      expect(describeChain(orm, TypPost, 'beforeSave')).toEqual([]);
      // @ts-expect-error the same for afterSave
      expect(describeChain(orm, TypPost, 'afterSave')).toEqual([]);

      const options = pluginOptions(em, TypPost, 'softDelete');
      expectTypeOf(options).toEqualTypeOf<Partial<SoftDeleteOptions> | undefined>();
      expect(options).toEqual({ field: 'removedAt', unique: [], policy: 'soft', cascade: [], batchField: 'deletionBatch', deletedBy: false, deletedTargets: {}, referrers: 'null' });
      // @ts-expect-error pluginOptions takes plugin names only
      pluginOptions(em, TypPost, 'noSuchPlugin');
    } finally {
      await orm.close();
    }
  });
});
