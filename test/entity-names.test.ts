// Entities whose name differs from their class name: `defineEntity` with `setClass`, and `EntitySchema`
// with `class`. Plugins attach by the entity, whatever it is called, and every hook and filter finds it.
import { EntitySchema, defineEntity, p } from '@mikro-orm/core';
import { expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, TimestampPlugin, describeChain, pluginSystem, usePlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { dumpTable } from './support/fixtures-sql.js';

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin });

function makeDefined() {
  const Schema = usePlugins(defineEntity({ name: 'WriterEntity', properties: { id: p.integer().primary(), name: p.string() } }), ['timestamp', 'softDelete']);
  class Writer extends Schema.class {
    greet() {
      return `hi ${this.name}`;
    }
  }
  Schema.setClass(Writer);
  return { schema: Schema, cls: Writer };
}

function makeSchema() {
  class Editor {
    id!: number;
    name!: string;
  }
  const schema = new EntitySchema<Editor>({
    name: 'EditorRecord',
    class: Editor,
    properties: { id: { type: 'integer', primary: true }, name: { type: 'string' } },
  });
  return { schema, cls: Editor };
}

describeEachDatabase('entity name other than the class name', db => {
  for (const [label, make] of [
    ['defineEntity + setClass', makeDefined],
    ['EntitySchema with class', makeSchema],
  ] as const) {
    test(`${label}: stamps, soft delete and its filter work`, async () => {
      const { schema, cls } = make();
      const options = label === 'EntitySchema with class' ? { registry, global: ['timestamp', 'softDelete'] as const } : { registry };
      const orm = await db.init({ entities: [schema], extensions: [pluginSystem(options as never)] });
      try {
        expect(describeChain(orm, cls as never, 'beforeCreate').map(h => h.plugin)).toEqual(['timestamp']);
        const em = orm.em.fork();
        const one = em.create(cls as never, { name: 'a' } as never) as { createdAt?: Date };
        em.create(cls as never, { name: 'b' } as never);
        await em.flush();
        expect(one.createdAt).toBeInstanceOf(Date);
        em.remove(one);
        await em.flush();
        expect((await dumpTable(orm, cls as never)).length).toBe(2);
        const seen = orm.em.fork();
        expect((await seen.find(cls as never, {})).map(r => (r as { name: string }).name)).toEqual(['b']);
        expect(await seen.count(cls as never, {}, { withDeleted: true })).toBe(2);
        expect(await seen.createQueryBuilder(cls as never).getCount()).toBe(1);
      } finally {
        await orm.close(true);
      }
    });
  }
});

test('the class of a setClass entity keeps its own methods with plugins attached', async () => {
  const { schema, cls } = makeDefined();
  const orm = await (await import('./support/databases.js')).sqlite.init({ entities: [schema], extensions: [pluginSystem({ registry })] });
  try {
    const em = orm.em.fork();
    const writer = em.create(cls, { name: 'w' });
    await em.flush();
    expect(writer.greet()).toBe('hi w');
    expect(writer).toBeInstanceOf(cls);
  } finally {
    await orm.close(true);
  }
});
