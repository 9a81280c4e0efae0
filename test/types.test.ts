// Compile-time checks: `tsc --noEmit` (the root tsconfig includes test/) fails when a
// `@ts-expect-error` below is not needed any more, so each of those lines is a test that can fail.
// The runtime part proves the code that does compile also does what its types say.
import { defineEntity, p, type InferEntity, type MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  describeChain,
  emit,
  hook,
  plugin,
  pluginOptions,
  PluginRegistry,
  pluginSystem,
  SoftDeletePlugin,
  TimestampPlugin,
  timestampProperties,
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

// --- usePlugins around defineEntity, with relations in both directions ------------------------
// Each initializer below mentions the other entity. When usePlugins checked its argument against
// EntitySchema<any, any>, TypeScript had to finish inferring the entity to compare type arguments, and
// these declarations failed to compile (TS7022 "implicitly has type 'any'", TS2615 "circularly
// references itself"). No @ts-expect-error here: the test is that this compiles and keeps its types.

const TypAuthor = usePlugins(
  defineEntity({
    name: 'TypAuthor',
    properties: {
      id: p.integer().primary(),
      name: p.string(),
      books: () => p.oneToMany(TypBook).mappedBy('author'),
      ...timestampProperties(),
    },
  }),
  ['timestamp'],
);

const TypBook = usePlugins(
  defineEntity({
    name: 'TypBook',
    properties: {
      id: p.integer().primary(),
      title: p.string(),
      author: () => p.manyToOne(TypAuthor),
      ...timestampProperties(),
    },
  }),
  [{ softDelete: false }, 'timestamp'],
);

// The statement form, after the definition, for a self-referencing entity.
const TypShelf = defineEntity({
  name: 'TypShelf',
  properties: {
    id: p.integer().primary(),
    parent: () => p.manyToOne(TypShelf).nullable(),
    children: () => p.oneToMany(TypShelf).mappedBy('parent'),
    ...timestampProperties(),
  },
});
usePlugins(TypShelf, ['timestamp']);

// The inferred entities are the real ones, not `any`.
expectTypeOf<InferEntity<typeof TypBook>['author']['name']>().toEqualTypeOf<string>();
expectTypeOf<InferEntity<typeof TypAuthor>['createdAt']>().toExtend<Date>();
expectTypeOf<InferEntity<typeof TypShelf>['parent']>().not.toBeAny();

// @ts-expect-error usePlugins takes an entity schema, not a plain class (decorated classes use @withPlugins)
const classInsteadOfSchema = () => usePlugins(class NotASchema {}, ['timestamp']);

const pings: number[] = [];

@plugin({ name: 'pinger', events: ['typesPing'], registry: false })
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
    const registry = new PluginRegistry().registerMany([TimestampPlugin, SoftDeletePlugin]).register(Pinger);
    const orm: MikroORM = await sqlite.init({ entities: [TypPost], extensions: [pluginSystem({ registry })] });
    try {
      const em = orm.em.fork();
      const post = em.create(TypPost, { title: 't' });
      await em.flush();

      emit(em, 'typesPing', post, { n: 7 });
      // @ts-expect-error 'notDeclared' is not a declared event
      expect(() => emit(em, 'notDeclared', post)).toThrow(expect.objectContaining({ code: 'MOP_UNKNOWN_EVENT' }));
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

  test('usePlugins entities with a two-way relation work at runtime too', async () => {
    const orm: MikroORM = await sqlite.init({ entities: [TypAuthor, TypBook, TypShelf], extensions: [pluginSystem()] });
    try {
      const em = orm.em.fork();
      const ann = em.create(TypAuthor, { name: 'Ann' });
      em.create(TypBook, { title: 'First', author: ann });
      const top = em.create(TypShelf, {});
      em.create(TypShelf, { parent: top });
      await em.flush();

      const reader = orm.em.fork();
      const book = await reader.findOneOrFail(TypBook, { title: 'First' }, { populate: ['author'] });
      expect(book.author.name).toBe('Ann');
      expect(book.createdAt).toBeInstanceOf(Date);
      expect(book.author.createdAt).toBeInstanceOf(Date);
      const shelves = await reader.find(TypShelf, {}, { orderBy: { id: 'asc' } });
      expect(shelves.map(s => s.createdAt instanceof Date)).toEqual([true, true]);
      expect(describeChain(orm, TypAuthor, 'beforeCreate').map(h => h.plugin)).toEqual(['timestamp']);
      expect(classInsteadOfSchema).toThrow(expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT', option: 'schema' }));
    } finally {
      await orm.close();
    }
  });
});
