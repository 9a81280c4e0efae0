// A CommonJS TypeScript application. `import x = require()` is the CommonJS form; tsc emits require() calls.
// It is compiled against the packed package's own .d.ts files (see tsconfig.*.json next to this file),
// then the emitted JavaScript runs. The root tsconfig also checks this file, against src/.
import plugins = require('mikro-orm-plugins');
import sqlite = require('@mikro-orm/sqlite');

const { MikroORM, defineEntity, p } = sqlite;
const { describeChain, pluginSystem, timestampProperties, usePlugins } = plugins;

// A two-way relation inside usePlugins: TS7022 here would mean the published types regressed.
const Shelf = usePlugins(
  defineEntity({
    name: 'Shelf',
    properties: { id: p.integer().primary(), label: p.string(), notes: () => p.oneToMany(Note).mappedBy('shelf') },
  }),
  [],
);
const Note = usePlugins(
  defineEntity({
    name: 'Note',
    properties: { id: p.integer().primary(), text: p.string(), shelf: () => p.manyToOne(Shelf), ...timestampProperties() },
  }),
  ['timestamp'],
);

// The types are really the package's, not `any`: a misspelt plugin name does not compile.
// @ts-expect-error 'timestamps' is not a plugin name
const misspelt: plugins.PluginList = ['timestamps'];
void misspelt;

async function main(): Promise<void> {
  const orm = await MikroORM.init({ dbName: ':memory:', entities: [Shelf, Note], extensions: [pluginSystem()] });
  try {
    await orm.schema.create();
    const em = orm.em.fork();
    const shelf = em.create(Shelf, { label: 'top' });
    em.create(Note, { text: 'written by typed require', shelf });
    await em.flush();
    const row = await orm.em.fork().findOneOrFail(Note, { text: 'written by typed require' }, { populate: ['shelf'] });
    const createdAt: Date = row.createdAt;
    const label: string = row.shelf.label;
    console.log(JSON.stringify({
      app: 'typed-cjs',
      id: row.id,
      text: row.text,
      shelf: label,
      createdAtIsDate: createdAt instanceof Date,
      createdAt,
      chain: describeChain(orm, Note, 'beforeCreate').map(h => h.plugin),
    }));
  } finally {
    await orm.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
